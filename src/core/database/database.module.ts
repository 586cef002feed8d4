import { Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { join } from 'node:path';
import { DataSource, DataSourceOptions } from 'typeorm';
import type { PostgresDataSourceOptions } from 'typeorm/driver/postgres/PostgresDataSourceOptions';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.provider';
import { dataSourceOptions } from './data-source-options';
import { RunningEmbeddedPostgres, startEmbeddedPostgres } from './embedded-postgres';
import { runMigrationsExclusively } from './migrate';

/** Where the database is: the configured server, or an embedded one this process runs. */
export class DatabaseServer implements OnApplicationShutdown {
  private readonly logger = new Logger('Database');
  private embedded?: RunningEmbeddedPostgres;
  url!: string;

  get connectTimeoutMs(): number {
    return this.config.dbConnectTimeoutMs;
  }

  constructor(
    private readonly config: AppConfig,
    private readonly moduleRef: ModuleRef,
  ) {}

  async start(): Promise<this> {
    if (this.config.databaseUrl) {
      this.url = this.config.databaseUrl;
      this.logger.log(`Using PostgreSQL at ${redactPassword(this.url)}`);
      return this;
    }
    const dataDir = join(this.config.dataDir, 'postgres');
    this.embedded = await startEmbeddedPostgres({
      dataDir,
      port: this.config.embeddedDbPort,
      database: 'healthcare',
      logger: this.logger,
    });
    this.url = this.embedded.url;
    // In full: the password is a fixed local one, and the URL is what the CLI commands need.
    this.logger.log(`Using embedded PostgreSQL at ${this.url} with data in ${dataDir}`);
    return this;
  }

  /** The database for the log: an external URL without its password, the embedded one in full. */
  get description(): string {
    return this.embedded ? `embedded, DATABASE_URL=${this.url}` : redactPassword(this.url);
  }

  /**
   * The embedded server must outlive every use of the pool on it, the audit trail's last flush
   * included; TypeORM destroys the DataSource in its own shutdown hook, after the services' ones.
   * So the server stops right after that destroy; here only when there is no pool to wait for.
   */
  stopAfter(dataSource: DataSource): void {
    const embedded = this.embedded;
    if (!embedded) return;
    const destroy = dataSource.destroy.bind(dataSource);
    dataSource.destroy = async () => {
      try {
        await destroy();
      } finally {
        await embedded.stop();
      }
    };
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.embedded) return;
    const dataSource = this.moduleRef.get(DataSource, { strict: false });
    if (!dataSource.isInitialized) await this.embedded.stop();
  }
}

const poolLogger = new Logger('Database');

/** Hands the DatabaseServer from the options factory to the DataSource factory. */
const SERVER = Symbol('DatabaseServer');

const redactPassword = (url: string) => url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');

@Module({
  providers: [
    {
      provide: DatabaseServer,
      inject: [APP_CONFIG, ModuleRef],
      useFactory: (config: AppConfig, moduleRef: ModuleRef) => new DatabaseServer(config, moduleRef).start(),
    },
  ],
  exports: [DatabaseServer],
})
class DatabaseServerModule {}

/** TypeORM on the resolved server, with pending migrations applied at start unless turned off. */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      imports: [DatabaseServerModule],
      inject: [DatabaseServer, APP_CONFIG],
      useFactory: (server: DatabaseServer, config: AppConfig) => ({
        [SERVER]: server,
        ...dataSourceOptions(server.url, config.dbPoolSize, {
          connectTimeoutMs: config.dbConnectTimeoutMs,
          poolTimeoutMs: config.dbPoolTimeoutMs,
          statementTimeoutMs: config.dbStatementTimeoutMs,
        }),
        // An idle pooled connection whose server went away emits 'error' on the pool; without a
        // listener that would crash the process. The pool drops the connection and opens a new
        // one when the server is back; requests meanwhile get 503.
        poolErrorHandler: (error: Error) => poolLogger.warn(`An idle database connection failed: ${error.message}`),
        // Each feature's entities, from its TypeOrmModule.forFeature; its module adds its subscribers.
        autoLoadEntities: true,
        // Read by dataSourceFactory below, which applies them itself, one instance at a time.
        migrationsRun: config.runMigrations,
        migrationsTransactionMode: 'each' as const,
      }),
      dataSourceFactory: async (options?: DataSourceOptions) => {
        const { [SERVER]: server, ...settings } = options as PostgresDataSourceOptions & { [SERVER]: DatabaseServer };
        if (settings.migrationsRun) {
          const applied = await runMigrationsExclusively(settings.url!, { connectTimeoutMs: server.connectTimeoutMs });
          if (applied.length > 0) poolLogger.log(`Applied migrations: ${applied.join(', ')}`);
        }
        const dataSource = await new DataSource({ ...settings, migrationsRun: false }).initialize();
        server.stopAfter(dataSource);
        return dataSource;
      },
    }),
  ],
})
export class DatabaseModule {}
