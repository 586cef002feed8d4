import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type {
  HeaderObject,
  OperationObject,
  ParameterObject,
  ReferenceObject,
  RequestBodyObject,
  ResponseObject,
  SchemaObject,
} from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import { version } from '../../../package.json';
import type { AppConfig } from '../config/app-config';
import { FORM_CONTENT_TYPES } from '../http/form-body';
import { UNSUPPORTED_MEDIA_TYPE } from '../http/problem';
import { OPENAPI_BEFORE_MFA, OPENAPI_ETAG, OPENAPI_LOCATION, OPENAPI_PUBLIC } from './markers';
import { RECORD_METADATA_FIELDS } from '../records/record-metadata.dto';
import { ProblemDto } from './problem.dto';
import { setUpRedoc } from './redoc';

export const BEARER_SCHEME = 'bearer';

/** The settings the document describes: the committed openapi.json shows their defaults. */
export type DocumentSettings = Pick<AppConfig, 'pageSize'>;

/**
 * Where the API lives, as createApp sets it (scripts/openapi.ts needs it without createApp; the
 * OpenAPI e2e test fails if the two documents' operations part). Routes outside it, the health
 * probes, document every response themselves.
 */
export const API_PREFIX = 'api';
export const API_PREFIX_OPTIONS = { exclude: ['health/live', 'health/ready'] };

const PROBLEM_TYPE = 'application/problem+json';
const PROBLEM_REF = { $ref: '#/components/schemas/Problem' };

const description = ({
  pageSize,
}: DocumentSettings) => `Accounts, patient records, a doctor directory, doctor-patient assignments and appointments where double booking is impossible.

**Authentication.** Every operation needs \`Authorization: Bearer <access token>\` unless its security requirement is empty (registration, login, token refresh, logout, health probes). Log in (or register) for an \`access\` token (short-lived) and a \`refresh\` token (single use): exchange the refresh token at \`POST /api/auth/token/refresh/\` for a new pair before or after the access token expires; the spent refresh token is dead, and presenting it again revokes the whole session. (A service run with \`JWT_REFRESH_ROTATION=off\` answers the same refresh token instead, valid until it expires or its session is logged out.)

**Bodies** are JSON, or, where every field is a plain value, \`application/x-www-form-urlencoded\` or \`multipart/form-data\` fields (no files): their strings are read as the field's type (\`"45"\`, \`"true"\`, \`""\` for null), a repeated key as a list, then validated as JSON. Fields the service sets itself (\`id\`, \`created_by\`, \`created_at\`, \`updated_at\`, \`version\`, \`owner\`, \`*_details\`, \`assigned_*\`) are ignored, so a record read can be sent back; other unknown fields are refused.

**Errors** are \`application/problem+json\` (RFC 9457, the \`Problem\` schema) with \`request_id\`, and for invalid fields \`errors: {field: [messages]}\`. Someone else's record answers exactly like a missing one: 404.

**Lists** are JSON arrays paginated with \`page\` (from 1) and \`page_size\` (${pageSize.default} by default, at most ${pageSize.max}); the total is in \`X-Total-Count\` and the other pages in an RFC 8288 \`Link\` header (\`first\`, \`prev\`, \`next\`, \`last\`).

**Concurrency.** Patients, doctors, assignments, appointments and schedules carry a \`version\`, also sent as \`ETag\`. Send it back as \`If-Match\` on \`PUT\`/\`PATCH\`: a write based on a stale read gets 412.

**Rate limits.** A general budget per user (per address when anonymous) and a strict one per address on login, register and refresh; over it: 429 with \`Retry-After\` in seconds.

**Paths** answer with and without a trailing slash; JSON fields are snake_case, ids integers, timestamps UTC ISO 8601, money decimal strings (\`"1500.00"\`).

**Versioning.** \`info.version\` is the service's semantic version. Removing or renaming an operation, parameter or field, making an optional input required, narrowing accepted values or widening returned ones (a new enum value, a field becoming nullable) is breaking and needs a new major version; adding operations, optional inputs and response fields is not. Operations marked deprecated are aliases kept for older clients.`;

