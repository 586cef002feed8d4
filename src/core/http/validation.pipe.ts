import { ArgumentMetadata, BadRequestException, HttpStatus, Type, ValidationError, ValidationPipe } from '@nestjs/common';
import { RecentEntries } from '../recent-entries';
import { coerceFormBody, inheritedKeys, withoutServerOwned } from './body-fields';
import { isFormBody } from './form-body';
import { FieldProblemException } from './problem';

/** What an unknown body field is told. */
const NOT_ALLOWED = 'This field is not allowed.';

/** A plain decimal number, as a path or query parameter should spell one. */
const DECIMAL = /^-?\d+(\.\d+)?$/;

/** How many validated queries are remembered per query class, and for how long. */
const QUERY_MEMO_SIZE = 1000;
const QUERY_MEMO_MS = 60_000;

const REMEMBERED = Symbol('remembered validation');

/**
 * Lets the validation pipe remember this query class's validated query strings for a minute. Only
 * for a class whose validation depends on the query string alone: no clock ("not in the past"),
 * no setting, no caller; a remembered answer would otherwise outlive what it was decided on.
 */
export const RememberValidation = (): ClassDecorator => (target) => {
  Reflect.defineMetadata(REMEMBERED, true, target);
};

/** A validated query whose every field is a plain value: a shallow copy of it shares nothing. */
const isFlat = (dto: object) => Object.values(dto).every((field) => field === null || typeof field !== 'object');
const copyOf = <T extends object>(dto: T): T => Object.assign(Object.create(Object.getPrototypeOf(dto) as object) as T, dto);

/**
 * The ValidationPipe with two holes closed (bodies that are not objects, numbers nobody writes),
 * bodies made ready first (a form's strings taken to their fields' types, server-owned fields
 * dropped: body-fields.ts), and the validated query strings of `@RememberValidation()` classes
 * remembered: a list is asked for with the same few queries again and again, and
 * class-transformer and class-validator spent an eighth of a doctor list's memory allocations on
 * its two or three parameters each time. A remembered one is handed out as a copy and forgotten
 * after a minute.
 */
class StrictValidationPipe extends ValidationPipe {
  private readonly validatedQueries = new Map<Type<unknown>, RecentEntries<string, object>>();

  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // A DTO body must be a JSON object: an array's items would otherwise be refused as fields "0", "1", ...
    const notAnObject = value !== undefined && value !== null && (typeof value !== 'object' || Array.isArray(value));
    if (metadata.type === 'body' && notAnObject && this.toValidate(metadata)) {
      throw new BadRequestException('The request body must be a JSON object.');
    }
    if (metadata.type === 'body' && metadata.metatype && typeof value === 'object' && value !== null && this.toValidate(metadata)) {
      const fields = isFormBody(value) ? coerceFormBody(value, metadata.metatype) : (value as Record<string, unknown>);
      const inherited = inheritedKeys(fields, metadata.metatype);
      if (inherited.length > 0) {
        const errors = Object.fromEntries(inherited.map((key) => [key, [NOT_ALLOWED]]));
        throw new FieldProblemException(HttpStatus.BAD_REQUEST, 'The request has invalid fields.', errors);
      }
      return super.transform(withoutServerOwned(fields, metadata.metatype), metadata);
    }
    if (metadata.type === 'query' && metadata.metatype && Reflect.getMetadata(REMEMBERED, metadata.metatype) && this.toValidate(metadata)) {
      return this.transformQuery(value, metadata.metatype, metadata);
    }
    return super.transform(value, metadata);
  }

  private async transformQuery(value: unknown, metatype: Type<unknown>, metadata: ArgumentMetadata): Promise<unknown> {
    let remembered = this.validatedQueries.get(metatype);
    if (!remembered) this.validatedQueries.set(metatype, (remembered = new RecentEntries(QUERY_MEMO_SIZE, QUERY_MEMO_MS)));
    const key = JSON.stringify(value) ?? '';
    const known = remembered.get(key);
    if (known) return copyOf(known);
    // Invalid queries throw here and are never remembered.
    const dto = (await super.transform(value, metadata)) as object;
    if (isFlat(dto)) remembered.set(key, copyOf(dto));
    return dto;
  }

  /**
   * `transform: true` turns a numeric route or query parameter into a number with `+value`
   * before any `ParseIdPipe` sees it, so `/users/1e3` became user 1000 and `/users/0x1` user 1.
   * Only plain decimals are converted here; anything else is refused, naming the parameter.
   */
  protected override transformPrimitive(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.data && metadata.metatype === Number && typeof value === 'string' && !DECIMAL.test(value)) {
      throw new FieldProblemException(HttpStatus.BAD_REQUEST, 'The request has invalid fields.', {
        [metadata.data]: [`${metadata.data} must be a number`],
      });
    }
    return super.transformPrimitive(value, metadata);
  }
}

/** Strict validation: unknown fields are refused, and every message is named by its field. */
export function createValidationPipe(): ValidationPipe {
  return new StrictValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const byField: Record<string, string[]> = {};
      collect(errors, '', byField);
      return new FieldProblemException(HttpStatus.BAD_REQUEST, 'The request has invalid fields.', byField);
    },
  });
}

function collect(errors: ValidationError[], prefix: string, into: Record<string, string[]>): void {
  for (const error of errors) {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const messages = Object.entries(error.constraints ?? {}).map(([rule, message]) =>
      rule === 'whitelistValidation' ? NOT_ALLOWED : message,
    );
    if (messages.length > 0) into[field] = messages;
    if (error.children?.length) collect(error.children, field, into);
  }
}
