import type { Store } from '../ports.ts';
import { SqliteAuditLog } from './audit.ts';
import { SqliteCoordination } from './coordination.ts';
import { SqliteDatabase } from './database.ts';
import { SqliteIncidents } from './incidents.ts';
import { SqliteJobs } from './jobs.ts';
import { SqliteProposals } from './proposals.ts';

export { SQLITE_MIGRATIONS } from './migrations.ts';

/** The embedded store: one file under DATA_DIR (or `:memory:`), for a single replica. */
export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  readonly incidents: SqliteIncidents;
  readonly proposals: SqliteProposals;
  readonly audit: SqliteAuditLog;
  readonly jobs: SqliteJobs;
  readonly coordination: SqliteCoordination;
  private readonly database: SqliteDatabase;

  private constructor(database: SqliteDatabase) {
    this.database = database;
    this.incidents = new SqliteIncidents(database);
    this.proposals = new SqliteProposals(database);
    this.audit = new SqliteAuditLog(database);
    this.jobs = new SqliteJobs(database);
    this.coordination = new SqliteCoordination(database);
  }

  static open(location: { dataDir: string } | ':memory:'): SqliteStore {
    return new SqliteStore(SqliteDatabase.open(location));
  }

  async close(): Promise<void> {
    this.database.close();
  }
}
