import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The contract test: every response the e2e suites receive is checked against the committed
 * openapi.json, the document integrators get (built by `nest build` with the Swagger CLI plugin;
 * the document served inside Vitest lacks what the plugin adds). A status the operation does not
 * document, a missing required header, a content type or a body that breaks its schema is a
 * violation, and the test app's close() fails the file with the list.
 *
 * In scope: every route under /api and the health probes, i.e. every route the document covers.
 * Out of scope, because the document does not describe them: requests that match no route
 * (Nest's not-found 404, including wrong methods), the documentation routes themselves
 * (/swagger*, /redoc*) and CORS preflights.
 */

const DOCUMENT_FILE = join(__dirname, '..', '..', 'openapi.json');

type Json = Record<string, unknown>;
interface Reference {
  $ref: string;
}
interface Header {
  required?: boolean;
  schema?: Json;
}
interface Response {
  headers?: Record<string, Header | Reference>;
  content?: Record<string, { schema?: Json }>;
}
interface Operation {
  operationId: string;
  responses: Record<string, Response | Reference>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Json>; responses?: Record<string, Response>; headers?: Record<string, Header> };
}

/** One response as the server sent it. */
export interface ObservedResponse {
  method: string;
  /** The route Fastify matched, e.g. `/api/patients/:id`; undefined when none matched. */
  route: string | undefined;
  url: string;
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
}

let shared: { document: Document; ajv: Ajv; validators: Map<string, ValidateFunction> } | undefined;

function load() {
  if (shared) return shared;
  const document = JSON.parse(readFileSync(DOCUMENT_FILE, 'utf8')) as Document;
  const ajv = new Ajv({ strict: true, allErrors: true });
  addFormats(ajv);
  // `format: password` only tells UIs to mask the value.
  ajv.addFormat('password', true);
  ajv.addSchema({ $id: 'openapi.json', definitions: toJsonSchema(document.components.schemas) });
  shared = { document, ajv, validators: new Map() };
  return shared;
}

/**
 * OpenAPI 3.0 schema objects as JSON Schema (draft-07) for Ajv: `nullable` becomes a `null` type
 * (or enum member), `$ref`s point into the schema registered above, and annotations Ajv does not
 * know (`example`) are dropped. Objects that list their properties without saying anything about
 * others are closed (`additionalProperties: false`): a field the document does not declare is a
 * documentation gap, and this is where it shows.
 */
export function toJsonSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toJsonSchema);
  if (schema === null || typeof schema !== 'object') return schema;
  const source = schema as Json;
  const out: Json = {};
  for (const [key, value] of Object.entries(source)) {
    if (key === 'example' || key === 'nullable') continue;
    if (key === '$ref' && typeof value === 'string') {
      out.$ref = value.replace('#/components/schemas/', 'openapi.json#/definitions/');
    } else if (key === 'properties' || key === 'definitions') {
      out[key] = Object.fromEntries(Object.entries(value as Json).map(([name, property]) => [name, toJsonSchema(property)]));
    } else {
      out[key] = toJsonSchema(value);
    }
  }
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  if (source.nullable === true) {
    if (typeof out.type === 'string') {
      out.type = [out.type, 'null'];
      if (Array.isArray(out.enum)) out.enum = [...(out.enum as unknown[]), null];
    } else {
      return { anyOf: [out, { type: 'null' }] };
    }
  }
  return out;
}

const deref = <T>(document: Document, value: T | Reference): T => {
  if (value && typeof value === 'object' && '$ref' in value) {
    const [, , section, name] = value.$ref.split('/');
    return (document.components as unknown as Record<string, Record<string, T>>)[section][name];
  }
  return value;
};

/** `/api/patients/:id/` → `/api/patients/{id}` */
export const toTemplate = (route: string) => route.replace(/:(\w+)/g, '{$1}').replace(/(.)\/$/, '$1');

export const inScope = (route: string | undefined): route is string =>
  route !== undefined && (route.startsWith('/api/') || route.startsWith('/health/'));

export class ContractRecorder {
  validated = 0;
  readonly violations: string[] = [];

