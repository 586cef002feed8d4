import { ApiParam } from '@nestjs/swagger';
import { MAX_ID } from '../http/id';

/** Documents a path id read with ParseIdPipe: a PostgreSQL `integer` identity, 1 to 2^31 - 1. */
export const ApiIdParam = (name: string, description: string) =>
  ApiParam({ name, description, required: true, schema: { type: 'integer', minimum: 1, maximum: MAX_ID }, example: 1 });
