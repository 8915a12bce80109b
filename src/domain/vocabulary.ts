import { z } from 'zod';

/** The fixed vocabulary of the use case. Every output is validated against these; nothing else passes. */
export const Category = z.enum([
  'availability',
  'performance',
  'security',
  'change',
  'data',
  'unknown',
]);
export type Category = z.infer<typeof Category>;

/** sev0 widespread outage or safety/legal risk · sev1 major customer impact · sev2 partial degradation · sev3 minor. */
export const Severity = z.enum(['sev0', 'sev1', 'sev2', 'sev3']);
export type Severity = z.infer<typeof Severity>;

export const Escalation = z.enum(['hold', 'page_l1', 'page_l2', 'engage_security']);
export type Escalation = z.infer<typeof Escalation>;

/** The decision: `restart` is a proposal awaiting approval, never an executed restart. */
export const Action = z.enum(['restart', 'escalate', 'monitor']);
export type Action = z.infer<typeof Action>;

export const ServerStatus = z.enum(['healthy', 'warning', 'critical', 'error', 'down']);
export type ServerStatus = z.infer<typeof ServerStatus>;

export const Environment = z.enum(['prod', 'staging', 'dev']);
export type Environment = z.infer<typeof Environment>;

/** Lower is more severe; used to compare and cap severities. */
export const severityRank: Record<Severity, number> = { sev0: 0, sev1: 1, sev2: 2, sev3: 3 };

export function mostSevere(a: Severity, b: Severity): Severity {
  return severityRank[a] <= severityRank[b] ? a : b;
}

export function leastSevere(a: Severity, b: Severity): Severity {
  return severityRank[a] >= severityRank[b] ? a : b;
}
