import type { Assessment } from '../../domain/brief.ts';
import type { IncidentSource, Presentation } from '../../domain/incident.ts';
import { newIncidentId } from '../ids.ts';
import type { IncidentRecord, IncidentStore } from '../ports.ts';
import { decode, IncidentRow, jsonText } from '../rows.ts';
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
    await this.db.changed('UPDATE incidents SET assessment = $1::jsonb WHERE id = $2', [
      jsonText(assessment),
      incidentId,
    ]);
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
}