const TAGS: [name: string, description: string][] = [
  ['auth', 'Registration, login, token refresh and logout, and the current account.'],
  ['users', 'Account administration: admins only.'],
  ['patients', 'Patient records, owned by the account that creates them and readable by their assigned doctors.'],
  ['doctors', 'The doctor directory, weekly schedules and free slots.'],
  ['mappings', 'Doctor-patient assignments, kept as history when they end.'],
  ['appointments', 'Booking, rescheduling and status changes; overlapping bookings are refused by the database itself.'],
  ['clinics', 'Clinics and their members: seen by their active members, run by their managers.'],
  [
    'webhooks',
    "Webhook endpoints that receive the service's events (signed per Standard Webhooks, retried until answered), their delivery log, retries and replays: for admins and clinics' managers.",
  ],
  ['audit', 'The append-only audit trail of reads and changes of clinical records and of logins: admins only.'],
  ['health', 'Liveness and readiness probes for orchestrators: public and never rate limited.'],
];

/** Headers every response of a status carries. */
const STATUS_HEADERS: Record<string, Record<string, ReferenceObject>> = {
  '401': { 'WWW-Authenticate': { $ref: '#/components/headers/WWW-Authenticate' } },
  '429': { 'Retry-After': { $ref: '#/components/headers/Retry-After' } },
};

/** Problems every /api operation can answer, documented once under components.responses. */
const COMMON_PROBLEMS: Record<string, { status: string; description: string; headers?: Record<string, HeaderObject | ReferenceObject> }> = {
  BadRequest: {
    status: '400',
    description:
      'Invalid request: a field or parameter fails validation (each named in `errors`), an unknown field, malformed JSON, or a body that is not a JSON object.',
  },
  Unauthorized: {
    status: '401',
    description: 'Missing, malformed, expired or revoked access token, or a deactivated account.',
    headers: STATUS_HEADERS['401'],
  },
  MfaRequired: {
    status: '403',
    description:
      "The caller's role must use two-factor authentication (`MFA_REQUIRED_ROLES`) and the account has not set it up yet: set it up first.",
  },
  PayloadTooLarge: { status: '413', description: 'The request body is larger than the service accepts (`BODY_LIMIT_BYTES`).' },
  UnsupportedMediaType: {
    status: '415',
    description: 'The request body is not `application/json`, `application/x-www-form-urlencoded` or `multipart/form-data`.',
  },
  TooManyRequests: { status: '429', description: 'Rate limit exceeded.', headers: STATUS_HEADERS['429'] },
  InternalServerError: { status: '500', description: 'Unexpected error; the details are in the log under `request_id`.' },
  ServiceUnavailable: { status: '503', description: 'The database is unavailable; retry shortly.' },
};

/** Descriptions for problems an operation declares without saying more. */
const DEFAULT_DESCRIPTIONS: Record<string, string> = {
  '400': COMMON_PROBLEMS.BadRequest.description,
  '401': COMMON_PROBLEMS.Unauthorized.description,
  '403': 'The caller may not do this.',
  '404': 'No such record is visible to the caller.',
  '409': 'The request conflicts with the current state of a record.',
  '412': 'The record changed since the version given in `If-Match`.',
  '429': COMMON_PROBLEMS.TooManyRequests.description,
  '503': COMMON_PROBLEMS.ServiceUnavailable.description,
};

/**
 * The `detail` of each status's example problem: what the service says in the commonest case, so
 * a 404 reads like a 404 rather than like the Problem schema's own example (a 400).
 */
const EXAMPLE_DETAILS: Record<string, string> = {
  '400': 'The request has invalid fields.',
  '401': 'Authentication credentials were not provided or are not valid.',
  '403': 'You do not have permission to perform this action.',
  '404': 'Not found.',
  '409': 'The request conflicts with an existing record.',
  '412': 'The record was changed since you read it; reload it and try again.',
  '413': 'The request body is larger than the service accepts.',
  '415': UNSUPPORTED_MEDIA_TYPE,
  '429': 'Too many requests; retry after 60 seconds.',
  '500': 'An unexpected error occurred. Quote the request id when reporting it.',
  '503': 'The database is unavailable; retry shortly.',
};

