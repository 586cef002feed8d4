import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../core/auth/auth-user';
import type { AppConfig } from '../core/config/app-config';
import { InjectAppConfig } from '../core/config/app-config.provider';
import { ChannelEvents, ChannelListener } from '../core/database/channel-listener';
import { poolOf } from '../core/database/sql';
import { RecentEntries } from '../core/recent-entries';

/** Where the `users` table's triggers announce a changed account (see the UserChangeNotifications migration). */
const USERS_CHANGED_CHANNEL = 'users_changed';
/** Kept at most this long, notified or not: a bound on staleness should notifications stop unnoticed. */
const MAX_AGE_MS = 60_000;
const MAX_ENTRIES = 10_000;

/**
 * The callers of requests (active accounts), remembered between requests so that a request does
 * not spend a database round trip, a fifth of a read's cost, on loading its caller again.
 *
 * A change still applies at once: an account changed by this instance is forgotten before the
 * change is answered, and any change (by another instance, a script or SQL by hand) makes
 * PostgreSQL notify every instance, which forgets the account within milliseconds of the commit.
 * Nothing is remembered while the notifications do not arrive (before the listening connection
 * is up, while it is broken, or when AUTH_USER_CACHE is off).
 */
@Injectable()
export class CallerCache implements ChannelEvents, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CallerCache.name);
  private readonly entries = new RecentEntries<number, Readonly<AuthUser>>(MAX_ENTRIES, MAX_AGE_MS);
  private readonly listener?: ChannelListener;
  private listens = false;
  /** Moves on at every forgetting, so a load that was under way then is not remembered: it may be older than the change. */
  private generation = 0;

  constructor(@InjectAppConfig() config: AppConfig, dataSource: DataSource) {
    if (!config.authUserCache) return;
    this.listener = new ChannelListener(poolOf(dataSource), USERS_CHANGED_CHANNEL, this, this.logger);
  }

  onApplicationBootstrap(): Promise<void> | undefined {
    return this.listener?.start();
  }

  onApplicationShutdown(): Promise<void> | undefined {
    return this.listener?.stop();
  }

  /** The caller with this id: remembered, or loaded by `load` (null for no active account). */
  async get(id: number, load: () => Promise<AuthUser | null>): Promise<Readonly<AuthUser> | null> {
    const known = this.entries.get(id);
    if (known) return known;
    const generation = this.generation;
    const user = await load();
    if (user && this.listens && generation === this.generation) this.entries.set(user.id, Object.freeze(user));
    return user;
  }

  /** A notification of the listener: the id of a changed account, or `*` for all. */
  message(payload: string): void {
    if (payload === '*') this.forgetAll();
    else this.forget(Number(payload));
  }

  /** The listener began or stopped listening: either way, what was remembered may be stale. */
  listening(listening: boolean): void {
    this.listens = listening;
    this.forgetAll();
  }

  /** Forgets an account this instance has just changed; the notification of it follows. */
  forget(id: number): void {
    this.generation++;
    this.entries.delete(id);
  }

  private forgetAll(): void {
    this.generation++;
    this.entries.clear();
  }
}
