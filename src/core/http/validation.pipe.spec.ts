import type { ArgumentMetadata } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Min, ValidateBy } from 'class-validator';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IdField, StringField } from '../validation/fields';
import { parseFormBody } from './form-body';
import { createValidationPipe, RememberValidation } from './validation.pipe';

/** How often class-validator ran the counted check: once per validation of a query that has `tag`. */
let checks = 0;
const Counted = () => ValidateBy({ name: 'counted', validator: { validate: () => (checks++, true) } });

@RememberValidation()
class ProbeQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  page?: number;

  @IsOptional()
  @Counted()
  tag?: string;

  @IsOptional()
  @IsString({ each: true })
  tags?: string[];

  get double(): number {
    return (this.page ?? 0) * 2;
  }
}

/** The same query class without the opt-in. */
class PlainProbeQuery {
  @IsOptional()
  @Counted()
  tag?: string;
}

const asQuery: ArgumentMetadata = { type: 'query', metatype: ProbeQuery };
const asBody: ArgumentMetadata = { type: 'body', metatype: ProbeQuery };

describe('the validation pipe with queries', () => {
  let pipe: ReturnType<typeof createValidationPipe>;
  beforeEach(() => {
    pipe = createValidationPipe();
    checks = 0;
  });
  afterEach(() => vi.useRealTimers());

  it('validates a query string once and hands each request its own copy', async () => {
    const first = (await pipe.transform({ page: '2', tag: 'a' }, asQuery)) as ProbeQuery;
    const second = (await pipe.transform({ page: '2', tag: 'a' }, asQuery)) as ProbeQuery;
    expect(checks).toBe(1);
    expect(second).toBeInstanceOf(ProbeQuery);
    expect(second).not.toBe(first);
    expect({ ...second }).toEqual({ page: 2, tag: 'a' });
    expect(second.double).toBe(4);
    first.page = 99;
    expect(((await pipe.transform({ page: '2', tag: 'a' }, asQuery)) as ProbeQuery).page).toBe(2);
  });

  it('tells different query strings apart', async () => {
    const two = (await pipe.transform({ page: '2', tag: 'a' }, asQuery)) as ProbeQuery;
    const three = (await pipe.transform({ page: '3', tag: 'a' }, asQuery)) as ProbeQuery;
    expect([two.page, three.page]).toEqual([2, 3]);
    expect(checks).toBe(2);
  });

  it('refuses an invalid query every time, remembering nothing of it', async () => {
    await expect(pipe.transform({ page: '0', tag: 'a' }, asQuery)).rejects.toMatchObject({ status: 400 });
    await expect(pipe.transform({ page: '0', tag: 'a' }, asQuery)).rejects.toMatchObject({ status: 400 });
    expect(checks).toBe(2);
  });

  it('does not remember a query with a field that is an object, which a copy would share', async () => {
    const first = (await pipe.transform({ tag: 'a', tags: ['x', 'y'] }, asQuery)) as ProbeQuery;
    first.tags?.push('z');
    const second = (await pipe.transform({ tag: 'a', tags: ['x', 'y'] }, asQuery)) as ProbeQuery;
    expect(second.tags).toEqual(['x', 'y']);
    expect(checks).toBe(2);
  });

  it('validates a remembered query again after a minute', async () => {
    vi.useFakeTimers();
    await pipe.transform({ tag: 'a' }, asQuery);
    vi.advanceTimersByTime(59_000);
    await pipe.transform({ tag: 'a' }, asQuery);
    expect(checks).toBe(1);
    vi.advanceTimersByTime(2_000);
    await pipe.transform({ tag: 'a' }, asQuery);
    expect(checks).toBe(2);
  });

  it('validates bodies every time', async () => {
    await pipe.transform({ tag: 'a' }, asBody);
    await pipe.transform({ tag: 'a' }, asBody);
    expect(checks).toBe(2);
  });

  it('validates every time a query class that did not opt in', async () => {
    const plain: ArgumentMetadata = { type: 'query', metatype: PlainProbeQuery };
    await pipe.transform({ tag: 'a' }, plain);
    await pipe.transform({ tag: 'a' }, plain);
    expect(checks).toBe(2);
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