/** The record a 404 of an operation of these tags is about. */
const NOT_FOUND_DETAILS: Record<string, string> = {
  patients: 'Patient not found.',
  doctors: 'Doctor not found.',
  appointments: 'Appointment not found.',
  users: 'User not found.',
  clinics: 'Clinic not found.',
  webhooks: 'Webhook not found.',
};

/**
 * An example problem of `status`, at `instance` (a path of the operation, ids filled in). No
 * `errors`: its fields would be another operation's for most of the operations sharing one.
 */
function exampleProblem(status: string, instance: string, tag?: string): Record<string, unknown> {
  return {
    type: 'about:blank',
    title: STATUS_CODES[status] ?? 'Error',
    status: Number(status),
    detail: (status === '404' && tag && NOT_FOUND_DETAILS[tag]) || EXAMPLE_DETAILS[status] || STATUS_CODES[status] || 'Error',
    instance,
    request_id: '3f1e0c9a-3a51-4f4e-9d4c-2b1f6f0d9a7e',
  };
}

/** The path of a request to `template`, as clients write it: `/api/patients/{id}` → `/api/patients/1/`. */
const examplePath = (template: string) => `${template.replace(/\{[^}]+\}/g, '1')}/`;

const HEADERS: Record<string, HeaderObject> = {
  'X-Request-Id': {
    required: true,
    description: 'The request id: the one the client sent when it is a safe token (`[A-Za-z0-9_.:-]`, at most 128), otherwise a new UUID.',
    schema: { type: 'string' },
  },
  ETag: {
    required: true,
    description: "The record's `version` as a strong entity tag; send it back as `If-Match`.",
    schema: { type: 'string' },
  },
  'X-Total-Count': { required: true, description: 'The number of items on all pages.', schema: { type: 'integer', minimum: 0 } },
  Link: {
    required: true,
    description: 'RFC 8288 links (relative references) to the `first`, `prev`, `next` and `last` pages.',
    schema: { type: 'string' },
  },
  'Retry-After': { required: true, description: 'Seconds until the rate limit resets.', schema: { type: 'integer', minimum: 0 } },
  'WWW-Authenticate': { required: true, description: 'Always `Bearer`.', schema: { type: 'string', enum: ['Bearer'] } },
};

/**
 * The OpenAPI document of the whole API, built from the controllers' and DTOs' decorators and,
 * in a build made by `nest build`, what the Swagger CLI plugin adds (summaries, descriptions and
 * error responses from JSDoc, types and bounds of DTO properties). The same document is served at
 * /swagger.json and committed as openapi.json (`npm run openapi`).
 */
export function buildOpenApiDocument(app: INestApplication, settings: DocumentSettings): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('Healthcare backend API')
    .setDescription(description(settings))
    .setVersion(version)
    .setLicense('MIT', 'https://opensource.org/licenses/MIT')
    .addServer('/', 'The server that serves this document')
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'The `access` token from login, register or refresh.' },
      BEARER_SCHEME,
    )
    .addSecurityRequirements(BEARER_SCHEME);
  for (const [name, description] of TAGS) builder.addTag(name, description);
  const config = builder.build();
  config.info.contact = { name: 'Healthcare backend maintainers' };
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (_controllerKey, methodKey) => methodKey,
    extraModels: [ProblemDto],
  });
  completeDocument(document, settings);
  return unwrapLoneAllOf(document) as OpenAPIObject;
}

/** `{allOf: [X]}` with nothing beside it is just X (Nest wraps every enum reference so). */
function unwrapLoneAllOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapLoneAllOf);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  if (entries.length === 1 && entries[0][0] === 'allOf' && Array.isArray(entries[0][1]) && entries[0][1].length === 1) {
    return unwrapLoneAllOf(entries[0][1][0]);
  }
  return Object.fromEntries(entries.map(([key, item]) => [key, unwrapLoneAllOf(item)]));
}

