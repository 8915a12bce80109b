import type { AuditEntry, AuditEntryOf, AuditEventName } from '../../src/domain/audit.ts';

const proposal = { proposal_id: 'p-1', server_id: 'payment-server-01' };

/** Valid details for each event, for tests that need an entry and do not care about its details. */
const DEFAULT_DETAILS: { [E in AuditEventName]: AuditEntryOf<E>['details'] } = {
  'incident.opened': { source: 'cli', report: 'payment-server-01 is slow' },
  'proposal.created': { ...proposal, reason: 'cpu 98%', expires_at: '2025-03-01T09:30:00.000Z' },
  'proposal.approved': proposal,
  'proposal.denied': proposal,
  'proposal.expired': proposal,
  'approval.refused': { ...proposal, attempted: 'approve' },
  'approval.granted': { ...proposal, approvals: 1, required: 2 },
  'restart.started': { ...proposal, approved_by: 'U0APPROVER', idempotency_key: 'p-1' },
  'restart.unknown': { ...proposal, reason: 'the replica stopped', health: null },
  'restart.cancelled': { ...proposal, reason: 'recovered on its own', health: null },
  'restart.executed': { ...proposal, approved_by: 'U0APPROVER', detail: 'restarted' },
  'restart.verified': { ...proposal, recovered: true, before: null, after: null },
  'restart.failed': { ...proposal, error: 'boom' },
  'escalation.sent': { target: '#incidents', ref: null, reason: 'why', escalation: 'page_l1' },
  'incident.resolved': { via: 'alertmanager', reason: 'the alert resolved', fingerprint: null },
  'proposal.withdrawn': { ...proposal, reason: 'the alert resolved' },
  'incident.linked': {
    linked_incident_id: 'INC-2',
    relation: 'recurrence_of',
    reason: 'the same alert fired again',
    servers: [],
  },
  'followup.answered': {
    question: 'status',
    intent: 'status',
    answer: 'restart proposed',
    cited: [],
    evidence: [],
    by: 'rules',
  },
  'postmortem.drafted': { trigger: 'command', open_questions: 3 },
  'incident.reassessed': {
    reason: 'also check db-node-02',
    servers: ['payment-server-01', 'db-node-02'],
    previous_action: 'restart',
    action: 'restart',
  },
};

/** An audit entry of `event`, its details defaulted and overridable. */
export function auditEntry<E extends AuditEventName>(
  event: E,
  fields: {
    at?: string;
    incident_id?: string;
    actor?: string;
    details?: Partial<AuditEntryOf<E>['details']>;
  } = {},
): AuditEntry {
  return {
    at: fields.at ?? '2025-03-01T09:00:00.000Z',
    incident_id: fields.incident_id ?? 'INC-1',
    event,
    actor: fields.actor ?? 'operator',
    details: { ...DEFAULT_DETAILS[event], ...fields.details },
  } as AuditEntry;
}
