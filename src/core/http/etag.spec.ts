import { describe, expect, it } from 'vitest';
import { StaleVersionError } from '../errors';
import { assertIfMatch, etagOf } from './etag';

describe('etagOf', () => {
  it('quotes the version as a strong entity tag', () => {
    expect(etagOf(3)).toBe('"3"');
  });
});

describe('assertIfMatch', () => {
  it('lets a write without If-Match through', () => {
    expect(() => assertIfMatch(undefined, 3)).not.toThrow();
  });

  it('lets "*" through', () => {
    expect(() => assertIfMatch('*', 3)).not.toThrow();
    expect(() => assertIfMatch(' * ', 3)).not.toThrow();
  });

  it('accepts the current version', () => {
    expect(() => assertIfMatch('"3"', 3)).not.toThrow();
  });

  it('accepts a list that contains the current version', () => {
    expect(() => assertIfMatch('"1", "3"', 3)).not.toThrow();
    expect(() => assertIfMatch('"1","2" ,"3"', 3)).not.toThrow();
  });

  it('throws 412 for an older version', () => {
    expect(() => assertIfMatch('"2"', 3)).toThrow(StaleVersionError);
    expect(() => assertIfMatch('"1", "2"', 3)).toThrow(StaleVersionError);
  });

  it('throws 412 for an unquoted, empty or unrelated tag', () => {
    for (const header of ['3', '""', '', '"30"', '"3x"']) {
      expect(() => assertIfMatch(header, 3), header).toThrow(StaleVersionError);
    }
  });
});
