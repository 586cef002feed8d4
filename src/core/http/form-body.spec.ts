import { describe, expect, it } from 'vitest';
import { isFormBody, MAX_FORM_FIELDS, parseFormBody } from './form-body';

const URLENCODED = 'application/x-www-form-urlencoded';
const MULTIPART = 'multipart/form-data; boundary=b0undary';

const multipart = (...parts: string[]) => Buffer.from(`${parts.map((part) => `--b0undary\r\n${part}\r\n`).join('')}--b0undary--\r\n`);
const field = (name: string, value: string) => `Content-Disposition: form-data; name="${name}"\r\n\r\n${value}`;

const refusal = (contentType: string, body: Buffer) =>
  parseFormBody(contentType, body).then(
    () => 'parsed',
    (error: Error) => error.message,
  );

describe('parseFormBody', () => {
  it('reads urlencoded fields as strings, a repeated key as a list, and marks the body as a form', async () => {
    const body = await parseFormBody(URLENCODED, Buffer.from('name=Jane+Doe&age=45&tag=a&tag=b&empty=&bare&mark=%E2%9C%93'));
    expect(body).toEqual({ name: 'Jane Doe', age: '45', tag: ['a', 'b'], empty: '', bare: '', mark: '✓' });
    expect(isFormBody(body)).toBe(true);
    expect(isFormBody({ name: 'Jane Doe' })).toBe(false);
  });

  it('reads multipart fields alike', async () => {
    const body = await parseFormBody(MULTIPART, multipart(field('name', 'Jane'), field('tag', 'a'), field('tag', 'b')));
    expect(body).toEqual({ name: 'Jane', tag: ['a', 'b'] });
    expect(isFormBody(body)).toBe(true);
  });

  it('keeps keys flat: brackets are part of the name', async () => {
    expect(await parseFormBody(URLENCODED, Buffer.from('a[b]=1&a.c=2&toString=3'))).toEqual({ 'a[b]': '1', 'a.c': '2', toString: '3' });
  });

  it.each(['__proto__', 'constructor', 'prototype'])('refuses a %s key in either encoding', async (key) => {
    expect(await refusal(URLENCODED, Buffer.from(`${key}=x&name=y`))).toBe(`The request body may not have a field named ${key}.`);
    expect(await refusal(MULTIPART, multipart(field(key, 'x')))).toBe(`The request body may not have a field named ${key}.`);
    expect(Object.prototype).not.toHaveProperty('x');
  });

  it('refuses more fields than the limit, and takes as many as it', async () => {
    const fields = (n: number) => Array.from({ length: n }, (_, i) => `k${i}=1`).join('&');
    expect(Object.keys(await parseFormBody(URLENCODED, Buffer.from(fields(MAX_FORM_FIELDS))))).toHaveLength(MAX_FORM_FIELDS);
    expect(await refusal(URLENCODED, Buffer.from(fields(MAX_FORM_FIELDS + 1)))).toBe('The request body has more than 100 fields.');
    expect(await refusal(URLENCODED, Buffer.from(fields(10_000)))).toBe('The request body has more than 100 fields.');
    const parts = Array.from({ length: MAX_FORM_FIELDS + 1 }, (_, i) => field(`k${i}`, '1'));
    expect(await refusal(MULTIPART, multipart(...parts))).toBe('The request body has more than 100 fields.');
  });

  it('refuses a field name over 100 bytes in either encoding', async () => {
    const long = 'k'.repeat(101);
    expect(await parseFormBody(URLENCODED, Buffer.from(`${'k'.repeat(100)}=1`))).toEqual({ ['k'.repeat(100)]: '1' });
    expect(await refusal(URLENCODED, Buffer.from(`${long}=1`))).toBe('The request body has a field name longer than 100 bytes.');
    expect(await refusal(MULTIPART, multipart(field(long, '1')))).toBe('The request body has a field name longer than 100 bytes.');
  });

  it('refuses a file part, and a part that says it holds bytes', async () => {
    const file = 'Content-Disposition: form-data; name="photo"; filename="a.gif"\r\nContent-Type: image/gif\r\n\r\nGIF89a';
    const bytes = 'Content-Disposition: form-data; name="blob"\r\nContent-Type: application/octet-stream\r\n\r\n\u0000\u0001';
    for (const part of [file, bytes]) {
      expect(await refusal(MULTIPART, multipart(field('name', 'x'), part))).toBe(
        'The request body has a file part; the service takes no uploads.',
      );
    }
  });

  it('refuses a malformed multipart body', async () => {
    expect(await refusal('multipart/form-data', multipart(field('name', 'x')))).toBe(
      'The multipart body has no valid boundary in its content type.',
    );
    expect(await refusal(MULTIPART, multipart(field('name', 'x')).subarray(0, 40))).toBe('The multipart body is malformed.');
    expect(await refusal(MULTIPART, Buffer.from('name=x'))).toBe('The multipart body is malformed.');
    expect(await refusal(MULTIPART, Buffer.alloc(0))).toBe('The multipart body is malformed.');
  });

  it('reads an empty urlencoded body as no fields', async () => {
    expect(await parseFormBody(URLENCODED, Buffer.alloc(0))).toEqual({});
  });
});
