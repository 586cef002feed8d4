import { Controller, Get, Logger, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { HealthCheck, HealthCheckResult, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from '../core/auth/decorators';
import { UnavailableError } from '../core/errors';
import { DATABASE_UNAVAILABLE } from '../core/http/problem';
import { HealthDto } from './dto/health.dto';

/** Probes for orchestrators: public and never throttled. */
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

  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
  ) {}

  /**
   * Liveness probe.
   * @remarks Answers 200 while the process runs, whatever the state of the database. Public, never rate limited, never cached.
   */
  @Get('live')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOkResponse({ type: HealthDto, description: 'The process is up.' })
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  /**
   * Readiness probe.
   * @remarks Answers 200 when the database answers a ping within 1.5 s, 503 otherwise. Public, never rate limited, never cached.
   */
  @Get('ready')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOkResponse({ type: HealthDto, description: 'The process can serve: the database answers.' })
  @ApiServiceUnavailableResponse({ description: 'The database does not answer: `The database is unavailable; retry shortly.`' })
  async ready(): Promise<HealthCheckResult> {
    try {
      const result = await this.health.check([() => this.db.pingCheck('database', { timeout: 1500 })]);
      if (this.databaseDown) this.logger.log('The database answers again: ready.');
      this.databaseDown = false;
      return result;
    } catch (error) {
      // terminus reports a failed check as its own 503 exception.
      if (!(error instanceof ServiceUnavailableException)) throw error;
      if (!this.databaseDown) this.logger.warn(`The database does not answer (${reasonOf(error)}): not ready until it does.`);
      this.databaseDown = true;
      // What the API answers while the database is away, rather than terminus's report.
      throw new UnavailableError(DATABASE_UNAVAILABLE);
    }
  }
}

/** The failed check's own message (`timeout of 1500ms exceeded`, a connection error), for the log. */
function reasonOf(error: ServiceUnavailableException): string {
  const report = error.getResponse() as { error?: Record<string, { message?: unknown }> };
  const message = report.error?.database?.message;
  return typeof message === 'string' ? message.slice(0, 200) : 'no answer';
}
