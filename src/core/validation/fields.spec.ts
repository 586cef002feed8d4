import { plainToInstance } from 'class-transformer';
import { IsOptional, IsString, Length, validateSync } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { EnumField, IdFilter, IntField, StringField } from './fields';

class Fields {
  @StringField({ min: 2, max: 4, trim: true })
  name!: string;

  @StringField({ max: 3, nullable: true })
  note?: string | null;

  @IntField({ min: 0, max: 9, optional: true })
  count?: number;

  @EnumField(['male', 'female'], { optional: true, normalize: (value) => (typeof value === 'string' ? value.toLowerCase() : value) })
  gender?: string;
}

class Filters {
  @IdFilter('Doctor id.')
  doctor?: number;
}

/** The same rule written decorator by decorator, as the DTOs did before StringField. */
class ByHand {
  @IsOptional()
  @IsString()
  @Length(2, 4)
  name?: string;
}

class ByField {
  @StringField({ min: 2, max: 4, optional: true })
  name?: string;
}

const problems = <T extends object>(type: new () => T, plain: object) =>
  Object.fromEntries(validateSync(plainToInstance(type, plain)).map((error) => [error.property, Object.values(error.constraints ?? {})]));

/** Where ApiProperty keeps a property's options (@nestjs/swagger's DECORATORS.API_MODEL_PROPERTIES, not exported). */
const API_MODEL_PROPERTIES = 'swagger/apiModelProperties';

const documented = (type: new () => unknown, property: string) =>
  Reflect.getMetadata(API_MODEL_PROPERTIES, type.prototype as object, property) as Record<string, unknown>;

describe('field decorators', () => {
  it('document the bounds they validate', () => {
    expect(documented(Fields, 'name')).toMatchObject({ type: String, minLength: 2, maxLength: 4 });
    expect(problems(Fields, { name: 'a' })).toHaveProperty('name');
    expect(problems(Fields, { name: 'abcde' })).toHaveProperty('name');
    expect(problems(Fields, { name: ' abcd ' })).toEqual({}); // trimmed before the length is checked

    expect(documented(Fields, 'count')).toMatchObject({ type: 'integer', minimum: 0, maximum: 9, required: false });
    expect(problems(Fields, { name: 'ab', count: 10 })).toEqual({ count: ['count must not be greater than 9'] });
  });

  it('let a nullable field be null or left out, and say so', () => {
    expect(documented(Fields, 'note')).toMatchObject({ nullable: true, required: false, maxLength: 3 });
    expect(problems(Fields, { name: 'ab', note: null })).toEqual({});
    expect(problems(Fields, { name: 'ab', note: 'abcd' })).toEqual({ note: ['note must be shorter than or equal to 3 characters'] });
    expect(documented(Fields, 'name')).not.toHaveProperty('required');
    expect(problems(Fields, {})).toHaveProperty('name');
  });

  it('report messages in the order the same decorators written by hand did', () => {
    expect(problems(ByField, { name: 5 })).toEqual(problems(ByHand, { name: 5 }));
    expect(problems(ByField, { name: 5 }).name).toHaveLength(2);
  });

  it('normalize an enum value before checking it', () => {
    expect(documented(Fields, 'gender')).toMatchObject({ enum: ['male', 'female'], required: false });
    expect(problems(Fields, { name: 'ab', gender: 'FEMALE' })).toEqual({});
    expect(problems(Fields, { name: 'ab', gender: 'x' })).toHaveProperty('gender');
  });

  it('read an id filter from query text as a number, within the id range', () => {
    expect(plainToInstance(Filters, { doctor: '7' }).doctor).toBe(7);
    expect(problems(Filters, { doctor: '0' })).toHaveProperty('doctor');
    expect(problems(Filters, { doctor: '2147483648' })).toHaveProperty('doctor');
    expect(problems(Filters, {})).toEqual({});
  });
});
