import type { Assessment } from '../../domain/brief.ts';
import type { IncidentSource, Presentation } from '../../domain/incident.ts';
import { newIncidentId } from '../ids.ts';
import type { IncidentRecord, IncidentStore } from '../ports.ts';
import { decode, IncidentRow, jsonText } from '../rows.ts';
import { subjectsOf } from '../subjects.ts';
import type { PostgresDatabase } from './database.ts';

const toIncident = (row: unknown): IncidentRecord => decode(IncidentRow, 'incidents', row);

export class PostgresIncidents implements IncidentStore {
  private readonly db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.db = db;
  }

  async create(input: {
    source: IncidentSource;
    report: string;
    now: Date;
    presentation?: Presentation | null;
  }): Promise<IncidentRecord> {
    const row = await this.db.one(
      `INSERT INTO incidents (id, created_at, source, report, presentation_place, presentation_message)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
      [
        newIncidentId(),
        input.now.toISOString(),
        input.source,
        input.report,
        input.presentation?.place ?? null,
        input.presentation?.message ?? null,
      ],
    );
    return toIncident(row);
  }

  async get(id: string): Promise<IncidentRecord | null> {
    const row = await this.db.one('SELECT * FROM incidents WHERE id = $1', [id]);
    return row ? toIncident(row) : null;
  }

  async saveAssessment(incidentId: string, assessment: Assessment): Promise<void> {
    await this.db.transaction(async (tx) => {
      const row = await this.db.one(
        'UPDATE incidents SET assessment = $1::jsonb WHERE id = $2 RETURNING created_at',
        [jsonText(assessment), incidentId],
        tx,
      );
      if (!row) return;
      // The index follows the latest assessment: what the incident is about now.
      await tx.query('DELETE FROM incident_subjects WHERE incident_id = $1', [incidentId]);
      const subjects = subjectsOf(assessment);
      if (subjects.length > 0)
        await tx.query(
          `INSERT INTO incident_subjects (incident_id, subject, created_at)
           SELECT $1, s, $3 FROM unnest($2::text[]) AS s ON CONFLICT DO NOTHING`,
          [incidentId, subjects, row.created_at],
        );
    });
  }

  async setPresentation(incidentId: string, presentation: Presentation): Promise<void> {
    await this.db.changed(
      'UPDATE incidents SET presentation_place = $1, presentation_message = $2 WHERE id = $3',
      [presentation.place, presentation.message, incidentId],
    );
  }

  async claimPresentation(incidentId: string, presentation: Presentation): Promise<boolean> {
    // A concurrent winner's row is re-checked after its commit, so the condition is false for us.
    const changed = await this.db.changed(
      `UPDATE incidents SET presentation_place = $1, presentation_message = $2
       WHERE id = $3 AND presentation_message IS NULL`,
      [presentation.place, presentation.message, incidentId],
    );
    return changed === 1;
  }

  async findByPlace(place: string): Promise<IncidentRecord | null> {
    const row = await this.db.one(
      `SELECT * FROM incidents WHERE presentation_place = $1
       ORDER BY created_at DESC, id DESC LIMIT 1`,
      [place],
    );
    return row ? toIncident(row) : null;
  }

  async listRecent(input: { since: Date; limit: number }): Promise<IncidentRecord[]> {
    const rows = await this.db.all(
      'SELECT * FROM incidents WHERE created_at >= $1 ORDER BY created_at DESC, id DESC LIMIT $2',
      [input.since.toISOString(), input.limit],
    );
    return rows.map(toIncident);
  }

  async findBySubjects(input: {
    subjects: readonly string[];
    since: Date;
    excluding?: string;
    limit: number;
  }): Promise<IncidentRecord[]> {
    if (input.subjects.length === 0) return [];
    const rows = await this.db.all(
      `SELECT * FROM incidents WHERE id IN (
         SELECT incident_id FROM incident_subjects
         WHERE subject = ANY($1::text[]) AND created_at >= $2
       ) AND id <> $3
       ORDER BY created_at DESC, id DESC LIMIT $4`,
      [[...input.subjects], input.since.toISOString(), input.excluding ?? '', input.limit],
    );
    return rows.map(toIncident);
  }
}
