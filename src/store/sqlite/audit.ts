import { AuditEntry } from '../../domain/audit.ts';
import type { AuditFilter, AuditLog } from '../ports.ts';
import { AuditRow, decode, jsonText } from '../rows.ts';
import type { SqliteDatabase } from './database.ts';

export class SqliteAuditLog implements AuditLog {
  private readonly db: SqliteDatabase['db'];

  constructor(database: SqliteDatabase) {
    this.db = database.db;
  }

  async append(entry: AuditEntry): Promise<void> {
    const valid = AuditEntry.parse(entry);
    this.db
      .prepare(
        'INSERT INTO audit_log (at, incident_id, event, actor, details) VALUES (?, ?, ?, ?, ?)',
      )
      .run(valid.at, valid.incident_id, valid.event, valid.actor, jsonText(valid.details));
  }

  async list(filter: AuditFilter = {}): Promise<AuditEntry[]> {
    const clauses: string[] = [];
    const params: string[] = [];
    if (filter.incidentId) {
      clauses.push('incident_id = ?');
      params.push(filter.incidentId);
    }
    if (filter.events) {
      if (filter.events.length === 0) return [];
      clauses.push(`event IN (${filter.events.map(() => '?').join(', ')})`);
      params.push(...filter.events);
    }
    const where = clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
    return this.db
      .prepare(`SELECT * FROM audit_log ${where} ORDER BY seq DESC LIMIT ?`)
      .all(...params, filter.limit ?? -1)
      .map((row) => decode(AuditRow, 'audit_log', row));
  }
}
