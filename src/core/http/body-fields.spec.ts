import { ApiProperty, PartialType } from '@nestjs/swagger';
import { IsArray, IsBoolean, IsInt, IsOptional } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { IdField, IntField, StringField } from '../validation/fields';
import { bodyFieldsOf, coerceFormBody, inheritedKeys, withoutServerOwned } from './body-fields';

class ProbeDto {
  @StringField({ min: 1, max: 50 })
  name!: string;

  @IntField({ min: 0, max: 150, nullable: true })
  age?: number | null;

  @IdField()
  doctor!: number;

  @IntField({ min: 0, max: 9, optional: true })
  rating?: number;

  // No type in the decorator: the TypeScript one, as Swagger takes it.
  @ApiProperty({ required: false })
  @IsOptional()
  @IsBoolean()
  active?: boolean;

  @ApiProperty({ type: [Number], required: false })
  @IsOptional()
  @IsArray()
  @IsInt({ each: true })
  weekdays?: number[];

  @ApiProperty({ required: false, type: 'number' })
  @IsOptional()
  weight?: number;
}

/** As the Swagger CLI plugin leaves a field's metadata in a `nest build`: the type behind a function. */
class PluginProbeDto {
  @ApiProperty({ required: false, type: () => Boolean })
  @IsOptional()
  @IsBoolean()
  active?: boolean;

  @ApiProperty({ required: false, type: () => [Number] })
  @IsOptional()
  @IsArray()
  weekdays?: number[];

  @ApiProperty({ required: false, type: () => String })
  @IsOptional()
  note?: string;
}

class PartialProbeDto extends PartialType(ProbeDto, { skipNullProperties: false }) {}

class OwnerInputDto {
  @IdField()
  owner!: number;

  @StringField({ max: 10 })
  name!: string;
}

describe('bodyFieldsOf', () => {
  it('reads each field from the OpenAPI metadata of the body class, a partial one included', () => {
    const fields = bodyFieldsOf(ProbeDto);
    expect(Object.fromEntries(fields)).toEqual({
      name: { kind: 'other', array: false, required: true, nullable: false },
      age: { kind: 'integer', array: false, required: false, nullable: true },
      doctor: { kind: 'integer', array: false, required: true, nullable: false },
      rating: { kind: 'integer', array: false, required: false, nullable: false },
      active: { kind: 'boolean', array: false, required: false, nullable: false },
      weekdays: { kind: 'number', array: true, required: false, nullable: false },
      weight: { kind: 'number', array: false, required: false, nullable: false },
    });
    expect(bodyFieldsOf(PartialProbeDto).get('doctor')).toEqual({ kind: 'integer', array: false, required: false, nullable: false });
    expect(bodyFieldsOf(ProbeDto)).toBe(fields);
  });
});

describe('bodyFieldsOf with the Swagger CLI plugin', () => {
  it('reads a type given as a function, as the plugin writes it', () => {
    expect(Object.fromEntries(bodyFieldsOf(PluginProbeDto))).toEqual({
      active: { kind: 'boolean', array: false, required: false, nullable: false },
      weekdays: { kind: 'number', array: true, required: false, nullable: false },
      note: { kind: 'other', array: false, required: false, nullable: false },
    });
    expect(coerceFormBody({ active: 'off', weekdays: '4' }, PluginProbeDto)).toEqual({ active: false, weekdays: [4] });
  });
});

describe('coerceFormBody', () => {
  it('takes numbers and booleans as Django REST Framework reads them from a form', () => {
    expect(coerceFormBody({ doctor: '7', age: ' 45 ', rating: '3.0', weight: '72.5', active: 'on', name: '12' }, ProbeDto)).toEqual({
      doctor: 7,
      age: 45,
      rating: 3,
      weight: 72.5,
      active: true,
      name: '12',
    });
    for (const yes of ['true', 'True', 'TRUE', 't', 'yes', 'y', 'on', '1'])
      expect(coerceFormBody({ active: yes }, ProbeDto)).toEqual({ active: true });
    for (const no of ['false', 'False', 'f', 'no', 'n', 'off', 'OFF', '0'])
      expect(coerceFormBody({ active: no }, ProbeDto)).toEqual({ active: false });
  });

  it('leaves what is not a number or boolean as the string, for validation to refuse', () => {
    expect(coerceFormBody({ doctor: '4.5', age: '1e3', rating: '0x1', active: 'maybe', weight: 'heavy' }, ProbeDto)).toEqual({
      doctor: '4.5',
      age: '1e3',
      rating: '0x1',
      active: 'maybe',
      weight: 'heavy',
    });
  });

  it('reads "" as null for an optional nullable field, as absent for another optional one, and keeps it for a required one', () => {
    expect(coerceFormBody({ age: '', rating: '', active: '', name: '', doctor: '' }, ProbeDto)).toEqual({
      age: null,
      name: '',
      doctor: '',
    });
    // PATCH: every field is optional, so "" leaves a non-nullable one unchanged.
    expect(coerceFormBody({ name: '', age: '' }, PartialProbeDto)).toEqual({ age: null });
  });

  it('makes a lone value of a list field a list of one, and coerces every item', () => {
    expect(coerceFormBody({ weekdays: '3' }, ProbeDto)).toEqual({ weekdays: [3] });
    expect(coerceFormBody({ weekdays: ['1', '2', 'x'] }, ProbeDto)).toEqual({ weekdays: [1, 2, 'x'] });
  });

  it('keeps a repeated key of a single-valued field a list, and unknown keys as they are', () => {
    expect(coerceFormBody({ doctor: ['1', '2'], zzz: '1', 'a[b]': ['x', 'y'] }, ProbeDto)).toEqual({
      doctor: ['1', '2'],
      zzz: '1',
      'a[b]': ['x', 'y'],
    });
  });
});

describe('withoutServerOwned', () => {
  it('drops the fields the service owns, and nothing else', () => {
    const body = {
      name: 'x',
      id: 1,
      created_by: 2,
      created_at: 'then',
      updated_at: 'then',
      version: 3,
      owner: 4,
      doctor_details: {},
      patient_details: {},
      assigned_at: 'then',
      assigned_by: 5,
      assigned_by_username: 'someone',
      assigned_on: 'then',
      assigned_date: 'then',
      created_by_id: 6,
      role: 'admin',
      zzz: 1,
    };
    expect(withoutServerOwned(body, ProbeDto)).toEqual({ name: 'x', created_by_id: 6, role: 'admin', zzz: 1 });
  });

  it('keeps such a field where the body class declares it: then it is an input', () => {
    expect(withoutServerOwned({ owner: 4, name: 'x', id: 1 }, OwnerInputDto)).toEqual({ owner: 4, name: 'x' });
  });

  it('answers the body itself when there is nothing to drop', () => {
    const body = { name: 'x' };
    expect(withoutServerOwned(body, ProbeDto)).toBe(body);
  });
});

describe('inheritedKeys', () => {
  it("names the undeclared keys that are properties every object inherits, which class-validator's whitelist misses", () => {
    expect(inheritedKeys({ name: 'x', toString: 1, valueOf: 2, hasOwnProperty: 3, zzz: 4 }, ProbeDto)).toEqual([
      'toString',
      'valueOf',
      'hasOwnProperty',
    ]);
    expect(inheritedKeys({ name: 'x', doctor: 1 }, ProbeDto)).toEqual([]);
  });
});
