import { DataSource } from 'typeorm';
import { dataSourceOptions } from './src/core/database/data-source-options';

// The DataSource of the TypeORM CLI (`npm run migration:*`). It needs an explicit database:
// set DATABASE_URL, e.g. the URL `npm start` logs for its embedded server.
const url = process.env.DATABASE_URL;
if (!url) {
  throw new Error('DATABASE_URL is not set: the TypeORM CLI needs a PostgreSQL server to work on.');
}

export default new DataSource(dataSourceOptions(url));
