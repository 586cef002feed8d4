import type request from 'supertest';
import { expect } from 'vitest';

/** Helpers for suites that walk every operation of the OpenAPI document the running app serves. */

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
export type Schema = Record<string, unknown>;

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
}

export interface Operation {
  method: Method;
  /** The path template, e.g. `/api/patients/{id}`. */
  path: string;
  operationId?: string;
  /** No security requirement: open to anonymous callers. */
  public: boolean;
  pathParams: string[];
  queryParams: Parameter[];
  /** The JSON request body's schema, references resolved at the top level. */
  body?: Schema;
}

export interface LiveSpec {
  document: Record<string, unknown>;
  operations: Operation[];
  /** A schema with its `$ref` (and single-`allOf` wrapper) resolved. */
  resolve: (schema: Schema | undefined) => Schema;
}

const METHODS: Method[] = ['get', 'post', 'put', 'patch', 'delete'];

/** The document at /swagger.json of the running app (not the committed openapi.json) and its operations. */
export async function liveSpec(http: () => request.Agent): Promise<LiveSpec> {
  const res = await http().get('/swagger.json');
  expect(res.status).toBe(200);
  const document = res.body as Record<string, unknown>;
  const components = ((document.components as Record<string, unknown> | undefined)?.schemas ?? {}) as Record<string, Schema>;
  const resolve = (schema: Schema | undefined): Schema => {
    let current = schema ?? {};
    for (let i = 0; i < 10; i++) {
      if (typeof current.$ref === 'string') {
        current = {
          ...components[current.$ref.split('/').pop()!],
          ...Object.fromEntries(Object.entries(current).filter(([k]) => k !== '$ref')),
        };
      } else if (Array.isArray(current.allOf) && current.allOf.length === 1) {
        const { allOf, ...rest } = current;
        current = { ...(allOf[0] as Schema), ...rest };
      } else {
        break;
      }
    }
    return current;
  };
  const globalSecurity = document.security as unknown[] | undefined;
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths as Record<string, Record<string, unknown>>)) {
    const shared = (item.parameters ?? []) as Parameter[];
    for (const method of METHODS) {
      const operation = item[method] as Record<string, unknown> | undefined;
      if (!operation) continue;
      const parameters = [...shared, ...((operation.parameters ?? []) as Parameter[])];
      const security = (operation.security ?? globalSecurity ?? []) as Record<string, unknown>[];
      const content = ((operation.requestBody as Record<string, unknown> | undefined)?.content ?? {}) as Record<
        string,
        { schema?: Schema }
      >;
      const jsonBody = content['application/json']?.schema;
      operations.push({
        method,
        path,
        operationId: operation.operationId as string | undefined,
        public: security.length === 0 || security.some((requirement) => Object.keys(requirement).length === 0),
        pathParams: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        queryParams: parameters.filter((p) => p.in === 'query'),
        body: jsonBody ? resolve(jsonBody) : undefined,
      });
    }
  }
  expect(operations.length).toBeGreaterThan(20);
  return { document, operations, resolve };
}

/**
 * `template` with its `{name}` placeholders replaced (values inserted as given: encode them
 * yourself) and one trailing slash, as the Django clients write paths (the API takes both).
 */
export function fillPath(template: string, values: Record<string, string | number> = {}): string {
  const path = template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    if (!(name in values)) throw new Error(`no value for {${name}} in ${template}`);
    return String(values[name]);
  });
  return path.replace(/\/*$/, '/');
}
