import type { Assessment } from '../../domain/brief.ts';
import type { IncidentSource, Presentation } from '../../domain/incident.ts';
import { newIncidentId } from '../ids.ts';
import type { IncidentRecord, IncidentStore } from '../ports.ts';
import { decode, IncidentRow, jsonText } from '../rows.ts';
import { subjectsOf } from '../subjects.ts';
import type { SqliteDatabase } from './database.ts';

const toIncident = (row: unknown): IncidentRecord => decode(IncidentRow, 'incidents', row);

export class SqliteIncidents implements IncidentStore {
  private readonly database: SqliteDatabase;
  private readonly db: SqliteDatabase['db'];

  constructor(database: SqliteDatabase) {
    this.database = database;
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
    return toIncident(row);
  }

  async get(id: string): Promise<IncidentRecord | null> {
    const row = this.db.prepare('SELECT * FROM incidents WHERE id = ?').get(id);
    return row ? toIncident(row) : null;
  }

  async saveAssessment(incidentId: string, assessment: Assessment): Promise<void> {
    this.database.transaction(() => {
      const row = this.db
        .prepare('UPDATE incidents SET assessment = ? WHERE id = ? RETURNING created_at')
        .get(jsonText(assessment), incidentId);
      if (!row) return;
      // The index follows the latest assessment: what the incident is about now.
      this.db.prepare('DELETE FROM incident_subjects WHERE incident_id = ?').run(incidentId);
      const insert = this.db.prepare(
        'INSERT INTO incident_subjects (incident_id, subject, created_at) VALUES (?, ?, ?)',
      );
      for (const subject of subjectsOf(assessment))
        insert.run(incidentId, subject, String(row.created_at));
    });
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

  async findByPlace(place: string): Promise<IncidentRecord | null> {
    const row = this.db
      .prepare(
        `SELECT * FROM incidents WHERE presentation_place = ?
         ORDER BY created_at DESC, rowid DESC LIMIT 1`,
      )
      .get(place);
    return row ? toIncident(row) : null;
  }

  async listRecent(input: { since: Date; limit: number }): Promise<IncidentRecord[]> {
    return this.db
      .prepare(
        'SELECT * FROM incidents WHERE created_at >= ? ORDER BY created_at DESC, rowid DESC LIMIT ?',
      )
      .all(input.since.toISOString(), input.limit)
      .map(toIncident);
  }

  async findBySubjects(input: {
    subjects: readonly string[];
    since: Date;
    excluding?: string;
    limit: number;
  }): Promise<IncidentRecord[]> {
    if (input.subjects.length === 0) return [];
    return this.db
      .prepare(
        `SELECT * FROM incidents WHERE id IN (
           SELECT incident_id FROM incident_subjects
           WHERE subject IN (${input.subjects.map(() => '?').join(', ')}) AND created_at >= ?
         ) AND id != ?
         ORDER BY created_at DESC, rowid DESC LIMIT ?`,
      )
      .all(...input.subjects, input.since.toISOString(), input.excluding ?? '', input.limit)
      .map(toIncident);
  }
}
