import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { OpenAPIObject, OperationObject, ReferenceObject, ResponseObject, SchemaObject } from '@nestjs/swagger';
import fastJson from 'fast-json-stringify';
import type { FastifyInstance, RouteOptions } from 'fastify';

/**
 * Every successful JSON response leaves through a serializer compiled (fast-json-stringify, as
 * Fastify does for a route's response schema) from the response schema the OpenAPI document gives
 * its operation: a field the document does not declare is never sent, whatever a service returns,
 * and the body costs less CPU than JSON.stringify.
 *
 * The serializers filter and never alter: a null is sent as null even where the document says the
 * field is not nullable (fast-json-stringify would send `""`, `0` or `{}`), and an absent field
 * stays absent even where the document says it is required (it would throw, a 500). Whether the
 * values match the document is the contract test's business (test/support/contract.ts).
 *
 * Problems (4xx, 5xx) are not covered: the one filter sends them already serialized, from the
 * fixed Problem shape, which no record's data reaches.
 */

const JSON_MEDIA_TYPE = 'application/json';
const SCHEMA_REF = '#/components/schemas/';
/** The formats fast-json-stringify serializes by themselves (a Date as its ISO text). */
const SERIALIZED_FORMATS = new Set(['date-time', 'date', 'time']);

type Schema = SchemaObject | ReferenceObject;
type Components = Record<string, Schema>;
/** A JSON Schema as fast-json-stringify reads it. */
type SerializerSchema = Record<string, unknown>;

/** One route's documented success responses, as compiled. */
export interface CompiledResponse {
  method: string;
  url: string;
  status: string;
}

const compiledOf = new WeakMap<FastifyInstance, CompiledResponse[]>();

/** The responses of `app` that have a compiled serializer: for the test that every JSON operation has one. */
export function compiledResponses(app: NestFastifyApplication): CompiledResponse[] {
  return compiledOf.get(app.getHttpAdapter().getInstance()) ?? [];
}

/**
 * Gives every route the document describes its documented success responses as Fastify response
 * schemas, compiled here. `document` is called once, when Nest registers the first route (app.init),
 * and must give the document with its properties in declaration order: the order they are sent in.
 */
export function serializeResponsesAsDocumented(app: NestFastifyApplication, document: () => OpenAPIObject): void {
  const fastify = app.getHttpAdapter().getInstance();
  const compiled: CompiledResponse[] = [];
  compiledOf.set(fastify, compiled);
  let serializers: DocumentSerializers | undefined;
  fastify.addHook('onRoute', (route: RouteOptions) => {
    const documented = (serializers ??= new DocumentSerializers(document()));
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      // Fastify answers HEAD with the GET route's handler, then drops the body.
      const responses = documented.forOperation(method === 'HEAD' ? 'get' : method.toLowerCase(), route.url);
      if (responses.length === 0) continue;
      const response: Record<string, unknown> = { ...(route.schema?.response as Record<string, unknown> | undefined) };
      for (const [status, schema] of responses) {
        response[status] = { content: { [JSON_MEDIA_TYPE]: { schema } } };
        compiled.push({ method, url: route.url, status });
      }
      route.schema = { ...route.schema, response };
      route.serializerCompiler = ({ schema }) => documented.compiled(schema as SerializerSchema);
    }
  });
}

class DocumentSerializers {
  private readonly components: Components;
  /** By schema text: the operations of one record share one serializer. */
  private readonly byText = new Map<string, { schema: SerializerSchema; serialize: (data: unknown) => string }>();
  private readonly bySchema = new Map<SerializerSchema, (data: unknown) => string>();

  constructor(private readonly document: OpenAPIObject) {
    this.components = document.components?.schemas ?? {};
  }

