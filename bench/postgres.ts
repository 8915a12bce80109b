import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { BenchError } from './replica.ts';

/** A fresh schema per storm, so runs never see each other's incidents, groups or jobs. */

export type BenchSchema = {
  schema: string;
  /** DATABASE_URL for the replicas: the server URL with search_path set to the schema. */
  url: string;
  drop(): Promise<void>;
};

/** The URL as it may be printed: any password replaced. */
export function printableUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(not a valid URL)';
  }
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (error) {
    throw new BenchError(
      `PostgreSQL is not reachable at ${printableUrl(url)} (${error instanceof Error ? error.message : String(error)}). Start it, point --database-url at one, or pass --skip-postgres.`,
    );
  }
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => {});
  }
}

export async function createSchema(serverUrl: string): Promise<BenchSchema> {
  const schema = `lzo_bench_${randomBytes(6).toString('hex')}`;
  await withClient(serverUrl, (client) => client.query(`CREATE SCHEMA "${schema}"`));
  const separator = serverUrl.includes('?') ? '&' : '?';
  return {
    schema,
    url: `${serverUrl}${separator}options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    drop: async () => {
      await withClient(serverUrl, (client) =>
        client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`),
      );
    },
  };
}
