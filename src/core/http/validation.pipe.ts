import { ArgumentMetadata, BadRequestException, HttpStatus, ValidationError, ValidationPipe } from '@nestjs/common';
import { resolveAliases } from '../validation/aliases';
import { rememberValidationMetadata } from '../validation/remembered-metadata';
import { coerceFormBody, inheritedKeys, withoutServerOwned } from './body-fields';
import { isFormBody } from './form-body';
import { FieldProblemException } from './problem';

/** What an unknown body field is told. */
const NOT_ALLOWED = 'This field is not allowed.';

/** A plain decimal number, as a path or query parameter should spell one. */
const DECIMAL = /^-?\d+(\.\d+)?$/;

/**
 * The ValidationPipe with two holes closed (bodies that are not objects, numbers nobody writes),
 * and bodies made ready around it: before, a form's strings are taken to their fields' types and
 * server-owned fields dropped (body-fields.ts); after, a valid body's field aliases (the Django
 * projects' names, validation/aliases.ts) are moved onto their fields.
 */
class StrictValidationPipe extends ValidationPipe {
  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type !== 'body' || !metadata.metatype || !this.toValidate(metadata)) return super.transform(value, metadata);
    // A DTO body must be a JSON object: an array's items would otherwise be refused as fields "0", "1", ...
    if (value === undefined || value === null) return this.transformBody(value, metadata);
    if (typeof value !== 'object' || Array.isArray(value)) throw new BadRequestException('The request body must be a JSON object.');
    const fields = isFormBody(value) ? coerceFormBody(value, metadata.metatype) : (value as Record<string, unknown>);
    const inherited = inheritedKeys(fields, metadata.metatype);
    if (inherited.length > 0) {
      const errors = Object.fromEntries(inherited.map((key) => [key, [NOT_ALLOWED]]));
      throw new FieldProblemException(HttpStatus.BAD_REQUEST, 'The request has invalid fields.', errors);
    }
    return this.transformBody(withoutServerOwned(fields, metadata.metatype), metadata);
  }

  /** A valid body with its field aliases moved onto their fields (validation/aliases.ts). */
  private async transformBody(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const dto = (await super.transform(value, metadata)) as unknown;
    if (dto !== null && typeof dto === 'object') resolveAliases(dto);
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
  rememberValidationMetadata();
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
