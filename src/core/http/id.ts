import { ArgumentMetadata, HttpStatus, Injectable, PipeTransform } from '@nestjs/common';
import { FieldProblemException } from './problem';

/** Ids are PostgreSQL `integer` identities: 1 to 2^31 - 1. */
export const MAX_ID = 2_147_483_647;

/** A path id; anything that cannot be an id is a 400 naming the parameter, never a database error. */
@Injectable()
export class ParseIdPipe implements PipeTransform<unknown, number> {
  transform(value: unknown, metadata: ArgumentMetadata): number {
    const id = typeof value === 'number' ? value : /^\d{1,10}$/.test(String(value)) ? Number(value) : NaN;
    if (!Number.isInteger(id) || id < 1 || id > MAX_ID) {
      const field = metadata.data ?? 'id';
      const message = `${field} must be a positive integer id`;
      throw new FieldProblemException(HttpStatus.BAD_REQUEST, message, { [field]: [message] });
    }
    return id;
  }
}

/** The largest PostgreSQL `bigint`. */
const MAX_BIG_ID = 9_223_372_036_854_775_807n;

/** A path id of a `bigint` identity (a webhook delivery), as its decimal text; anything else a 400 naming the parameter. */
@Injectable()
export class ParseBigIdPipe implements PipeTransform<unknown, string> {
  transform(value: unknown, metadata: ArgumentMetadata): string {
    const text = String(value);
    if (/^[1-9]\d{0,18}$/.test(text) && BigInt(text) <= MAX_BIG_ID) return text;
    const field = metadata.data ?? 'id';
    const message = `${field} must be a positive integer id`;
    throw new FieldProblemException(HttpStatus.BAD_REQUEST, message, { [field]: [message] });
  }
}