/** The completion every operation gets: security, common problems, headers, examples, aliases. */
function completeDocument(document: OpenAPIObject, settings: DocumentSettings): void {
  const components = (document.components ??= {});
  const schemas = (components.schemas ??= {});
  schemas.Problem = schemas.ProblemDto;
  delete schemas.ProblemDto;
  for (const schema of Object.values(schemas)) recordMetadataLast(schema);
  components.headers = { ...HEADERS };
  // Shared by every operation: the example is of the commonest one, a list's or a create's path.
  components.responses = Object.fromEntries(
    Object.entries(COMMON_PROBLEMS).map(([name, { status, description, headers }]) => [
      name,
      problemResponse(description, exampleProblem(status, `/${API_PREFIX}/patients/`), headers),
    ]),
  );

  nameAliases(document);
  const missingExamples = new Set<string>();
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of operationsOf(item)) {
      const marked = operation as OperationObject & Record<string, unknown>;
      const isPublic = OPENAPI_PUBLIC in marked;
      const beforeMfa = OPENAPI_BEFORE_MFA in marked;
      const sendsETag = OPENAPI_ETAG in marked;
      const location = marked[OPENAPI_LOCATION] as string | undefined;
      delete marked[OPENAPI_PUBLIC];
      delete marked[OPENAPI_BEFORE_MFA];
      delete marked[OPENAPI_ETAG];
      delete marked[OPENAPI_LOCATION];
      if (isPublic) operation.security = [];
      documentPageSize(operation, settings.pageSize);

      const responses = operation.responses as Record<string, ResponseObject | ReferenceObject>;
      for (const [status, response] of Object.entries(responses)) {
        if ('$ref' in response) continue;
        if (Number(status) >= 400) {
          const headers = { ...STATUS_HEADERS[status], ...response.headers };
          responses[status] = problemResponse(
            response.description || DEFAULT_DESCRIPTIONS[status] || STATUS_CODES[status] || status,
            exampleProblem(status, examplePath(path), operation.tags?.[0]),
            headers,
          );
        } else {
          response.description ||= STATUS_CODES[status] ?? status;
          response.headers = { ...response.headers, 'X-Request-Id': { $ref: '#/components/headers/X-Request-Id' } };
          if (sendsETag && response.content) response.headers.ETag = { $ref: '#/components/headers/ETag' };
          if (location && status === '201') response.headers.Location = locationHeader(location);
        }
      }
      if (path.startsWith(`/${API_PREFIX}/`)) {
        const inputs = (operation.parameters ?? []).some(
          (parameter: ParameterObject | ReferenceObject) => 'in' in parameter && ['path', 'query'].includes(parameter.in),
        );
        const common: string[] = [];
        if (inputs || operation.requestBody) common.push('BadRequest');
        if (!isPublic) common.push('Unauthorized');
        if (!isPublic && !beforeMfa) common.push('MfaRequired');
        if (operation.requestBody) common.push('PayloadTooLarge', 'UnsupportedMediaType');
        common.push('TooManyRequests', 'InternalServerError', 'ServiceUnavailable');
        for (const name of common) {
          responses[COMMON_PROBLEMS[name].status] ??= { $ref: `#/components/responses/${name}` };
        }
      }
      if (operation.requestBody) {
        addBodyExample(operation.requestBody as RequestBodyObject, schemas, `${method} ${path}`, missingExamples);
        addFormMediaTypes(operation.requestBody as RequestBodyObject, schemas);
      }
    }
  }
  if (missingExamples.size > 0) {
    throw new Error(
      `OpenAPI: required request fields without an example (add one to their @ApiProperty): ${[...missingExamples].join(', ')}`,
    );
  }
}

/**
 * A record's metadata (who created it, when, its version) after its own fields, as the mappers send
 * it: Nest lists a DTO's inherited properties first, and the response serializers send a record's
 * fields in the order of the document as built (the served one sorts them anyway).
 */
function recordMetadataLast(schema: SchemaObject | ReferenceObject): void {
  if ('$ref' in schema || !schema.properties) return;
  const properties = schema.properties;
  if (!RECORD_METADATA_FIELDS.every((name) => name in properties)) return;
  const metadata = new Set<string>(RECORD_METADATA_FIELDS);
  const own = Object.entries(properties).filter(([name]) => !metadata.has(name));
  schema.properties = Object.fromEntries([...own, ...RECORD_METADATA_FIELDS.map((name) => [name, properties[name]] as const)]);
}