  /** `route` as Fastify spells it (`/api/patients/:id`): its documented JSON success responses, by status. */
  forOperation(method: string, route: string): [status: string, schema: SerializerSchema][] {
    const path = route.replace(/:(\w+)/g, '{$1}').replace(/(.)\/$/, '$1');
    const item = this.document.paths[path] as Record<string, OperationObject | undefined> | undefined;
    const responses: [string, SerializerSchema][] = [];
    const documented = Object.entries(item?.[method]?.responses ?? {}) as [string, ResponseObject | ReferenceObject][];
    for (const [status, response] of documented) {
      if (!/^2\d\d$/.test(status) || '$ref' in response) continue;
      const schema = response.content?.[JSON_MEDIA_TYPE]?.schema;
      if (schema) responses.push([status, this.shared(schema)]);
    }
    return responses;
  }

  compiled(schema: SerializerSchema): (data: unknown) => string {
    // The schema Fastify hands back is the one given, unless a copy of it.
    const serialize = this.bySchema.get(schema) ?? this.byText.get(JSON.stringify(schema))?.serialize;
    if (!serialize) throw new Error('response serializers: a response schema that was not prepared from the document');
    return serialize;
  }

  private shared(schema: Schema): SerializerSchema {
    const prepared = forSerializer(schema, this.components);
    const text = JSON.stringify(prepared);
    let entry = this.byText.get(text);
    if (!entry) {
      entry = { schema: prepared, serialize: fastJson(prepared) };
      this.byText.set(text, entry);
      this.bySchema.set(prepared, entry.serialize);
    }
    return entry.schema;
  }
}

/**
 * An OpenAPI 3.0 schema as the JSON Schema a serializer needs: `$ref`s to components inlined,
 * every value nullable, annotations and validation keywords dropped. `required` is kept only at
 * the top of the branches of a `oneOf`/`anyOf`, where it tells them apart (fast-json-stringify validates
 * each branch to choose one); elsewhere it would put required fields first and throw on a missing one.
 */
export function forSerializer(schema: Schema, components: Components, inBranch = false, refs: string[] = []): SerializerSchema {
  if ('$ref' in schema) {
    const name = schema.$ref.startsWith(SCHEMA_REF) ? schema.$ref.slice(SCHEMA_REF.length) : undefined;
    const target = name === undefined ? undefined : components[name];
    if (!target || name === undefined) throw new Error(`response serializers: cannot resolve ${schema.$ref}`);
    if (refs.includes(name)) throw new Error(`response serializers: ${[...refs, name].join(' → ')} is recursive`);
    return forSerializer(target, components, inBranch, [...refs, name]);
  }
  const nested = (inner: Schema, branch = false) => forSerializer(inner, components, branch, refs);
  // `{ allOf: [{ $ref }], readOnly, nullable }` is how Nest documents a nested DTO or enum.
  if (schema.allOf?.length === 1) return nested(schema.allOf[0], inBranch);
  const out: SerializerSchema = {};
  const type = schema.type ?? (schema.properties ? 'object' : schema.items ? 'array' : undefined);
  if (type !== undefined) {
    out.type = type;
    out.nullable = true;
  }
  if (schema.format !== undefined && SERIALIZED_FORMATS.has(schema.format)) out.format = schema.format;
  if (schema.properties) {
    out.properties = Object.fromEntries(Object.entries(schema.properties).map(([name, property]) => [name, nested(property)]));
  }
  if (schema.additionalProperties !== undefined) {
    out.additionalProperties =
      typeof schema.additionalProperties === 'boolean' ? schema.additionalProperties : nested(schema.additionalProperties);
  }
  if (schema.items) out.items = nested(schema.items);
  if (schema.allOf) out.allOf = schema.allOf.map((inner) => nested(inner, inBranch));
  if (schema.oneOf) out.oneOf = schema.oneOf.map((inner) => nested(inner, true));
  if (schema.anyOf) out.anyOf = schema.anyOf.map((inner) => nested(inner, true));
  if (inBranch && schema.required) out.required = schema.required;
  return out;
}
