import type { Store } from '../ports.ts';
import { PostgresAuditLog } from './audit.ts';
import { PostgresCoordination } from './coordination.ts';
import { PostgresDatabase, type PostgresStoreOptions } from './database.ts';
import { PostgresIncidents } from './incidents.ts';
import { PostgresJobs } from './jobs.ts';
import { PostgresProposals } from './proposals.ts';

export { PostgresConnectError, type PostgresStoreOptions } from './database.ts';
export { POSTGRES_MIGRATIONS } from './migrations.ts';

/** The shared store: one PostgreSQL database (or schema) for every replica. */
export class PostgresStore implements Store {
  readonly kind = 'postgres';
  readonly incidents: PostgresIncidents;
  readonly proposals: PostgresProposals;
  readonly audit: PostgresAuditLog;
  readonly jobs: PostgresJobs;
  readonly coordination: PostgresCoordination;
  private readonly database: PostgresDatabase;

  private constructor(database: PostgresDatabase) {
    this.database = database;
    this.incidents = new PostgresIncidents(database);
    this.proposals = new PostgresProposals(database);
    this.audit = new PostgresAuditLog(database);
    this.jobs = new PostgresJobs(database);
    this.coordination = new PostgresCoordination(database);
  }

  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    return new PostgresStore(await PostgresDatabase.open(url, options));
  }

  close(): Promise<void> {
    return this.database.close();
  }
}
