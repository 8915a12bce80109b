import { z } from 'zod';
import { AuditEntry } from '../domain/audit.ts';
import { Assessment, IncidentBrief } from '../domain/brief.ts';
import { HealthReading } from '../domain/evidence.ts';
import { IncidentSource } from '../domain/incident.ts';
import { ProposalState } from '../domain/proposal.ts';
import type { AlertGroup, IncidentRecord, Job, Storm } from './ports.ts';

/**
 * Row decoding shared by both backends. SQLite hands back text for times and JSON, PostgreSQL
 * Dates and parsed jsonb; these schemas accept either and produce the one shape the ports speak.
 * A row that does not decode is an error, never half-used.
 */

/** A time column (ISO text or timestamptz) as an ISO string. */
const time = z.union([z.date(), z.string()]).transform((value, ctx) => {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) {
    ctx.addIssue({ code: 'custom', message: 'not a time' });
    return z.NEVER;
  }
  return date.toISOString();
});

/** A JSON column: text in SQLite, already parsed jsonb in PostgreSQL. */
const json = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === 'string' ? JSON.parse(v) : v), schema);

/** Counts: INTEGER in SQLite, integer (or bigint as text) in PostgreSQL. */
const int = z.coerce.number().int();

const nullable = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === undefined ? null : v), schema.nullable());

/**
 * Incidents investigated before assessments were stored kept the whole brief; its investigation
 * part reads as an assessment.
 */
function fromLegacyBrief(value: unknown): unknown {
  const legacy = IncidentBrief.safeParse(value);
  if (!legacy.success) return value;
  const brief = legacy.data;
  return {
    ...brief,
    impact: brief.escalationPackage.impact,
    ownership: brief.escalationPackage.ownership,
    changes: brief.escalationPackage.timeline.filter((t) => t.event.startsWith('Change to ')),
  };
}

export const IncidentRow = z
  .object({
    id: z.string(),
    created_at: time,
    source: IncidentSource,
    report: z.string(),
    assessment: nullable(json(z.preprocess(fromLegacyBrief, Assessment))),
    presentation_place: nullable(z.string()),
    presentation_message: nullable(z.string()),
  })
  .transform(
    (row): IncidentRecord => ({
      id: row.id,
      createdAt: row.created_at,
      source: row.source,
      report: row.report,
      assessment: row.assessment,
      presentation: row.presentation_place
        ? { place: row.presentation_place, message: row.presentation_message }
        : null,
    }),
  );

export const ProposalRow = z
  .object({
    id: z.string(),
    incident_id: z.string(),
    server_id: z.string(),
    reason: z.string(),
    state: ProposalState,
    created_at: time,
    expires_at: time,
    decided_by: nullable(z.string()),
    decided_at: nullable(time),
    executed_at: nullable(time),
    before_health: nullable(json(HealthReading)),
    after_health: nullable(json(HealthReading)),
  })
  .transform((row) => ({
    id: row.id,
    incidentId: row.incident_id,
    serverId: row.server_id,
    reason: row.reason,
    state: row.state,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at,
    executedAt: row.executed_at,
    before: row.before_health,
    after: row.after_health,
  }));

export const AuditRow = z
  .object({
    at: time,
    incident_id: z.string(),
    event: z.string(),
    actor: z.string(),
    details: json(z.unknown()),
  })
  .transform((row, ctx): AuditEntry => {
    const entry = AuditEntry.safeParse(row);
    if (!entry.success) {
      ctx.addIssue({ code: 'custom', message: `audit entry ${row.event}: ${entry.error.message}` });
      return z.NEVER;
    }
    return entry.data;
  });

export const JobRow = z
  .object({
    id: z.string(),
    kind: z.string(),
    payload: json(z.unknown()),
    state: z.enum(['queued', 'running', 'done', 'failed']),
    attempts: int,
    owner: nullable(z.string()),
    lease_expires_at: nullable(time),
    created_at: time,
    error: nullable(z.string()),
  })
  .transform(
    (row): Job => ({
      id: row.id,
      kind: row.kind,
      payload: row.payload,
      state: row.state,
      attempts: row.attempts,
      owner: row.owner,
      leaseExpiresAt: row.lease_expires_at,
      createdAt: row.created_at,
      error: row.error,
    }),
  );

export const AlertGroupRow = z
  .object({
    id: z.string(),
    key: z.string(),
    opened_at: time,
    count: int,
    place: nullable(z.string()),
    incident_id: nullable(z.string()),
    counter_ref: nullable(z.string()),
    reported_count: int,
    resolved_at: nullable(time),
  })
  .transform(
    (row): AlertGroup => ({
      id: row.id,
      key: row.key,
      openedAt: row.opened_at,
      count: row.count,
      place: row.place,
      incidentId: row.incident_id,
      counter: row.counter_ref,
      reportedCount: row.reported_count,
      resolvedAt: row.resolved_at,
    }),
  );

/** How far back alert aliases and resolved groups are looked for, unless the caller says. */
export const DEFAULT_LOOKBACK_MS = 24 * 60 * 60_000;

/** A storms row joined with its members' count and servers (`members`, `servers` as JSON text or jsonb). */
export const StormRow = z
  .object({
    id: z.string(),
    cause: z.string(),
    opened_at: time,
    parent_incident_id: z.string(),
    resolved_at: nullable(time),
    members: int,
    servers: json(z.array(z.array(z.string()))),
  })
  .transform(
    (row): Storm => ({
      id: row.id,
      cause: row.cause,
      openedAt: row.opened_at,
      parentIncidentId: row.parent_incident_id,
      members: row.members,
      servers: [...new Set(row.servers.flat())],
      resolvedAt: row.resolved_at,
    }),
  );

/** Decodes one row, naming the table in the error. */
export function decode<T extends z.ZodType>(schema: T, table: string, row: unknown): z.output<T> {
  const result = schema.safeParse(row);
  if (!result.success)
    throw new Error(`store: a ${table} row does not decode: ${z.prettifyError(result.error)}`);
  return result.data;
}

/** JSON text for a parameter (SQLite text, PostgreSQL ::jsonb). */
export function jsonText(value: unknown): string {
  const encoded = JSON.stringify(value);
  if (encoded === undefined) throw new Error('store: value has no JSON form');
  return encoded;
}
