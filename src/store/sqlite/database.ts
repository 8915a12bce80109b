import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { SQLITE_MIGRATIONS } from './migrations.ts';

/** One embedded database shared by the aggregates of a SqliteStore. */
export class SqliteDatabase {
  readonly db: DatabaseSync;

  private constructor(db: DatabaseSync) {
    this.db = db;
  }

  /** A file under `dataDir`, or `:memory:` for evals and tests; migrated on open. */
  static open(location: { dataDir: string } | ':memory:'): SqliteDatabase {
    let path = ':memory:';
    if (location !== ':memory:') {
      mkdirSync(location.dataDir, { recursive: true });
      path = join(location.dataDir, 'operator.db');
    }
    const db = new DatabaseSync(path);
    // WAL lets `npm run audit` read while the bot writes; busy_timeout waits out a writer's lock.
    db.exec('PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;');
    const database = new SqliteDatabase(db);
    database.migrate();
    return database;
  }

  private migrate(): void {
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)',
    );
    const applied = new Set(
      this.db
        .prepare('SELECT version FROM schema_migrations')
        .all()
        .map((r) => Number(r.version)),
    );
    for (const m of SQLITE_MIGRATIONS) {
      if (applied.has(m.version)) continue;
      this.transaction(() => {
        this.db.exec(m.sql);
        this.db
          .prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)')
          .run(m.version, new Date().toISOString());
      });
    }
  }

  /** Runs `work` in one write transaction; BEGIN IMMEDIATE also serialises other processes. */
  transaction<T>(work: () => T): T {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = work();
      this.db.exec('COMMIT');
      return result;
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}
