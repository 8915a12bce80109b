import { z } from 'zod';
import { Evidence, EvidenceId, HealthReading } from './evidence.ts';
import { IncidentRelation, IncidentSource } from './incident.ts';
import { Action, Escalation } from './vocabulary.ts';

/**
 * The audit log: every transition, with who and when. Each event has its own `details` schema,
 * so readers (the brief, the CLI) never guess at shapes. Event names are a promise to users'
 * scripts: add new ones, never rename.
 */

const proposal = { proposal_id: z.string(), server_id: z.string() };

const entry = <E extends string, D extends z.ZodRawShape>(event: E, details: D) =>
  z.object({
    at: z.iso.datetime(),
    incident_id: z.string(),
    event: z.literal(event),
    /** Who caused it: a Slack user id, `cli:<user>`, or `operator` for the bot itself. */
    actor: z.string(),
    details: z.object(details),
  });

export const AuditEntry = z.discriminatedUnion('event', [
  entry('incident.opened', { source: IncidentSource, report: z.string() }),
  entry('proposal.created', { ...proposal, reason: z.string(), expires_at: z.iso.datetime() }),
  entry('proposal.approved', {
    ...proposal,
    /** Everyone whose approval it took (APPROVALS_REQUIRED), the last one included. */
    approvers: z.array(z.string()).optional(),
  }),
  /** One approval of several needed (APPROVALS_REQUIRED > 1): recorded, nothing restarted yet. */
  entry('approval.granted', {
    ...proposal,
    approvals: z.number().int().min(1),
    required: z.number().int().min(2),
  }),
  entry('proposal.denied', proposal),
  entry('proposal.expired', proposal),
  entry('approval.refused', {
    ...proposal,
    attempted: z.enum(['approve', 'deny']),
    reason: z.string().optional(),
  }),
  /**
   * The intent, written before the restarter is called: a replica that dies after this leaves a
   * trace the reconciler finds. The idempotency key (the proposal id) goes to the restarter too.
   */
  entry('restart.started', {
    ...proposal,
    approved_by: z.string(),
    idempotency_key: z.string(),
  }),
  entry('restart.executed', { ...proposal, approved_by: z.string(), detail: z.string() }),
  entry('restart.verified', {
    ...proposal,
    recovered: z.boolean(),
    before: HealthReading.nullable(),
    after: HealthReading.nullable(),
  }),
  entry('restart.failed', { ...proposal, error: z.string() }),
  /**
   * A started restart whose outcome nobody recorded (its replica stopped) and the restarter cannot
   * confirm: it may or may not have run. The health read when this was found, if any.
   */
  entry('restart.unknown', {
    ...proposal,
    reason: z.string(),
    health: HealthReading.nullable(),
  }),
  /** An approved restart that was not performed, and why (recovered on its own, never started). */
  entry('restart.cancelled', {
    ...proposal,
    reason: z.string(),
    health: HealthReading.nullable(),
  }),
  entry('escalation.sent', {
    target: z.string(),
    ref: z.string().nullable(),
    reason: z.string(),
    escalation: Escalation,
  }),
  /** The incident's alert resolved (a webhook's `resolved`, an integration's recovery message). */
  entry('incident.resolved', {
    /** What said so: `alertmanager`, `grafana`, `generic`, `slack`, or `storm` (every member resolved). */
    via: z.string(),
    reason: z.string(),
    /** The alerting system's fingerprint of the alert that resolved, when it has one. */
    fingerprint: z.string().nullable(),
  }),
  /** A pending restart proposal taken back before anyone decided (its alert resolved). */
  entry('proposal.withdrawn', { ...proposal, reason: z.string() }),
  /** Two incidents related: a recurrence of a resolved alert, or a storm folded by its cause. */
  entry('incident.linked', {
    linked_incident_id: z.string(),
    relation: IncidentRelation,
    reason: z.string(),
    /** The servers of the incident that was folded or recurred (the other side's, for `*_from`). */
    servers: z.array(z.string()).default([]),
  }),
  /** A follow-up question in the incident's thread, and the answer it got. */
  entry('followup.answered', {
    question: z.string(),
    /** What the question was read as: widen, logs, changes, why_not_restart, escalate, status, … */
    intent: z.string(),
    answer: z.string(),
    /** Evidence ids the answer cites. */
    cited: z.array(EvidenceId).default([]),
    /** Evidence gathered to answer it (more log lines, say); it joins the incident's evidence. */
    evidence: z.array(Evidence).default([]),
    /** Who answered: the rules, or the model (with the rules' answer as its fallback). */
    by: z.enum(['rules', 'model']).default('rules'),
  }),
  /** A postmortem draft was posted: asked for, or on resolve (once). */
  entry('postmortem.drafted', {
    trigger: z.enum(['command', 'followup', 'resolved']),
    open_questions: z.number().int().min(0),
  }),
  /** The incident was investigated again (a follow-up widened its scope): a new assessment. */
  entry('incident.reassessed', {
    reason: z.string(),
    servers: z.array(z.string()),
    previous_action: Action,
    action: Action,
  }),
]);
export type AuditEntry = z.infer<typeof AuditEntry>;

export type AuditEventName = AuditEntry['event'];
export const AUDIT_EVENT_NAMES: readonly AuditEventName[] = AuditEntry.options.map(
  (o) => o.shape.event.value,
);

/** The entry for one event, typed by its name. */
export type AuditEntryOf<E extends AuditEventName> = Extract<AuditEntry, { event: E }>;
