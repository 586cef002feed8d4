import { describe, expect, it } from 'vitest';
import { InvalidFieldError } from '../errors';
import { nameFromParts, splitName } from './name-parts';

describe('splitName', () => {
  it.each([
    ['Jane Doe', 'Jane', 'Doe'],
    ['Asha Rao Kumar', 'Asha', 'Rao Kumar'],
    ['Cher', 'Cher', ''],
    ['Jane  Doe', 'Jane', 'Doe'],
  ])('splits %j at its first space', (name, first, last) => {
    expect(splitName(name)).toEqual({ first_name: first, last_name: last });
  });
});

describe('nameFromParts', () => {
  it('leaves a body without parts as it is', () => {
    expect(nameFromParts({ name: 'Jane Doe' })).toBe('Jane Doe');
    expect(nameFromParts({}, 'Jane Doe')).toBeUndefined();
  });

  it('joins the parts of a create, either of them alone too', () => {
    expect(nameFromParts({ first_name: 'Jane', last_name: 'Doe' })).toBe('Jane Doe');
    expect(nameFromParts({ first_name: 'Jane' })).toBe('Jane');
    expect(nameFromParts({ last_name: 'Doe' })).toBe('Doe');
  });

  it('takes name and parts of a create that agree, and refuses them when not', () => {
    expect(nameFromParts({ name: 'Jane Doe', first_name: 'Jane', last_name: 'Doe' })).toBe('Jane Doe');
    expect(() => nameFromParts({ name: 'Jane Doe', first_name: 'John' })).toThrow(InvalidFieldError);
  });

  it('on an update, takes whichever of name and parts differs from the stored name', () => {
    expect(nameFromParts({ name: 'Jane Doe', first_name: 'John', last_name: 'Doe' }, 'Jane Doe')).toBe('John Doe');
    expect(nameFromParts({ name: 'Jane Smith', first_name: 'Jane', last_name: 'Doe' }, 'Jane Doe')).toBe('Jane Smith');
    expect(nameFromParts({ name: 'Jane Doe', first_name: 'Jane', last_name: 'Doe' }, 'Jane Doe')).toBe('Jane Doe');
  });

  it('on an update, replaces only the part sent', () => {
    expect(nameFromParts({ last_name: 'Smith' }, 'Jane Doe')).toBe('Jane Smith');
    expect(nameFromParts({ first_name: 'Mary' }, 'Jane Ann Doe')).toBe('Mary Ann Doe');
    expect(nameFromParts({ last_name: '' }, 'Jane Doe')).toBe('Jane');
  });

  it('refuses name and parts changed differently, naming all that were sent', () => {
    try {
      nameFromParts({ name: 'Mary Doe', first_name: 'Ann' }, 'Jane Doe');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidFieldError);
      expect(Object.keys((error as InvalidFieldError).errors ?? {})).toEqual(['name', 'first_name']);
    }
  });

  it('refuses parts that join to nothing or to more than 200 characters', () => {
    expect(() => nameFromParts({ first_name: '', last_name: '' })).toThrow(InvalidFieldError);
    expect(() => nameFromParts({ first_name: 'a'.repeat(100) }, `b ${'c'.repeat(150)}`)).toThrow(InvalidFieldError);
  });
});
