import { z } from 'zod';
import { Evidence, EvidenceId } from './evidence.ts';
import { IncidentRelation, IncidentState } from './incident.ts';
import { Action, Category, Environment, Escalation, Severity } from './vocabulary.ts';

export const Fact = z.object({
  text: z.string().min(1),
  /** Every fact cites the evidence it rests on. */
  evidence: z.array(EvidenceId).min(1, 'a fact must cite at least one evidence id'),
});
export type Fact = z.infer<typeof Fact>;

export const Hypothesis = z.object({
  text: z.string().min(1),
  confidence: z.enum(['low', 'medium', 'high']),
});
export type Hypothesis = z.infer<typeof Hypothesis>;

/**
 * What a planner (model or rules) proposes. It has no escalation and no actions taken:
 * escalation is computed by code and actions taken come only from the audit log.
 */
export const PlannerDraft = z.object({
  title: z.string().min(1).max(150),
  summary: z.string().min(1),
  category: Category,
  severity: Severity,
  action: Action,
  /** The server a restart is proposed for; required when action is restart. */
  restartServer: z.string().nullable(),
  facts: z.array(Fact),
  hypotheses: z.array(Hypothesis),
  safeChecks: z.array(z.string()),
  nextActions: z.array(z.string()),
  /** Who is affected, what is broken, how bad. */
  impact: z.string().min(1),
});
export type PlannerDraft = z.infer<typeof PlannerDraft>;

/** The decision after the policy guard and escalation rules have had their say. */
export const Decision = z.object({
  action: Action,
  category: Category,
  severity: Severity,
  escalation: Escalation,
  restartServer: z.string().nullable(),
  /** Why the guard changed or upheld the planner's proposal, in plain words. */
  policyNotes: z.array(z.string()),
});
export type Decision = z.infer<typeof Decision>;

export const TimelineEntry = z.object({ at: z.iso.datetime(), event: z.string() });
export type TimelineEntry = z.infer<typeof TimelineEntry>;

export const ActionTaken = z.object({
  at: z.iso.datetime(),
  actor: z.string(),
  action: z.string(),
});
export type ActionTaken = z.infer<typeof ActionTaken>;

export const Ownership = z.object({
  service: z.string().nullable(),
  team: z.string().nullable(),
  onCall: z.string().nullable(),
  dependencies: z.array(z.string()),
});
export type Ownership = z.infer<typeof Ownership>;

/** The minimum escalation package of the use case. */
export const EscalationPackage = z.object({
  impact: z.string().min(1),
  timeline: z.array(TimelineEntry),
  evidence: z.array(Fact),
  ownership: Ownership,
  actionsTaken: z.array(ActionTaken),
});
export type EscalationPackage = z.infer<typeof EscalationPackage>;

export const ChecklistItem = z.object({
  item: z.string(),
  status: z.enum(['captured', 'missing']),
});
export type ChecklistItem = z.infer<typeof ChecklistItem>;

export const PlannerReport = z.object({
  planner: z.enum(['openai', 'rules']),
  model: z.string().nullable(),
  /** Set when the model failed and the rules planner answered instead. */
  fallbackReason: z.string().nullable(),
  turns: z.number().int().min(0),
  toolCalls: z.number().int().min(0),
  tokens: z.object({ prompt: z.number().int(), completion: z.number().int() }),
  durationMs: z.number().min(0),
  /** Time spent waiting for model answers, and in tools (prefetch and planner tool calls). */
  modelMs: z.number().min(0).default(0),
  toolMs: z.number().min(0).default(0),
});
export type PlannerReport = z.infer<typeof PlannerReport>;

/** How a similar past incident ended, as the store records it. */
export const PastOutcome = z.enum([
  'restart_recovered',
  'restart_not_recovered',
  'restart_failed',
  'restart_denied',
  'restart_expired',
  'restart_pending',
  'escalated',
  'monitored',
]);
export type PastOutcome = z.infer<typeof PastOutcome>;

/** A past incident about the same server or service with the same signature. */
export const PastIncident = z.object({
  incidentId: z.string(),
  at: z.iso.datetime(),
  title: z.string(),
  /** The servers or services it shares with this incident. */
  subjects: z.array(z.string()),
  /** The signal ids (signatures) it shares with this incident. */
  signals: z.array(z.string()),
  outcome: PastOutcome,
  /** The server a restart was proposed for, when one was. */
  restartedServer: z.string().nullable(),
  /** Minutes from the incident's opening to the verified recovery, when a restart fixed it. */
  minutesToRecovery: z.number().min(0).nullable(),
});
export type PastIncident = z.infer<typeof PastIncident>;

/**
 * What our own store remembers about incidents like this one: similar ones in the window, how they
 * ended, and whether a server keeps being restarted for the same signature (chronic).
 */
export const Memory = z.object({
  windowDays: z.number().int().min(1),
  /** Similar incidents, newest first (at most a handful). */
  similar: z.array(PastIncident),
  /** How many similar incidents there were in the last 30 days and in the whole window. */
  seenLast30Days: z.number().int().min(0),
  seenInWindow: z.number().int().min(0),
  /** Set when a server was restarted again and again for the same signature: a restart only buys time. */
  chronic: z
    .object({
      server: z.string(),
      signals: z.array(z.string()),
      /** Restarts executed for it in the window, before this incident. */
      restarts: z.number().int().min(1),
      incidents: z.array(z.string()),
    })
    .nullable(),
});
export type Memory = z.infer<typeof Memory>;