  /** Checks one response; returns its violations (also kept for report()). */
  check(observed: ObservedResponse): string[] {
    if (!inScope(observed.route)) return [];
    const { document, ajv, validators } = load();
    const path = toTemplate(observed.route);
    // A HEAD request is answered by the GET route, without a body.
    const method = observed.method.toLowerCase() === 'head' ? 'get' : observed.method.toLowerCase();
    const where = `${observed.method} ${observed.url} → ${observed.status}`;
    const problems: string[] = [];
    const operation = document.paths[path]?.[method];
    this.validated++;
    if (!operation) {
      problems.push(`${where}: ${method.toUpperCase()} ${path} is not in openapi.json`);
    } else {
      const declared = operation.responses[String(observed.status)];
      if (!declared) {
        problems.push(`${where}: status ${observed.status} is not documented for ${operation.operationId}`);
      } else {
        const response = deref(document, declared);
        problems.push(...this.checkHeaders(document, response, observed).map((text) => `${where} (${operation.operationId}): ${text}`));
        const bodyProblem = observed.method.toLowerCase() === 'head' ? undefined : this.checkBody(ajv, validators, response, observed);
        if (bodyProblem) problems.push(`${where} (${operation.operationId}): ${bodyProblem}`);
      }
    }
    this.violations.push(...problems);
    return problems;
  }

  private checkHeaders(document: Document, response: Response, observed: ObservedResponse): string[] {
    const problems: string[] = [];
    for (const [name, declared] of Object.entries(response.headers ?? {})) {
      const header = deref(document, declared);
      const value = observed.headers[name.toLowerCase()];
      if (value === undefined) {
        if (header.required) problems.push(`required header ${name} is missing`);
        continue;
      }
      const text = String(value);
      const schema = header.schema ?? {};
      if (schema.type === 'integer' && !/^\d+$/.test(text)) problems.push(`header ${name}: ${text} is not an integer`);
      if (Array.isArray(schema.enum) && !schema.enum.includes(text))
        problems.push(`header ${name}: ${text} is not one of ${schema.enum.join(', ')}`);
    }
    return problems;
  }

  private checkBody(
    ajv: Ajv,
    validators: Map<string, ValidateFunction>,
    response: Response,
    observed: ObservedResponse,
  ): string | undefined {
    const contentType = String(observed.headers['content-type'] ?? '')
      .split(';')[0]
      .trim();
    const hasBody = observed.body.length > 0;
    if (!response.content) return hasBody ? `a body (${contentType || 'no content type'}) where none is documented` : undefined;
    if (!hasBody) return 'no body, but the document promises one';
    const media = response.content[contentType];
    if (!media) return `content type ${contentType} is not documented (only ${Object.keys(response.content).join(', ')})`;
    if (!media.schema) return undefined;
    let body: unknown;
    try {
      body = JSON.parse(observed.body);
    } catch {
      return `the ${contentType} body is not JSON`;
    }
    const key = JSON.stringify(media.schema);
    let validate = validators.get(key);
    if (!validate) {
      validate = ajv.compile(toJsonSchema(media.schema) as object);
      validators.set(key, validate);
    }
    if (validate(body)) return undefined;
    const errors = (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''}${paramsOf(error.params)}`);
    return `body breaks the schema: ${errors.join('; ')} — body: ${observed.body.slice(0, 300)}`;
  }

  /** With CONTRACT_STATS_FILE set, appends the counts of responses checked and of violations, for a summary of a run. */
  recordStats(): void {
    if (process.env.CONTRACT_STATS_FILE) appendFileSync(process.env.CONTRACT_STATS_FILE, `${this.validated} ${this.violations.length}\n`);
  }

  /** Throws with every violation. */
  report(): void {
    if (this.violations.length === 0) return;
    throw new Error(
      `${this.violations.length} response(s) break openapi.json (fix the document's decorators, then npm run openapi):\n` +
        this.violations.map((violation) => `  - ${violation}`).join('\n'),
    );
  }
}

function paramsOf(params: Record<string, unknown>): string {
  const extra = params.additionalProperty ?? params.allowedValues;
  return extra === undefined ? '' : ` (${JSON.stringify(extra)})`;
}