/** `page_size` as this service applies it: the DTO can only carry the defaults of the settings. */
function documentPageSize(operation: OperationObject, pageSize: DocumentSettings['pageSize']): void {
  for (const parameter of operation.parameters ?? []) {
    if (
      'in' in parameter &&
      parameter.in === 'query' &&
      parameter.name === 'page_size' &&
      parameter.schema &&
      !('$ref' in parameter.schema)
    ) {
      Object.assign(parameter.schema, { default: pageSize.default, maximum: pageSize.max });
    }
  }
}

function problemResponse(
  description: string,
  example: Record<string, unknown>,
  headers: Record<string, HeaderObject | ReferenceObject> = {},
): ResponseObject {
  return {
    description,
    headers: { ...headers, 'X-Request-Id': { $ref: '#/components/headers/X-Request-Id' } },
    content: { [PROBLEM_TYPE]: { schema: PROBLEM_REF, example } },
  };
}

/** The `Location` of a `@CreatedLocation()` operation's 201: its own template, so documented inline. */
function locationHeader(template: string): HeaderObject {
  return {
    required: true,
    description: `The URL of the created record: \`${template}\`, the response body's field in braces filled in.`,
    schema: { type: 'string', format: 'uri-reference', example: examplePath(template.replace(/\/$/, '')) },
  };
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

function operationsOf(item: OpenAPIObject['paths'][string]): [string, OperationObject][] {
  return METHODS.flatMap((method) => (item[method] ? [[method, item[method]] as [string, OperationObject]] : []));
}

/**
 * A route with several paths (`@Post(['auth/register', 'auth'])`) reaches the operationId
 * factory as `register[0]`, `register[1]`: the first path keeps the method name, the others are
 * aliases kept for older clients, named after their path and marked deprecated.
 */
function nameAliases(document: OpenAPIObject): void {
  const ALIAS = /^(\w+)\[(\d+)\]$/;
  const canonical = new Map<string, string>();
  const all = Object.entries(document.paths).flatMap(([path, item]) =>
    operationsOf(item).map(([method, operation]) => ({ path, method, operation, match: ALIAS.exec(operation.operationId ?? '') })),
  );
  for (const { path, method, operation, match } of all) {
    if (match?.[2] !== '0') continue;
    operation.operationId = match[1];
    canonical.set(match[1], `${method.toUpperCase()} ${path}`);
  }
  for (const { path, operation, match } of all) {
    if (!match || match[2] === '0') continue;
    const words = path
      .split('/')
      .filter((segment) => segment && segment !== API_PREFIX && !segment.startsWith('{'))
      .map((segment) => segment.replace(/(^|[-_])(\w)/g, (_all, _sep, letter: string) => letter.toUpperCase()));
    operation.operationId = `${match[1]}Via${words.join('')}`;
    operation.deprecated = true;
    const alias = `Alias of \`${canonical.get(match[1])}\`, kept for the clients of the Django projects this service replaces.`;
    operation.description = operation.description ? `${alias}\n\n${operation.description}` : alias;
  }
}

type Schemas = Record<string, SchemaObject | ReferenceObject>;

/**
 * A request body example assembled from the examples of its schema's properties: every required
 * property must have one (recorded in `missing` otherwise); optional ones appear when they have one.
 */
function addBodyExample(body: RequestBodyObject, schemas: Schemas, where: string, missing: Set<string>): void {
  const media = body.content['application/json'];
  if (!media?.schema || media.example !== undefined || media.examples !== undefined) return;
  media.example = exampleOf(media.schema, schemas, where, missing);
}

/** `schema`, or what it refers to. */
function resolved(schema: SchemaObject | ReferenceObject, schemas: Schemas): SchemaObject {
  if ('$ref' in schema) return resolved(schemas[schema.$ref.replace('#/components/schemas/', '')], schemas);
  return schema.allOf?.length === 1 ? resolved(schema.allOf[0], schemas) : schema;
}

/**
 * Form media types beside JSON for a body whose every field is a plain value or a list of them:
 * form keys are flat, so a body with nested objects (a schedule's entries) can only be JSON.
 */
function addFormMediaTypes(body: RequestBodyObject, schemas: Schemas): void {
  const json = body.content['application/json'];
  if (!json?.schema) return;
  const plain = (schema: SchemaObject) => schema.type !== 'object' && schema.type !== 'array' && !schema.properties;
  const flat = Object.values(resolved(json.schema, schemas).properties ?? {}).every((property) => {
    const field = resolved(property, schemas);
    return field.type === 'array' && field.items ? plain(resolved(field.items, schemas)) : plain(field);
  });
  if (flat) for (const type of FORM_CONTENT_TYPES) body.content[type] ??= { schema: json.schema };
}

function exampleOf(schema: SchemaObject | ReferenceObject, schemas: Schemas, where: string, missing: Set<string>): unknown {
  if ('$ref' in schema) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    return exampleOf(schemas[name], schemas, name, missing);
  }
  if (schema.example !== undefined) return schema.example;
  if (schema.allOf?.length === 1) return exampleOf(schema.allOf[0], schemas, where, missing);
  if (schema.type === 'array' && schema.items) return [exampleOf(schema.items, schemas, where, missing)];
  if (schema.properties) {
    const example: Record<string, unknown> = {};
    for (const [name, property] of Object.entries(schema.properties)) {
      const required = schema.required?.includes(name) ?? false;
      const value = required || hasExample(property) ? exampleOf(property, schemas, `${where}.${name}`, missing) : undefined;
      if (value !== undefined) example[name] = value;
    }
    return example;
  }
  if (schema.enum?.length) return schema.enum[0];
  missing.add(where);
  return undefined;
}

