import { BadRequestException } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';

/**
 * How deeply objects and arrays may nest in a JSON body. Ours nest three levels at most (a
 * schedule's entries); class-transformer and class-validator recurse once per level, and a body
 * of 1 MB nested 500,000 levels deep overflowed the stack after blocking the event loop.
 */
export const MAX_JSON_DEPTH = 32;

const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \
const OPEN_BRACE = 0x7b; // {
const CLOSE_BRACE = 0x7d; // }
const OPEN_BRACKET = 0x5b; // [
const CLOSE_BRACKET = 0x5d; // ]

/**
 * Whether objects and arrays in `text` nest deeper than `limit`: one pass over the text, without
 * recursion, that skips strings (and the escapes in them) and stops at the first level too deep.
 * Malformed text is no concern here: JSON.parse refuses it afterwards.
 */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > limit) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

/** A UTF-16 surrogate without its other half: text no encoding can carry (JSON can, as `"\ud800"`). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** A surrogate escape in JSON text: only a body with one can hold a lone surrogate. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/** Whether any string (key or value) in a parsed body holds a lone surrogate; bodies are depth-bounded, so recursion is safe. */
export function holdsLoneSurrogate(value: unknown): boolean {
  if (typeof value === 'string') return LONE_SURROGATE.test(value);
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(value).some(([key, item]) => LONE_SURROGATE.test(key) || holdsLoneSurrogate(item));
}

/**
 * Replaces Fastify's JSON body parser with one that first refuses bodies nested deeper than
 * `maxDepth` (400, before anything recurses over them), then parses as Fastify does: its own
 * parser, so the body limit, the malformed-JSON errors and the refusal of `__proto__` and
 * `constructor.prototype` keys (secure-json-parse) stay as they were; then refuses text that is
 * not valid Unicode (a lone surrogate escape). An empty body is no body
 * at all: many HTTP client wrappers send `Content-Type: application/json` on every request, a
 * `DELETE` included.
 */
export function refuseDeepJsonBodies(fastify: FastifyInstance, maxDepth = MAX_JSON_DEPTH): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body: string, done) => {
    if (body.length === 0) {
      done(null, undefined);
      return;
    }
    if (nestsDeeperThan(body, maxDepth)) {
      done(new BadRequestException(`The request body nests objects and arrays deeper than ${maxDepth} levels.`), undefined);
      return;
    }
    void parse(request, body, (error: Error | null, value?: unknown) => {
      // Validators choke on such text (validator's isEmail threw a URIError: a 500), and PostgreSQL could not store it.
      if (!error && SURROGATE_ESCAPE.test(body) && holdsLoneSurrogate(value)) {
        done(
          new BadRequestException('The request body holds text that is not valid Unicode (a lone surrogate such as "\\ud800").'),
          undefined,
        );
        return;
      }
      done(error, value);
    });
  });
}
