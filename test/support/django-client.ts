import type { Response } from 'supertest';
import type { TestApp } from './test-app';

/**
 * A client of the Django projects this service replaces, for test/django-clients.e2e-spec.ts: it
 * sends one dict of fields the way their clients do, as JSON, as Python's `requests.post(url,
 * data=…)` (form-urlencoded) or as DRF's `APITestCase` (multipart, its default format).
 */
export type Encoding = 'json' | 'form' | 'multipart';
export const ENCODINGS: readonly Encoding[] = ['json', 'form', 'multipart'];

export type Dict = Record<string, unknown>;

/** Django's test client always uses this boundary. */
const BOUNDARY = 'BoUnDaRyStRiNg';

/** A value as Python's `str()` writes it into a form: `True`/`False` for booleans. */
function formValue(key: string, value: unknown): string {
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number' || typeof value === 'string') return String(value);
  throw new Error(`a form cannot carry ${key}=${JSON.stringify(value)}: leave nested objects out of form bodies`);
}

/**
 * The key/value pairs of a form: a list is one pair per item (repeated keys), and `None` is left
 * out (`requests` drops it; Django's test client refuses it, so its callers leave it out).
 */
function formPairs(data: Dict): [string, string][] {
  const pairs: [string, string][] = [];
  for (const [key, value] of Object.entries(data)) {
    if (value === null || value === undefined) continue;
    for (const item of Array.isArray(value) ? (value as unknown[]) : [value]) pairs.push([key, formValue(key, item)]);
  }
  return pairs;
}

/** `data` as a body in `encoding`: its content type and bytes. */
export function encodeBody(data: Dict, encoding: Encoding): { contentType: string; payload: string } {
  switch (encoding) {
    case 'json':
      return { contentType: 'application/json', payload: JSON.stringify(data) };
    case 'form':
      // URLSearchParams writes a space as `+`, as Python's urlencode does.
      return { contentType: 'application/x-www-form-urlencoded', payload: new URLSearchParams(formPairs(data)).toString() };
    case 'multipart': {
      const lines: string[] = [];
      for (const [key, value] of formPairs(data)) {
        lines.push(`--${BOUNDARY}`, `Content-Disposition: form-data; name="${key}"`, '', value);
      }
      lines.push(`--${BOUNDARY}--`, '');
      return { contentType: `multipart/form-data; boundary=${BOUNDARY}`, payload: lines.join('\r\n') };
    }
  }
}

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Requests of one Django-era client: its body encoding and, after `credentials`, its Bearer token. */
export class DjangoClient {
  private access?: string;

  constructor(
    private readonly t: TestApp,
    readonly encoding: Encoding,
  ) {}

  /** As `APITestCase.client.credentials(HTTP_AUTHORIZATION=f'Bearer {token}')`. */
  credentials(access: string): this {
    this.access = access;
    return this;
  }

  get(path: string): Promise<Response> {
    return this.send('get', path);
  }

  post(path: string, data: Dict): Promise<Response> {
    return this.send('post', path, data);
  }

  put(path: string, data: Dict): Promise<Response> {
    return this.send('put', path, data);
  }

  patch(path: string, data: Dict): Promise<Response> {
    return this.send('patch', path, data);
  }

  /** Without a body and without a content type, as `requests.delete` and Django's test client send it. */
  delete(path: string): Promise<Response> {
    return this.send('delete', path);
  }

  private async send(method: Method, path: string, data?: Dict): Promise<Response> {
    let req = this.t.http()[method](path);
    if (this.access) req = req.set('Authorization', `Bearer ${this.access}`);
    if (data !== undefined) {
      const { contentType, payload } = encodeBody(data, this.encoding);
      req = req.set('Content-Type', contentType).send(payload);
    }
    return req;
  }
}
