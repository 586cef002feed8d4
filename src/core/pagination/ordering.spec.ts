import { describe, expect, it } from 'vitest';
import { likePattern, orderingChoices, parseOrdering } from './ordering';

describe('orderingChoices', () => {
  it('offers each field ascending and descending', () => {
    expect(orderingChoices(['id', 'name'])).toEqual(['id', '-id', 'name', '-name']);
  });
});

describe('parseOrdering', () => {
  it('reads a leading "-" as descending', () => {
    expect(parseOrdering('-name')).toEqual({ field: 'name', direction: 'DESC' });
    expect(parseOrdering('name')).toEqual({ field: 'name', direction: 'ASC' });
  });
});

describe('likePattern', () => {
  it('wraps the term to match anywhere', () => {
    expect(likePattern('jane')).toBe('%jane%');
  });

  it("escapes '%', '_' and the escape character itself", () => {
    expect(likePattern('50%')).toBe('%50\\%%');
    expect(likePattern('a_b')).toBe('%a\\_b%');
    expect(likePattern('c:\\dir')).toBe('%c:\\\\dir%');
    expect(likePattern('%_%')).toBe('%\\%\\_\\%%');
  });
});
