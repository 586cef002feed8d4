import type { Type } from '@nestjs/common';
import { ApiOkResponse, ApiProperty } from '@nestjs/swagger';
import { Type as TransformType } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './page-sizes';

export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './page-sizes';

/** Far past any real list, and small enough that the offset stays an exact integer PostgreSQL accepts. */
export const MAX_PAGE = 10_000_000;

/** `?page=&page_size=`, shared by every list. */
export class PageQueryDto {
  @ApiProperty({ type: 'integer', required: false, minimum: 1, default: 1, description: 'Page number, from 1.' })
  @IsOptional()
  @TransformType(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE)
  page: number = 1;

  /**
   * The default and the maximum are settings (`PAGE_SIZE_DEFAULT`, `PAGE_SIZE_MAX`), so this
   * class checks only the shape; PageSizePipe fills in the default and refuses a size over the
   * maximum, and the OpenAPI document shows both as configured (the defaults here).
   */
  @ApiProperty({
    type: 'integer',
    required: false,
    minimum: 1,
    maximum: MAX_PAGE_SIZE,
    default: DEFAULT_PAGE_SIZE,
    description: 'Items per page.',
  })
  @IsOptional()
  @TransformType(() => Number)
  @IsInt()
  @Min(1)
  page_size!: number;

  get offset(): number {
    return (this.page - 1) * this.page_size;
  }
}

/** One page of a list and the total it was cut from. */
export class Page<T> {
  constructor(
    readonly items: T[],
    readonly total: number,
    readonly query: PageQueryDto,
  ) {}

  map<U>(mapper: (item: T) => U): Page<U> {
    return new Page(this.items.map(mapper), this.total, this.query);
  }
}

/**
 * Sends a Page as a plain JSON array, as the clients we replace expect, with the total in
 * `X-Total-Count` and RFC 8288 `Link` relations (relative references) to the other pages.
 * A Fastify preSerialization hook: a Nest interceptor would wrap every list in rxjs.
 */
export function sendPageAsArray(request: FastifyRequest, reply: FastifyReply, payload: unknown): unknown {
  if (!(payload instanceof Page)) return payload;
  void reply.header('X-Total-Count', String(payload.total)).header('Link', linkHeader(request.url, payload.total, payload.query));
  return payload.items;
}

function linkHeader(url: string, total: number, { page, page_size }: PageQueryDto): string {
  const [path, search = ''] = url.split('?', 2);
  const lastPage = Math.max(1, Math.ceil(total / page_size));
  const at = (target: number) => {
    const params = new URLSearchParams(search);
    params.set('page', String(target));
    params.set('page_size', String(page_size));
    return `<${path}?${params.toString()}>`;
  };
  const links = [`${at(1)}; rel="first"`];
  if (page > 1) links.push(`${at(Math.min(page - 1, lastPage))}; rel="prev"`);
  if (page < lastPage) links.push(`${at(page + 1)}; rel="next"`);
  links.push(`${at(lastPage)}; rel="last"`);
  return links.join(', ');
}

/** Documents a list operation (one returning a Page): the array and its headers. */
export function Paginated(itemType: Type<unknown>) {
  return ApiOkResponse({
    type: [itemType],
    description: 'One page of the list: a JSON array, with the total in `X-Total-Count` and the other pages in `Link`.',
    headers: {
      'X-Total-Count': { $ref: '#/components/headers/X-Total-Count' },
      Link: { $ref: '#/components/headers/Link' },
    },
  });
}
