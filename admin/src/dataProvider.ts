import { HttpError, type DataProvider, type GetListParams, type Identifier, type RaRecord } from 'react-admin';
import { api, ApiError } from './api';

/** The API's collections, by react-admin resource name. */
const PATHS: Record<string, string> = {
  patients: '/api/patients/',
  doctors: '/api/doctors/',
  assignments: '/api/mappings/',
  appointments: '/api/appointments/',
  clinics: '/api/clinics/',
  accounts: '/api/users/',
  'audit-events': '/api/audit-events/',
};

/** Lists the API orders itself (appointments by start, the others by id or time): they take no `ordering`, and one is a 400. */
const UNORDERED = new Set(['assignments', 'appointments', 'clinics', 'audit-events']);
const sortOf = (resource: string, sort: GetListParams['sort'] | undefined) => (UNORDERED.has(resource) ? undefined : sort);

const collection = (resource: string) => {
  const path = PATHS[resource];
  if (!path) throw new Error(`Unknown resource ${resource}`);
  return path;
};
const item = (resource: string, id: Identifier) => `${collection(resource)}${encodeURIComponent(String(id))}/`;

/** The page, its size, the ordering (`-` for descending) and the filters as the API's query. */
export function listQuery({ pagination, sort, filter }: Pick<GetListParams, 'pagination' | 'sort' | 'filter'>): string {
  const query = new URLSearchParams();
  if (pagination) {
    query.set('page', String(pagination.page));
    query.set('page_size', String(pagination.perPage));
  }
  if (sort?.field) query.set('ordering', `${sort.order === 'DESC' ? '-' : ''}${sort.field}`);
  for (const [name, value] of Object.entries((filter ?? {}) as Record<string, unknown>)) {
    if (value === undefined || value === null || value === '') continue;
    // react-admin's full-text filter is `q`; the API's is `search`.
    query.set(name === 'q' ? 'search' : name, typeof value === 'string' ? value : JSON.stringify(value));
  }
  return query.toString();
}

/**
 * An API error as react-admin reads it: the problem's detail as the message, a 412 as the
 * message saying someone else changed the record, and `errors` ({field: [messages]}) as
 * `body.errors`, which the forms show on their fields.
 */
export function toHttpError(error: unknown): unknown {
  if (!(error instanceof ApiError)) return error;
  if (error.status === 412) return new HttpError('hc.errors.stale_version', 412, error.problem);
  const fields = error.problem.errors;
  const body = fields
    ? { ...error.problem, errors: Object.fromEntries(Object.entries(fields).map(([field, messages]) => [field, messages.join(' ')])) }
    : error.problem;
  return new HttpError(error.message, error.status, body);
}

/** The largest page the API serves. */
const MAX_PAGE_SIZE = 100;

/**
 * Every record of a collection, page after page: for the short lists whose route has no search
 * or filters (a clinic's members), which the page then filters itself.
 */
async function everyRecord(path: string): Promise<RaRecord[]> {
  const records: RaRecord[] = [];
  for (let page = 1; ; page++) {
    const { body, headers } = await call<RaRecord[]>(`${path}?page=${page}&page_size=${MAX_PAGE_SIZE}`);
    records.push(...body);
    if (body.length < MAX_PAGE_SIZE || records.length >= Number(headers.get('X-Total-Count') ?? 0)) return records;
  }
}

async function call<T>(path: string, init?: RequestInit) {
  try {
    return await api<T>(path, init);
  } catch (error) {
    throw toHttpError(error);
  }
}

/** Only what the form changed: the API ignores read-only fields, but a PATCH says what changes. */
function changes(data: Record<string, unknown>, previous: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!previous) return data;
  return Object.fromEntries(Object.entries(data).filter(([key, value]) => JSON.stringify(value) !== JSON.stringify(previous[key])));
}

export const dataProvider: DataProvider = {
  async getList(resource, params) {
    // `meta.path`: a nested collection (a clinic's members or audit events); `meta.all`: every page.
    const meta = params.meta as { path?: string; all?: boolean } | undefined;
    const path = meta?.path ?? collection(resource);
    if (meta?.all) {
      const records = await everyRecord(path);
      return { data: records, total: records.length } as never;
    }
    const { body, headers } = await call<RaRecord[]>(`${path}?${listQuery({ ...params, sort: sortOf(resource, params.sort) })}`);
    return { data: body, total: Number(headers.get('X-Total-Count') ?? body.length) } as never;
  },
  async getOne(resource, { id }) {
    return { data: (await call<RaRecord>(item(resource, id))).body } as never;
  },
  async getMany(resource, { ids }) {
    const records = await Promise.all(ids.map(async (id) => (await call<RaRecord>(item(resource, id))).body));
    return { data: records } as never;
  },
  async getManyReference(resource, { target, id, ...params }) {
    const query = listQuery({
      ...params,
      sort: sortOf(resource, params.sort),
      filter: { ...(params.filter as Record<string, unknown>), [target]: id },
    });
    const { body, headers } = await call<RaRecord[]>(`${collection(resource)}?${query}`);
    return { data: body, total: Number(headers.get('X-Total-Count') ?? body.length) } as never;
  },
  async create(resource, { data }) {
    const { body } = await call<RaRecord>(collection(resource), { method: 'POST', body: JSON.stringify(data) });
    return { data: body } as never;
  },
  async update(resource, { id, data, previousData }) {
    const previous = previousData as Record<string, unknown> | undefined;
    // The version the form was opened with: the API answers 412 if the record changed since.
    const version = previous?.version;
    const headers: Record<string, string> = typeof version === 'number' ? { 'If-Match': `"${version}"` } : {};
    const { body } = await call<RaRecord>(item(resource, id as Identifier), {
      method: 'PATCH',
      headers,
      body: JSON.stringify(changes(data as Record<string, unknown>, previous)),
    });
    return { data: body } as never;
  },
  async updateMany(resource, { ids, data }) {
    await Promise.all(ids.map((id) => call(item(resource, id), { method: 'PATCH', body: JSON.stringify(data) })));
    return { data: ids };
  },
  async delete(resource, { id, previousData }) {
    await call(item(resource, id), { method: 'DELETE' });
    return { data: previousData ?? { id } } as never;
  },
  async deleteMany(resource, { ids }) {
    await Promise.all(ids.map((id) => call(item(resource, id), { method: 'DELETE' })));
    return { data: ids };
  },
};