/** The runbook the catalog gives for this incident's service and signature. */
export const RunbookLink = z.object({
  url: z.url(),
  title: z.string().nullable(),
  service: z.string().nullable(),
  /** The signal it was chosen for; null for a service's general runbook. */
  signal: z.string().nullable(),
});
export type RunbookLink = z.infer<typeof RunbookLink>;

export const RestartProposalRef = z.object({
  serverId: z.string(),
  proposalId: z.string(),
  expiresAt: z.iso.datetime(),
});

/**
 * What the scope left out, named so the brief can say it: servers beyond the scope's limit, and
 * servers an alert names only in its description or runbook prose (investigated, never restarted).
 */
export const ScopeNotes = z.object({
  skipped: z.array(z.string()).default([]),
  context: z.array(z.string()).default([]),
});
export type ScopeNotes = z.infer<typeof ScopeNotes>;

/** Another incident this one is related to, from `incident.linked`. */
export const IncidentLink = z.object({
  incidentId: z.string(),
  relation: IncidentRelation,
  reason: z.string(),
  at: z.iso.datetime(),
  servers: z.array(z.string()),
});
export type IncidentLink = z.infer<typeof IncidentLink>;

/** How the incident ended, from `incident.resolved` and the restart entries before it. */
export const Resolution = z.object({
  at: z.iso.datetime(),
  via: z.string(),
  reason: z.string(),
  /** From the incident's opening to its resolution, ms. */
  afterMs: z.number().min(0),
  /** The last restart that ran before it resolved, if any. */
  restart: z.object({ serverId: z.string(), by: z.string(), at: z.iso.datetime() }).nullable(),
});
export type Resolution = z.infer<typeof Resolution>;

/**
 * What an investigation concluded, stored once per investigation. The brief is this plus what the
 * audit log says happened since (proposal, decisions, restarts, escalations), folded in one place.
 */
export const Assessment = z.object({
  title: z.string().min(1).max(150),
  summary: z.string(),
  environment: Environment,
  servers: z.array(z.string()),
  category: Category,
  severity: Severity,
  escalation: Escalation,
  action: Action,
  facts: z.array(Fact),
  hypotheses: z.array(Hypothesis),
  safeChecks: z.array(z.string()),
  nextActions: z.array(z.string()),
  documentationChecklist: z.array(ChecklistItem),
  impact: z.string().min(1),
  ownership: Ownership,
  /** Changes found in the evidence, for the timeline. */
  changes: z.array(TimelineEntry),
  /**
   * What the evidence said, signal by signal (id, the server or service it was seen on, the line
   * or reading): what similar incidents and storms are recognised by. Empty for incidents
   * investigated before it was kept.
   */
  signals: z
    .array(z.object({ id: z.string(), subject: z.string(), detail: z.string() }))
    .default([]),
  /** Absent for incidents investigated before it was kept: nothing was left out then. */
  scopeNotes: ScopeNotes.optional(),
  policyNotes: z.array(z.string()),
  planner: PlannerReport,
  evidence: z.array(Evidence),
  /** Similar past incidents; absent when none was looked for (older incidents, evals). */
  memory: Memory.nullable().optional(),
  /** The catalog's runbook for this service and signature, when it names one. */
  runbook: RunbookLink.nullable().optional(),
  /** Servers the report named beyond what one investigation checks: not investigated. */
  serversSkipped: z.number().int().min(0).optional(),
});
export type Assessment = z.infer<typeof Assessment>;

export const IncidentBrief = z.object({
  incidentId: z.string(),
  createdAt: z.iso.datetime(),
  title: z.string().min(1).max(150),
  summary: z.string(),
  report: z.string(),
  environment: Environment,
  servers: z.array(z.string()),
  category: Category,
  severity: Severity,
  escalation: Escalation,
  action: Action,
  restart: RestartProposalRef.nullable(),
  facts: z.array(Fact),
  hypotheses: z.array(Hypothesis),
  safeChecks: z.array(z.string()),
  nextActions: z.array(z.string()),
  documentationChecklist: z.array(ChecklistItem),
  escalationPackage: EscalationPackage,
  policyNotes: z.array(z.string()),
  planner: PlannerReport,
  evidence: z.array(Evidence),
  /**
   * Where the incident stands (open, mitigating, resolved), from the audit log; absent = open.
   * The lifecycle fields are optional so that briefs built by hand (tests, older readers) stay valid.
   */
  state: IncidentState.optional(),
  resolution: Resolution.nullable().optional(),
  links: z.array(IncidentLink).optional(),
  scopeNotes: ScopeNotes.optional(),
  /** The last restart that ran (`restart.executed`), for the resolution line. */
  lastRestart: z
    .object({ serverId: z.string(), by: z.string(), at: z.iso.datetime() })
    .nullable()
    .optional(),
  memory: Memory.nullable().optional(),
  runbook: RunbookLink.nullable().optional(),
  /** Servers the report named beyond what one investigation checks: not investigated. */
  serversSkipped: z.number().int().min(0).optional(),
});
export type IncidentBrief = z.infer<typeof IncidentBrief>;