function hasExample(schema: SchemaObject | ReferenceObject): boolean {
  return !('$ref' in schema) && schema.example !== undefined;
}

/** JSON with every object's keys sorted, so the committed document diffs only where the API changed. */
export function serializeOpenApiDocument(document: OpenAPIObject): string {
  return `${JSON.stringify(sortKeys(document), null, 2)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
  );
}

/**
 * Swagger UI at /swagger, ReDoc at /redoc; the document at /swagger.json, /swagger.yaml and Nest's
 * usual /swagger-json; at / an index of them and of the health probes. Returns the document as
 * built, once (properties in declaration order, where the served one sorts every key).
 */
export function setUpOpenApi(app: INestApplication, settings: DocumentSettings): () => OpenAPIObject {
  let built: OpenAPIObject | undefined;
  const build = () => (built ??= buildOpenApiDocument(app, settings));
  let document: OpenAPIObject | undefined;
  const getDocument = () => (document ??= JSON.parse(serializeOpenApiDocument(build())) as OpenAPIObject);
  SwaggerModule.setup('swagger', app, getDocument, {
    jsonDocumentUrl: 'swagger.json',
    yamlDocumentUrl: 'swagger.yaml',
    customSiteTitle: 'Healthcare backend API',
    // No validator badge: it would be an image from another site, which the docs pages' CSP blocks.
    swaggerOptions: { persistAuthorization: true, displayOperationId: true, validatorUrl: null },
  });
  const http = app.getHttpAdapter();
  http.get('/swagger-json', (_request: unknown, reply: unknown) => {
    http.reply(reply, getDocument(), 200);
  });
  setUpRedoc(app, '/swagger.json');
  // What a newcomer opening the server's address finds: where everything is. Like the pages above,
  // a plain route outside Nest's guards: public, and not throttled (a constant answer costs less
  // than counting it).
  const index = {
    name: 'Healthcare backend API',
    version,
    api: `/${API_PREFIX}/`,
    docs: { swagger_ui: '/swagger', redoc: '/redoc', openapi_json: '/swagger.json', openapi_yaml: '/swagger.yaml' },
    health: { live: '/health/live', ready: '/health/ready' },
  };
  http.get('/', (_request: unknown, reply: unknown) => {
    http.reply(reply, index, 200);
  });
  return build;
}
