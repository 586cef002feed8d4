import type { ArgumentMetadata } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Min } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { IdField, StringField } from '../validation/fields';
import { parseFormBody } from './form-body';
import { createValidationPipe } from './validation.pipe';

class ProbeQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  page?: number;

  @IsOptional()
  @IsString({ each: true })
  tags?: string[];
}

const asQuery: ArgumentMetadata = { type: 'query', metatype: ProbeQuery };

describe('the validation pipe with queries', () => {
  const pipe = createValidationPipe();

  it('turns a query string into its class, each request its own', async () => {
    const first = (await pipe.transform({ page: '2', tags: ['x'] }, asQuery)) as ProbeQuery;
    const second = (await pipe.transform({ page: '2', tags: ['x'] }, asQuery)) as ProbeQuery;
    expect(second).toBeInstanceOf(ProbeQuery);
    expect({ ...second }).toEqual({ page: 2, tags: ['x'] });
    first.tags?.push('y');
    expect(second.tags).toEqual(['x']);
  });

  it('refuses an invalid query, naming the parameter', async () => {
    await expect(pipe.transform({ page: '0' }, asQuery)).rejects.toMatchObject({ status: 400 });
  });
});

class ProbeBody {
  @IdField()
  doctor!: number;

  @StringField({ max: 20, nullable: true })
  note?: string | null;
}

const asProbeBody: ArgumentMetadata = { type: 'body', metatype: ProbeBody };

describe('the validation pipe with bodies', () => {
  const pipe = createValidationPipe();

  it("coerces a form's strings before validating, and a JSON body's never", async () => {
    const form = await parseFormBody('application/x-www-form-urlencoded', Buffer.from('doctor=7&note='));
    expect({ ...((await pipe.transform(form, asProbeBody)) as ProbeBody) }).toEqual({ doctor: 7, note: null });
    await expect(pipe.transform({ doctor: '7' }, asProbeBody)).rejects.toMatchObject({ errors: { doctor: expect.any(Array) } });
  });

  it('drops server-owned fields from either, and still refuses unknown ones', async () => {
    const body = { doctor: 7, id: 1, version: 9, created_by: 2, doctor_details: { id: 1 } };
    expect({ ...((await pipe.transform(body, asProbeBody)) as ProbeBody) }).toEqual({ doctor: 7 });
    const form = await parseFormBody('application/x-www-form-urlencoded', Buffer.from('doctor=7&version=9&zzz=1'));
    await expect(pipe.transform(form, asProbeBody)).rejects.toMatchObject({ errors: { zzz: ['This field is not allowed.'] } });
  });
});
