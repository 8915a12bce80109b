import pg from 'pg';
import { errorCode, OperatorError } from '../../domain/errors.ts';
import { POSTGRES_MIGRATIONS } from './migrations.ts';

/** Raised when PostgreSQL cannot be connected to; its message never holds the URL or password. */
export class PostgresConnectError extends OperatorError {
  constructor(message: string) {
    super('store_unreachable', message);
  }
}

export type PostgresStoreOptions = {
  /**
   * Created if missing and used as every connection's search_path (tests, shared databases).
   * An `options` parameter in the URL takes precedence over it (pg lets the URL win).
   */
  schema?: string;
  /** Connections this process may hold (pg's default is 10). */
  poolSize?: number;
  applicationName?: string;
  /** How long a query may go unanswered before it fails (default POSTGRES_LIMITS.queryTimeoutMs). */
  queryTimeoutMs?: number;
};

export const POSTGRES_LIMITS = {
  /**
   * A partitioned network drops packets without closing connections: without a bound, a query on
   * such a connection waits for the kernel to give up (about 15 minutes on Linux). Every query
   * the bot runs is short; one unanswered this long fails, and its connection is discarded.
   */
  queryTimeoutMs: 15_000,
  /** Migrations may wait for another replica's migration, or build an index on a large table. */
  migrationTimeoutMs: 10 * 60_000,
} as const;

/** pg honours a per-query `query_timeout`; its types only declare it for the connection. */
type TimedQuery = pg.QueryConfig & { query_timeout: number };
const migrationQuery = (text: string, values: unknown[] = []): TimedQuery => ({
  text,
  values,
  query_timeout: POSTGRES_LIMITS.migrationTimeoutMs,
});

export type Row = Record<string, unknown>;
export type Queryable = Pick<pg.PoolClient, 'query'>;

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
/** Socket-level failures that mean "nothing answered there", as opposed to a refusal by the server. */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'ENOENT',
]);

/** Node's happy-eyeballs connect reports every address tried in an AggregateError. */
function socketCode(error: unknown): string {
  return error instanceof AggregateError ? errorCode(error.errors[0]) : errorCode(error);
}

/** A connection failure in words, naming host and port only: the URL carries the password. */
function connectError(target: string, error: unknown): PostgresConnectError {
  const code = socketCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if (UNREACHABLE.has(code))
    return new PostgresConnectError(`cannot reach PostgreSQL at ${target} (${code})`);
  if (/timeout/i.test(message))
    return new PostgresConnectError(`cannot reach PostgreSQL at ${target} (timeout)`);
  // The server refused us (authentication, unknown database…): its message names no password.
  const known = code === 'unknown_error' ? '' : ` (${code})`;
  return new PostgresConnectError(
    `PostgreSQL at ${target} refused the connection: ${message}${known}`,
  );
}

/** Host and port the URL resolves to (PG* variables and defaults included), for messages. */
function targetOf(url: string): string {
  try {
    const probe = new pg.Client({ connectionString: url });
    return `${probe.host}:${probe.port}`;
  } catch {
    // pg's parser redacts the URL in its error; ours carries none, and no cause to leak it by.
    throw new PostgresConnectError('the PostgreSQL URL is not a valid postgres:// URL');
  }
}

/** Runs `work` in one transaction on one connection; an error rolls it back. */
async function inTransaction<T>(
  client: pg.PoolClient,
  work: (tx: Queryable) => Promise<T>,
): Promise<{ result: T } | { error: unknown; broken: Error | undefined }> {
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return { result };
  } catch (error) {
    try {
      await client.query('ROLLBACK');
      return { error, broken: undefined };
    } catch (rollbackError) {
      // A connection that cannot roll back is not returned to the pool.
      return {
        error,
        broken: rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError)),
      };
    }
  }
}

/** One pool shared by the aggregates of a PostgresStore. */
export class PostgresDatabase {
  private readonly pool: pg.Pool;
  private closing: Promise<void> | null = null;

