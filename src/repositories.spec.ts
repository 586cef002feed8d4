import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = __dirname;

/** What only a repository may do: SQL text, a query builder, reads and writes through TypeORM. */
const DATA_ACCESS: [string, RegExp][] = [
  ['a query builder', /\bcreateQueryBuilder\b/],
  ['hand-written SQL (the sql tag)', /\bsql\s*`|\bsql\.\w+\(/],
  // Its type alone may pass through a service (a repository's fragment handed on), never a value from it.
  ['the sql module', /^import\s+(?!type\s)[^;]*from\s+['"][./]*core\/database\/sql['"]/m],
  ['a raw query', /\.query\s*[<(]/],
  ['selectOne', /\bselectOne\s*[<(]/],
  [
    'a statement through an EntityManager',
    /\bmanager\s*\.\s*(?:find\w*|save|update|insert|delete|remove|softDelete|softRemove|restore|upsert|increment|decrement|count\w*|exist\w*|sum|average|minimum|maximum|createQueryBuilder|getRepository|preload|clear)\s*\(/,
  ],
  ['a TypeORM Repository', /\bRepository\s*</],
  ['an injected TypeORM Repository', /@InjectRepository\b|@InjectEntityManager\b|\bgetRepository\s*\(/],
];

/** The text without comments, so that a comment may name what the code must not do. */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

/**
 * A DataSource in a service only opens transactions, or hands its manager on to a repository (a
 * read outside any transaction); anything else it does is data access.
 */
function dataSourceUses(text: string): string[] {
  const names = [...text.matchAll(/(\w+)\s*:\s*DataSource\b/g)].map((match) => match[1]);
  return names.flatMap((name) =>
    [...text.matchAll(new RegExp(`\\bthis\\.${name}\\.([\\w.]+)`, 'g'))]
      .map((match) => match[1])
      .filter((member) => !['transaction', 'manager.transaction', 'manager'].includes(member))
      .map((member) => `the DataSource's ${member}`),
  );
}

/** What in `text` (a service's source) is data access, by kind. */
function dataAccessIn(text: string): string[] {
  const source = code(text);
  const found = DATA_ACCESS.filter(([, pattern]) => pattern.test(source)).map(([kind]) => kind);
  return [...found, ...dataSourceUses(source)];
}

describe('services hold no data access: every statement is in <feature>/<feature>.repository.ts', () => {
  const services = readdirSync(SRC, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.service.ts'))
    .map((name) => name.split('\\').join('/'))
    .sort();

  it('finds every service file', () => {
    expect(services.length).toBeGreaterThanOrEqual(10);
    expect(services).toEqual(expect.arrayContaining(['patients/patients.service.ts', 'appointments/appointments.service.ts']));
  });

  it('no service contains SQL text, a query builder or TypeORM reads and writes', () => {
    const offences = services.flatMap((name) => dataAccessIn(readFileSync(join(SRC, name), 'utf8')).map((kind) => `${name}: ${kind}`));
    expect(offences).toEqual([]);
  });
});

describe('dataAccessIn', () => {
  it.each([
    ["const qb = this.events.createQueryBuilder('event');", 'a query builder'],
    ['return selectOne<AuthUser>(this.db, sql`SELECT 1`);', 'hand-written SQL (the sql tag)'],
    ["import { sql } from '../core/database/sql';", 'the sql module'],
    ['await this.db.query(text, values);', 'a raw query'],
    ['return selectOne<AuthUser>(db, fragment);', 'selectOne'],
    [
      "await manager.findOne(RefreshToken, { where: { id }, lock: { mode: 'pessimistic_write' } });",
      'a statement through an EntityManager',
    ],
    ['await manager.save(user);', 'a statement through an EntityManager'],
    ['await this.users.manager.update(User, id, changes);', 'a statement through an EntityManager'],
    ['await manager.delete(Assignment, { id });', 'a statement through an EntityManager'],
    ['await tx.manager.insert(RefreshToken, token);', 'a statement through an EntityManager'],
    ['constructor(private readonly users: Repository<User>) {}', 'a TypeORM Repository'],
    ['constructor(@InjectRepository(User) users: UsersRepository) {}', 'an injected TypeORM Repository'],
    ['const users = this.db.getRepository(User);', 'an injected TypeORM Repository'],
    [
      'constructor(private readonly db: DataSource) {}\n  f() { return this.db.manager.findOneBy(User, { id }); }',
      "the DataSource's manager.findOneBy",
    ],
  ])('flags %s', (text, kind) => {
    expect(dataAccessIn(text)).toContain(kind);
  });

  it('lets a service open a transaction, hand its manager to its repository and mention SQL in a comment', () => {
    const text = [
      '// Only to open transactions; no createQueryBuilder, no sql`...` here.',
      '/** Not manager.save(user): the repository writes. */',
      'constructor(private readonly users: UsersRepository, @InjectDataSource() private readonly db: DataSource) {}',
      'update(query: ListQuery) {',
      '  return this.db.transaction((manager) => this.users.save(manager, query.page_size));',
      '}',
      'read(id: number) {',
      '  return this.users.find(this.db.manager, id);',
      '}',
    ].join('\n');
    expect(dataAccessIn(text)).toEqual([]);
  });
});
