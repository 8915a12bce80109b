import type { Action, Category, Escalation, Severity } from '../../domain/vocabulary.ts';

/**
 * Escalation is computed by code, never by a model. Security always engages security: unlike the
 * use case's sample code, a sev0/sev1 does not override it. Otherwise sev0 pages L2, sev1 pages
 * L1, and a decision to escalate never yields hold.
 */
export function computeEscalation(input: {
  category: Category;
  severity: Severity;
  action: Action;
}): Escalation {
  if (input.category === 'security') return 'engage_security';
  const bySeverity: Escalation =
    input.severity === 'sev0' ? 'page_l2' : input.severity === 'sev1' ? 'page_l1' : 'hold';
  if (input.action === 'escalate' && bySeverity === 'hold') return 'page_l1';
  return bySeverity;
}
