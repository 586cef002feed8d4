import { ArgumentMetadata, HttpStatus, Injectable, PipeTransform } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { InjectAppConfig } from '../config/app-config.provider';
import { FieldProblemException } from '../http/problem';
import { PageQueryDto } from './pagination';

/**
 * The configured page sizes applied to a validated list query: the default when `page_size` was
 * left out, and 400 over the maximum. A global pipe registered after the validation pipe, which
 * cannot know settings: a DTO's decorators are fixed when its class loads, before any
 * application (and its settings) exists.
 */
@Injectable()
export class PageSizePipe implements PipeTransform {
  constructor(@InjectAppConfig() private readonly config: AppConfig) {}

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type !== 'query' || !(value instanceof PageQueryDto)) return value;
    const { default: fallback, max } = this.config.pageSize;
    if (value.page_size === undefined) {
      value.page_size = fallback;
    } else if (value.page_size > max) {
      throw new FieldProblemException(HttpStatus.BAD_REQUEST, 'The request has invalid fields.', {
        page_size: [`page_size must not be greater than ${max}`],
      });
    }
    return value;
  }
}