  private constructor(pool: pg.Pool) {
    this.pool = pool;
  }

  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresDatabase> {
    const { schema } = options;
    if (schema !== undefined && !SCHEMA_NAME.test(schema))
      throw new Error(`store: schema name ${JSON.stringify(schema)} must match ${SCHEMA_NAME}`);
    const target = targetOf(url);
    const pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      application_name: options.applicationName ?? 'level-zero-operator',
      // pg waits forever by default; a blackholed host should fail the start, not hang it.
      connectionTimeoutMillis: 10_000,
      query_timeout: options.queryTimeoutMs ?? POSTGRES_LIMITS.queryTimeoutMs,
      // TCP keepalives find a dead peer on an idle connection before a query needs it.
      keepAlive: true,
      // A validated identifier, quoted so that reserved words (e.g. "user") work too.
      ...(schema === undefined ? {} : { options: `-c search_path="${schema}"` }),
    });
    // An idle connection that dies (server restart, failover) is dropped by the pool and the next
    // query opens a new one, which reports any real outage; without a listener it would crash us.
    pool.on('error', () => {});
    const database = new PostgresDatabase(pool);
    try {
      await database.migrate(target, schema);
    } catch (error) {
      await pool.end().catch(() => {});
      throw error;
    }
    return database;
  }

  private async migrate(target: string, schema: string | undefined): Promise<void> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw connectError(target, error);
    }
    await this.run(client, async (tx) => {
      // Replicas starting together take turns here: each migration is applied exactly once.
      await tx.query(
        migrationQuery(`SELECT pg_advisory_xact_lock(hashtext('lzo:migrate:' || $1))`, [
          schema ?? '',
        ]),
      );
      if (schema !== undefined)
        await tx.query(migrationQuery(`CREATE SCHEMA IF NOT EXISTS "${schema}"`));
      await tx.query(
        migrationQuery(
          `CREATE TABLE IF NOT EXISTS schema_migrations (
             version integer PRIMARY KEY,
             applied_at timestamptz NOT NULL DEFAULT now()
           )`,
        ),
      );
      const applied = await tx.query<Row>(migrationQuery('SELECT version FROM schema_migrations'));
      const done = new Set(applied.rows.map((r) => Number(r.version)));
      for (const m of POSTGRES_MIGRATIONS) {
        if (done.has(m.version)) continue;
        await tx.query(migrationQuery(m.sql));
        await tx.query(
          migrationQuery('INSERT INTO schema_migrations (version) VALUES ($1)', [m.version]),
        );
      }
    });
  }

  /** One transaction on a connection of the pool. */
  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.run(await this.pool.connect(), work);
  }

  private async run<T>(client: pg.PoolClient, work: (tx: Queryable) => Promise<T>): Promise<T> {
    // A checked-out connection that dies emits 'error'; the failing query already reports it.
    const ignore = () => {};
    client.on('error', ignore);
    const outcome = await inTransaction(client, work);
    client.off('error', ignore);
    if ('result' in outcome) {
      client.release();
      return outcome.result;
    }
    client.release(outcome.broken);
    throw outcome.error;
  }

  /** The first row of a statement, or null; on the pool unless a transaction is given. */
  async one(sql: string, params: unknown[], db: Queryable = this.pool): Promise<Row | null> {
    const result = await db.query<Row>(sql, params);
    return result.rows[0] ?? null;
  }

  /**
   * The first row of a hot statement, prepared once per connection under `name` (parsed and
   * planned once, not on every call): for the statements every alert runs.
   */
  async prepared(
    name: string,
    sql: string,
    params: unknown[],
    db: Queryable = this.pool,
  ): Promise<{ row: Row | null; count: number }> {
    const result = await db.query<Row>({ name, text: sql, values: params });
    return { row: result.rows[0] ?? null, count: result.rowCount ?? 0 };
  }

  async all(sql: string, params: unknown[]): Promise<Row[]> {
    return (await this.pool.query<Row>(sql, params)).rows;
  }

  /** Rows a statement changed. */
  async changed(sql: string, params: unknown[]): Promise<number> {
    return (await this.pool.query(sql, params)).rowCount ?? 0;
  }

  close(): Promise<void> {
    this.closing ??= this.pool.end();
    return this.closing;
  }
}

/** SQLite treats a negative LIMIT as none; PostgreSQL rejects it, so map it to NULL (no limit). */
export function limitOf(limit: number | undefined): number | null {
  return limit === undefined || limit < 0 ? null : limit;
}
