import { ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerException,
  ThrottlerGuard,
  ThrottlerModuleOptions,
  ThrottlerOptions,
  ThrottlerStorage,
  type ThrottlerGenerateKeyFunction,
  type ThrottlerGetTrackerFunction,
} from '@nestjs/throttler';
import {
  THROTTLER_BLOCK_DURATION,
  THROTTLER_KEY_GENERATOR,
  THROTTLER_LIMIT,
  THROTTLER_SKIP,
  THROTTLER_TRACKER,
  THROTTLER_TTL,
} from '@nestjs/throttler/dist/throttler.constants';
import type { ThrottlerLimitDetail, ThrottlerRequest } from '@nestjs/throttler/dist/throttler.guard.interface';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppConfig } from '../config/app-config';
import { RequestAuthenticator } from '../auth/request-authenticator';
import { FixedWindowThrottlerStorage } from './fixed-window-storage';

const STRICT = 'throttle:strict';

/** Adds the strict brute-force limit (login, register, refresh) on top of the general one. */
export const StrictThrottle = () => SetMetadata(STRICT, true);

/** The caller's address: Fastify's `req.ip` honours X-Forwarded-For only with TRUST_PROXY. */
const ipTracker = (req: Record<string, unknown>) => `ip:${String(req.ip)}`;

export async function throttlerOptions(config: AppConfig): Promise<ThrottlerModuleOptions> {
  const ttl = config.throttle.windowSeconds * 1000;
  return {
    throttlers: [
      { name: 'default', ttl, limit: config.throttle.limit },
      {
        name: 'auth',
        ttl,
        limit: config.throttle.authLimit,
        skipIf: (context: ExecutionContext) => Reflect.getMetadata(STRICT, context.getHandler()) !== true,
        // Always per address: counted per account, every account an attacker registers would
        // bring a fresh budget of login attempts.
        getTracker: ipTracker,
      },
    ],
    // One bucket per caller and throttler across all routes, not one per route.
    generateKey: (_context, tracker, name) => `throttle:${name}:${tracker}`,
    storage: await throttlerStorage(config.redisUrl),
  };
}

/**
 * Shared by every instance when Redis is configured; otherwise per process. Given the URL (not a
 * client), the Redis storage owns its connection and closes it when the app closes. Its package
 * and ioredis are loaded only then: without Redis they held some 9 MB of memory for nothing.
 */
async function throttlerStorage(redisUrl: string | undefined): Promise<ThrottlerStorage> {
  if (!redisUrl) return new FixedWindowThrottlerStorage();
  const { ThrottlerStorageRedisService } = await import('@nest-lab/throttler-storage-redis');
  return new ThrottlerStorageRedisService(redisUrl);
}

/**
 * Limits per user when the request carries a valid access token, per IP otherwise. It runs
 * before the JWT guard, so it has the token checked (once: the guard reuses the result); an
 * unverified `sub` would let anyone spend another user's budget.
 */
@Injectable()
export class AppThrottlerGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly authenticator: RequestAuthenticator,
  ) {
    super(options, storage, reflector);
  }

  /** Per route handler, what each throttler that counts it needs: worked out at its first request. */
  private readonly plans = new WeakMap<object, Omit<ThrottlerRequest, 'context'>[]>();

  /**
   * ThrottlerGuard's, with what only depends on the route worked out once per route rather than on
   * every request: it looked up six kinds of route metadata per throttler (`@SkipThrottle()`,
   * `@Throttle()`, ...) and resolved the same limits again each time. A throttler's `skipIf` here
   * depends on the route alone (`StrictThrottle`), and limits are numbers, not functions of the request.
   */
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const handler = context.getHandler();
    let plans = this.plans.get(handler);
    if (!plans) this.plans.set(handler, (plans = this.plansFor(context)));
    // handleRequest throws (429) when a limit is reached.
    for (const plan of plans) await this.handleRequest({ context, ...plan });
    return true;
  }

  private plansFor(context: ExecutionContext): Omit<ThrottlerRequest, 'context'>[] {
    const targets = [context.getHandler(), context.getClass()];
    const route = <T>(key: string, throttler: ThrottlerOptions) =>
      this.reflector.getAllAndOverride<T | undefined>(key + throttler.name, targets);
    return this.throttlers
      .filter((throttler) => !route<boolean>(THROTTLER_SKIP, throttler) && !(throttler.skipIf ?? this.commonOptions.skipIf)?.(context))
      .map((throttler) => {
        const limit = route<number>(THROTTLER_LIMIT, throttler) ?? throttler.limit;
        const ttl = route<number>(THROTTLER_TTL, throttler) ?? throttler.ttl;
        const blockDuration = route<number>(THROTTLER_BLOCK_DURATION, throttler) ?? throttler.blockDuration ?? ttl;
        if (typeof limit !== 'number' || typeof ttl !== 'number' || typeof blockDuration !== 'number')
          throw new Error(`The limits of throttler ${throttler.name} must be numbers`);
        return {
          throttler,
          limit,
          ttl,
          blockDuration,
          getTracker: (route<ThrottlerGetTrackerFunction>(THROTTLER_TRACKER, throttler) ??
            throttler.getTracker ??
            this.commonOptions.getTracker)!,
          generateKey: (route<ThrottlerGenerateKeyFunction>(THROTTLER_KEY_GENERATOR, throttler) ??
            throttler.generateKey ??
            this.commonOptions.generateKey)!,
        };
      });
  }

  protected override getTracker(req: FastifyRequest): Promise<string> {
    // An invalid token is throttled like an anonymous caller; the JWT guard rejects it next.
    const token = this.authenticator.check(req);
    return Promise.resolve('claims' in token ? `user:${token.claims.sub}` : ipTracker(req as unknown as Record<string, unknown>));
  }

  protected override throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    void reply.header('Retry-After', String(detail.timeToBlockExpire));
    throw new ThrottlerException(`Too many requests; retry after ${detail.timeToBlockExpire} seconds.`);
  }
}
