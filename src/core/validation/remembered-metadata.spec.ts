import { IsInt, IsString, MaxLength, registerDecorator, validate, type ValidationOptions } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { rememberValidationMetadata } from './remembered-metadata';

class Base {
  @IsString()
  name!: string;
}

class Child extends Base {
  @IsInt()
  age!: number;
}

const make = <T extends object>(type: new () => T, fields: Record<string, unknown>): T => Object.assign(new type(), fields);
const failed = async (object: object) =>
  (await validate(object, { whitelist: true, forbidNonWhitelisted: true })).map((error) => [
    error.property,
    Object.keys(error.constraints ?? {}),
  ]);

/** A rule added after the first validations, as a decorator applied at run time would. */
function Uppercase(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isUppercase',
      target: target.constructor,
      propertyName,
      options,
      validator: { validate: (v: unknown) => typeof v === 'string' && v === v.toUpperCase() },
    });
}

describe('rememberValidationMetadata', () => {
  it('validates as class-validator does, inherited rules and unknown fields included, again and again', async () => {
    const before = [await failed(make(Child, { name: 1, age: 'x', extra: true })), await failed(make(Base, { name: 'ok' }))];
    rememberValidationMetadata();
    rememberValidationMetadata();
    for (let round = 0; round < 3; round++) {
      expect([await failed(make(Child, { name: 1, age: 'x', extra: true })), await failed(make(Base, { name: 'ok' }))]).toEqual(before);
    }
    expect(before[0]).toEqual([
      ['extra', ['whitelistValidation']],
      ['age', ['isInt']],
      ['name', ['isString']],
    ]);
    expect(before[1]).toEqual([]);
  });

  it('forgets what it remembered when a rule is added later, to the class or to an ancestor', async () => {
    rememberValidationMetadata();
    expect(await failed(make(Child, { name: 'lower', age: 3 }))).toEqual([]);
    Uppercase()(Child.prototype, 'age');
    MaxLength(3)(Base.prototype, 'name');
    expect((await failed(make(Child, { name: 'lower', age: 3 }))).sort()).toEqual([
      ['age', ['isUppercase']],
      ['name', ['maxLength']],
    ]);
  });
});
