import { existsSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { loadAppConfig } from './src/core/config/app-config';
import { standaloneDataSourceOptions } from './src/entities';
import { resolveDatabase } from './src/core/database/resolve-database';

// The DataSource of the TypeORM CLI (`npm run migration:*`): DATABASE_URL when set, otherwise the
// embedded database like `npm start`: joined while `npm start` runs it (and left running), started
// for the command otherwise (and stopped when the command exits).
async function cliDataSource(): Promise<DataSource> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const url = process.env.DATABASE_URL || (await resolveDatabase(loadAppConfig(), console)).url;
  return new DataSource(standaloneDataSourceOptions(url));
}

export default cliDataSource();
