import { ArgumentMetadata, BadRequestException, HttpStatus, ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldProblemException } from './problem';

/** A plain decimal number, as a path or query parameter should spell one. */
const DECIMAL = /^-?\d+(\.\d+)?$/;

/** The ValidationPipe with two holes closed: bodies that are not objects, and numbers nobody writes. */
class StrictValidationPipe extends ValidationPipe {
  /** A DTO body must be a JSON object: an array's items would otherwise be refused as fields "0", "1", ... */
  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const notAnObject = value !== undefined && value !== null && (typeof value !== 'object' || Array.isArray(value));
    if (metadata.type === 'body' && notAnObject && this.toValidate(metadata)) {
      throw new BadRequestException('The request body must be a JSON object.');
    }
    return super.transform(value, metadata);
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
      rule === 'whitelistValidation' ? 'This field is not allowed.' : message,
    );
    if (messages.length > 0) into[field] = messages;
    if (error.children?.length) collect(error.children, field, into);
  }
}
