import { Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.provider';
import { dataSourceOptions } from './data-source-options';
import { RunningEmbeddedPostgres, startEmbeddedPostgres } from './embedded-postgres';

/** Where the database is: the configured server, or an embedded one this process runs. */
export class DatabaseServer implements OnApplicationShutdown {
  private readonly logger = new Logger('Database');
  private embedded?: RunningEmbeddedPostgres;
  url!: string;

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
    this.logger.log(`Using embedded PostgreSQL at ${redactPassword(this.url)} with data in ${dataDir}`);
    return this;
  }

  /** Hooks run module by module, so the pool is closed here first rather than after the server is gone. */
  async onApplicationShutdown(): Promise<void> {
    if (!this.embedded) return;
    const dataSource = this.moduleRef.get(DataSource, { strict: false });
    if (dataSource.isInitialized) await dataSource.destroy();
    await this.embedded.stop();
  }
}

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
        ...dataSourceOptions(server.url, config.dbPoolSize),
        migrationsRun: config.runMigrations,
        migrationsTransactionMode: 'each' as const,
      }),
    }),
  ],
})
export class DatabaseModule {}
