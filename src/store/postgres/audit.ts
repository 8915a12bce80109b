import { AuditEntry } from '../../domain/audit.ts';
import type { AuditFilter, AuditLog } from '../ports.ts';
import { AuditRow, decode, jsonText } from '../rows.ts';
import { limitOf, type PostgresDatabase } from './database.ts';

export class PostgresAuditLog implements AuditLog {
  private readonly db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.db = db;
  }

  async append(entry: AuditEntry): Promise<void> {
    const valid = AuditEntry.parse(entry);
    await this.db.changed(
      `INSERT INTO audit_log (at, incident_id, event, actor, details)
       VALUES ($1, $2, $3, $4, $5::jsonb)`,
      [valid.at, valid.incident_id, valid.event, valid.actor, jsonText(valid.details)],
    );
  }

  async list(filter: AuditFilter = {}): Promise<AuditEntry[]> {
    if (filter.events && filter.events.length === 0) return [];
    const rows = await this.db.all(
      `SELECT * FROM audit_log WHERE ($1::text IS NULL OR incident_id = $1)
         AND ($3::text[] IS NULL OR event = ANY($3::text[]))
       ORDER BY seq DESC LIMIT $2`,
      [filter.incidentId || null, limitOf(filter.limit), filter.events ? [...filter.events] : null],
    );
    return rows.map((row) => decode(AuditRow, 'audit_log', row));
  }
}
