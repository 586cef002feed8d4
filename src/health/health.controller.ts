import { Controller, Get, Header, Logger } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { Public } from '../core/auth/decorators';
import { UnavailableError } from '../core/errors';
import { DATABASE_UNAVAILABLE } from '../core/http/problem';
import { HealthDto } from './dto/health.dto';
import { HealthRepository } from './health.repository';

/** How long the readiness probe waits for the database's answer. */
const PING_TIMEOUT_MS = 1500;
const NO_CACHE = 'no-cache, no-store, must-revalidate';

/**
 * Probes for orchestrators: public and never throttled. They answer what @nestjs/terminus's
 * health check answered (its report, `Cache-Control: no-cache`), without its 46 modules at every
 * start: the one check is a `SELECT 1` with a timeout.
 */
@ApiTags('health')
@Public()
@SkipThrottle()
@Controller('health')
export class HealthController {
  private readonly logger = new Logger('Health');
  /**
   * Whether the last readiness check found the database away: probes come every few seconds,
   * so only a change of state is logged, not every failed probe.
   */
  private databaseDown = false;

  constructor(private readonly database: HealthRepository) {}

  /**
   * Liveness probe.
   * @remarks Answers 200 while the process runs, whatever the state of the database. Public, never rate limited, never cached.
   */
  @Get('live')
  @Header('Cache-Control', NO_CACHE)
  @ApiOkResponse({ type: HealthDto, description: 'The process is up.' })
  live(): HealthDto {
    return { status: 'ok', info: {}, error: {}, details: {} };
  }

  /**
   * Readiness probe.
   * @remarks Answers 200 when the database answers a ping within 1.5 s, 503 otherwise. Public, never rate limited, never cached.
   */
  @Get('ready')
  @Header('Cache-Control', NO_CACHE)
  @ApiOkResponse({ type: HealthDto, description: 'The process can serve: the database answers.' })
  @ApiServiceUnavailableResponse({ description: 'The database does not answer: `The database is unavailable; retry shortly.`' })
  async ready(): Promise<HealthDto> {
    try {
      await this.database.ping(PING_TIMEOUT_MS);
    } catch (error) {
      if (!this.databaseDown) this.logger.warn(`The database does not answer (${reasonOf(error)}): not ready until it does.`);
      this.databaseDown = true;
      throw new UnavailableError(DATABASE_UNAVAILABLE);
    }
    if (this.databaseDown) this.logger.log('The database answers again: ready.');
    this.databaseDown = false;
    const up = { database: { status: 'up' } };
    return { status: 'ok', info: up, error: {}, details: up };
  }
}

/** The failed ping's own message (`timeout of 1500ms exceeded`, a connection error), for the log. */
function reasonOf(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message.slice(0, 200) : 'no answer';
}
