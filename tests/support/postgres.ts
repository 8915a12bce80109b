import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PostgresStore, type PostgresStoreOptions } from '../../src/store/postgres/index.ts';

/**
 * The PostgreSQL the tests run against, one fresh schema per test. CI starts the server; a test
 * file that needs it fails (never skips) when it is down, saying how to start it.
 */
export const TEST_DATABASE_URL =
  process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

export const START_POSTGRES =
  'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start';

/** The test URL as it may be printed: any password replaced. */
function printableUrl(): string {
  try {
    const url = new URL(TEST_DATABASE_URL);
    if (url.password) url.password = '***';
    url.searchParams.delete('password');
    return url.toString();
  } catch {
    return 'TEST_DATABASE_URL (not a valid URL)';
  }
}

/** Fails, with what to do, when the test PostgreSQL is down. Call at the top of a test file. */
export async function requirePostgres(): Promise<void> {
  const client = new pg.Client({
    connectionString: TEST_DATABASE_URL,
    connectionTimeoutMillis: 5000,
  });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `PostgreSQL is not reachable at ${printableUrl()} (${reason}). These tests need it: start it with\n  ${START_POSTGRES}\nor point TEST_DATABASE_URL at one.`,
    );
  } finally {
    await client.end().catch(() => {});
  }
}

const created: string[] = [];

/**
 * A new schema name, remembered for dropFreshSchemas. Nothing is created: PostgresStore.open
 * creates it, or use freshPostgresSchema when something else needs it to exist.
 */
export function freshSchemaName(): string {
  const schema = `lzo_t_${randomBytes(6).toString('hex')}`;
  created.push(schema);
  return schema;
}

/** A URL whose connections use `schema` (search_path), for code that only takes DATABASE_URL. */
export function urlWithSchema(schema: string): string {
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

/**
 * An existing, empty schema and a URL that selects it: for child processes and `openStore`, which
 * open the store from DATABASE_URL alone (PostgresStore.open then migrates it).
 */
export async function freshPostgresSchema(): Promise<{ schema: string; url: string }> {
  const schema = freshSchemaName();
  await withClient(null, (client) => client.query(`CREATE SCHEMA "${schema}"`));
  return { schema, url: urlWithSchema(schema) };
}

/** An empty, migrated store in a schema of its own. Close it; dropFreshSchemas removes the schema. */
export async function freshPostgresStore(
  options: Omit<PostgresStoreOptions, 'schema'> = {},
): Promise<{ store: PostgresStore; schema: string }> {
  const schema = freshSchemaName();
  const store = await PostgresStore.open(TEST_DATABASE_URL, { ...options, schema });
  return { store, schema };
}

/** Runs `work` on a plain connection (search_path = `schema` when given), outside any store. */
export async function withClient<T>(
  schema: string | null,
  work: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({
    connectionString: TEST_DATABASE_URL,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Drops every schema made by this process so far; run it after each test (afterEach). */
export async function dropFreshSchemas(): Promise<void> {
  const schemas = created.splice(0);
  if (schemas.length === 0) return;
  await withClient(null, async (client) => {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  });
}
