import { applyDecorators, Type } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
} from '@nestjs/swagger';
import { AcceptsIfMatch, WithETag } from '../http/etag';
import { ApiIdParam } from './decorators';

/**
 * Route decorators for the standard operations on one record: each applies what such an
 * operation always has (ETag, If-Match, the id parameter) and documents its success and the
 * problems the caller's case can meet. The problems every operation can meet (401, 429, …) are
 * added to all of them by buildOpenApiDocument.
 */

/** The problems an operation answers beside the common ones, each with what it means here. */
export interface Problems {
  badRequest?: string;
  notFound?: string;
  forbidden?: string;
  conflict?: string;
}

/** Documents the problems given, and no others. */
export function ApiProblems({ badRequest, notFound, forbidden, conflict }: Problems): MethodDecorator {
  return applyDecorators(
    ...(badRequest ? [ApiBadRequestResponse({ description: badRequest })] : []),
    ...(notFound ? [ApiNotFoundResponse({ description: notFound })] : []),
    ...(forbidden ? [ApiForbiddenResponse({ description: forbidden })] : []),
    ...(conflict ? [ApiConflictResponse({ description: conflict })] : []),
  );
}

/** An operation on the record named by the path parameter `id`, described by `id`. */
interface OnRecord extends Problems {
  /** The `id` path parameter's description, such as `Patient id.`. */
  id: string;
  /** What the success response is. */
  description: string;
}

/** POST creating a record: 201 with the record and its ETag. */
export const CreatesRecord = (type: Type<unknown>, { description, ...problems }: Omit<OnRecord, 'id'>) =>
  applyDecorators(WithETag(), ApiCreatedResponse({ type, description }), ApiProblems(problems));

/** GET of one record: the record and its ETag. */
export const ReadsRecord = (type: Type<unknown>, { id, description, ...problems }: OnRecord) =>
  applyDecorators(WithETag(), ApiIdParam('id', id), ApiOkResponse({ type, description }), ApiProblems(problems));

/** PUT or PATCH of one record: the record as changed and its ETag; `If-Match` guards the write. */
export const ChangesRecord = (type: Type<unknown>, { id, description, ...problems }: OnRecord) =>
  applyDecorators(WithETag(), AcceptsIfMatch(), ApiIdParam('id', id), ApiOkResponse({ type, description }), ApiProblems(problems));

/**
 * DELETE of one record, answering 204 without a body. The route keeps its own
 * `@HttpCode(HttpStatus.NO_CONTENT)`: the Swagger plugin reads the status from the source and
 * would document a 200 as well.
 */
export const DeletesRecord = ({ id, description, ...problems }: OnRecord) =>
  applyDecorators(ApiIdParam('id', id), ApiNoContentResponse({ description }), ApiProblems(problems));
