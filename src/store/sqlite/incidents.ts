import type { Assessment } from '../../domain/brief.ts';
import type { IncidentSource, Presentation } from '../../domain/incident.ts';
import { newIncidentId } from '../ids.ts';
import type { IncidentRecord, IncidentStore } from '../ports.ts';
import { decode, IncidentRow, jsonText } from '../rows.ts';
import type { SqliteDatabase } from './database.ts';

export class SqliteIncidents implements IncidentStore {
  private readonly db: SqliteDatabase['db'];

  constructor(database: SqliteDatabase) {
    this.db = database.db;
  }

  async create(input: {
    source: IncidentSource;
    report: string;
    now: Date;
    presentation?: Presentation | null;
  }): Promise<IncidentRecord> {
    const row = this.db
      .prepare(
        `INSERT INTO incidents (id, created_at, source, report, presentation_place, presentation_message)
         VALUES (?, ?, ?, ?, ?, ?) RETURNING *`,
      )
      .get(
        newIncidentId(),
        input.now.toISOString(),
        input.source,
        input.report,
        input.presentation?.place ?? null,
        input.presentation?.message ?? null,
      );
    return decode(IncidentRow, 'incidents', row);
  }

  async get(id: string): Promise<IncidentRecord | null> {
    const row = this.db.prepare('SELECT * FROM incidents WHERE id = ?').get(id);
    return row ? decode(IncidentRow, 'incidents', row) : null;
  }

  async saveAssessment(incidentId: string, assessment: Assessment): Promise<void> {
    this.db
      .prepare('UPDATE incidents SET assessment = ? WHERE id = ?')
      .run(jsonText(assessment), incidentId);
  }

  async setPresentation(incidentId: string, presentation: Presentation): Promise<void> {
    this.db
      .prepare('UPDATE incidents SET presentation_place = ?, presentation_message = ? WHERE id = ?')
      .run(presentation.place, presentation.message, incidentId);
  }

  async claimPresentation(incidentId: string, presentation: Presentation): Promise<boolean> {
    const result = this.db
      .prepare(
        `UPDATE incidents SET presentation_place = ?, presentation_message = ?
         WHERE id = ? AND presentation_message IS NULL`,
      )
      .run(presentation.place, presentation.message, incidentId);
    return Number(result.changes) === 1;
  }
}
