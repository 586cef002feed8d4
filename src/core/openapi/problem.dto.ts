import { ApiProperty } from '@nestjs/swagger';

/** RFC 9457 problem details: the body of every error response, as `application/problem+json`. */
export class ProblemDto {
  @ApiProperty({
    description: 'A URI reference naming the problem type; `about:blank` means the status says it all.',
    example: 'about:blank',
  })
  type!: string;

  @ApiProperty({ description: 'The HTTP status phrase.', example: 'Bad Request' })
  title!: string;

  @ApiProperty({ type: 'integer', minimum: 400, maximum: 599, description: 'The HTTP status code, repeated.', example: 400 })
  status!: number;

  @ApiProperty({ description: 'What went wrong, for people.', example: 'The request has invalid fields.' })
  detail!: string;

  @ApiProperty({ description: 'The request path and query that failed.', example: '/api/patients/' })
  instance!: string;

  @ApiProperty({
    description: 'The request id, also in the `X-Request-Id` header and the service log; quote it when reporting a problem.',
    example: '3f1e0c9a-3a51-4f4e-9d4c-2b1f6f0d9a7e',
  })
  request_id!: string;

  @ApiProperty({
    required: false,
    additionalProperties: { type: 'array', items: { type: 'string' } },
    description: 'Messages by field name (nested fields as `entries.0.start`), when fields are at fault.',
    example: { name: ['name must be longer than or equal to 1 characters'] },
  })
  errors?: Record<string, string[]>;
}
