import { BadRequestException } from '@nestjs/common';
import { Busboy } from '@fastify/busboy';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * Form bodies, as the Django REST Framework clients this service replaces send them: Python's
 * `requests.post(url, data=…)` sends `application/x-www-form-urlencoded`, DRF's test client and
 * HTML forms with a file input `multipart/form-data`. Both become a flat object of strings (an
 * array of them for a repeated key); the validation pipe coerces them per field (body-fields.ts).
 */
export const FORM_CONTENT_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data'] as const;

/** Far more fields than any body has (the largest DTO has a dozen), few enough to cost nothing. */
export const MAX_FORM_FIELDS = 100;

/** Bytes of a field name; ours are at most 25. */
export const MAX_FORM_KEY_LENGTH = 100;

/** Headers of one multipart part: Content-Disposition, Content-Type, Content-Transfer-Encoding. */
const MAX_PART_HEADERS = 10;

/** Keys that would reach an object's prototype somewhere downstream: refused as in JSON bodies. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** The bodies that came from a form, for the validation pipe: only they are coerced. */
const formBodies = new WeakSet<object>();

/** Whether `body` was parsed from a form, its values all strings. */
export const isFormBody = (body: unknown): body is Record<string, string | string[]> =>
  typeof body === 'object' && body !== null && formBodies.has(body);

const refuse = (detail: string) => new BadRequestException(detail);

/**
 * Parses a form `body` (already read whole, within the body limit) into a flat object: the keys
 * as sent (`a[b]` is just a field name, which validation then refuses as unknown), one string per
 * key, or an array of strings for a key given more than once. A file part, too many fields, too
 * long a field name or a prototype key is a 400, as is a malformed multipart body. The object is
 * marked as a form's (isFormBody).
 */
export function parseFormBody(contentType: string, body: Buffer): Promise<Record<string, string | string[]>> {
  return new Promise((resolve, reject) => {
    const values = new Map<string, string[]>();
    let problem: string | undefined;
    let settled = false;
    let parts = 0;
    const fail = (detail: string) => (problem ??= detail);
    const settle = () => {
      if (settled) return;
      settled = true;
      if (problem !== undefined) {
        reject(refuse(problem));
        return;
      }
      const parsed = Object.fromEntries([...values].map(([name, all]) => [name, all.length === 1 ? all[0] : all]));
      formBodies.add(parsed);
      resolve(parsed);
    };
    let parser;
    try {
      parser = Busboy({
        headers: { 'content-type': contentType },
        limits: {
          fieldNameSize: MAX_FORM_KEY_LENGTH,
          fieldSize: body.length,
          // One over, counted below: busboy's urlencoded parser stops at its limit without a word.
          fields: MAX_FORM_FIELDS + 1,
          parts: MAX_FORM_FIELDS + 1,
          headerPairs: MAX_PART_HEADERS,
        },
      });
    } catch {
      // No boundary, or a parameter busboy cannot read.
      reject(refuse('The multipart body has no valid boundary in its content type.'));
      return;
    }
    const tooMany = () => ++parts > MAX_FORM_FIELDS && fail(`The request body has more than ${MAX_FORM_FIELDS} fields.`);
    parser.on('field', (name, value, nameTruncated) => {
      if (tooMany()) return;
      // Busboy truncates a long urlencoded name, and takes a multipart one whole.
      if (nameTruncated || Buffer.byteLength(name) > MAX_FORM_KEY_LENGTH)
        fail(`The request body has a field name longer than ${MAX_FORM_KEY_LENGTH} bytes.`);
      else if (FORBIDDEN_KEYS.has(name)) fail(`The request body may not have a field named ${name}.`);
      else if (values.has(name)) values.get(name)?.push(value);
      else values.set(name, [value]);
    });
    parser.on('file', (_name, stream) => {
      stream.resume();
      if (!tooMany()) fail('The request body has a file part; the service takes no uploads.');
    });
    // A malformed body (a part cut short, no closing boundary) may end with an error and no finish.
    parser.on('error', () => {
      fail('The multipart body is malformed.');
      settle();
    });
    parser.on('finish', settle);
    parser.end(body);
  });
}

/**
 * Registers the form parsers. Fastify reads the body whole first (`parseAs: 'buffer'`), so the
 * body limit applies exactly as to JSON: 413 before anything is parsed. An empty body is no body,
 * as with JSON (a `DELETE` that names a content type).
 */
export function acceptFormBodies(fastify: FastifyInstance): void {
  fastify.addContentTypeParser([...FORM_CONTENT_TYPES], { parseAs: 'buffer' }, (request: FastifyRequest, body, done) => {
    if ((body as Buffer).length === 0) {
      done(null, undefined);
      return;
    }
    parseFormBody(String(request.headers['content-type']), body as Buffer).then(
      (parsed) => done(null, parsed),
      (error: Error) => done(error, undefined),
    );
  });
}
