import type { IncidentBrief } from '../../domain/brief.ts';
import type { Clock } from '../../domain/clock.ts';
import { describeError } from '../../domain/errors.ts';
import type { Store } from '../../store/ports.ts';
import type { EscalationReceipt, Escalator } from '../../tools/backends.ts';
import { redact } from '../../tools/redact.ts';
import { computeEscalation } from '../decision/escalation.ts';
import { record } from '../presentation/brief.ts';

export type EscalationResult =
  | { sent: true; receipt: EscalationReceipt; brief: IncidentBrief }
  | { sent: false; reason: string; brief: IncidentBrief };

/** What the minimum escalation package lacks; empty when it can be sent. */
export function missingFromPackage(brief: IncidentBrief): string[] {
  const pkg = brief.escalationPackage;
  const missing: string[] = [];
  if (pkg.impact.trim().length === 0) missing.push('impact');
  if (pkg.timeline.length === 0) missing.push('timeline');
  if (pkg.evidence.length === 0) missing.push('evidence');
  if (!pkg.ownership.service && brief.servers.length === 0)
    missing.push('ownership (no service or server)');
  return missing;
}

export type EscalationDeps = { store: Pick<Store, 'audit'>; escalator: Escalator; clock: Clock };

/**
 * Sends the escalation package, or refuses when it is incomplete: no escalation without evidence.
 * A sent escalation is audited, and only then appears under actions taken.
 */
export async function sendEscalation(
  deps: EscalationDeps,
  brief: IncidentBrief,
  reason: string,
  actor = 'operator',
): Promise<EscalationResult> {
  const missing = missingFromPackage(brief);
  if (missing.length > 0)
    return {
      sent: false,
      reason: `escalation refused: the package lacks ${missing.join(', ')}`,
      brief,
    };
  // Sending an escalation is a decision to escalate, and that never yields hold: a denied or failed
  // restart of a sev2 incident pages at least L1 rather than going out marked "hold".
  const escalation = computeEscalation({
    category: brief.category,
    severity: brief.severity,
    action: 'escalate',
  });
  const sending = escalation === brief.escalation ? brief : { ...brief, escalation };
  let receipt: EscalationReceipt;
  try {
    receipt = await deps.escalator.send({ incidentId: brief.incidentId, reason, brief: sending });
  } catch (error) {
    return {
      sent: false,
      reason: `escalation to ${deps.escalator.name} failed: ${redact(describeError(error))}`,
      brief,
    };
  }
  const sent = await record(deps.store, brief, {
    at: deps.clock.now().toISOString(),
    incident_id: brief.incidentId,
    event: 'escalation.sent',
    actor,
    details: { target: receipt.target, ref: receipt.ref, reason, escalation },
  });
  return { sent: true, receipt, brief: sent };
}
