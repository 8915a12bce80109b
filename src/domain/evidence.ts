import { z } from 'zod';
import { ServerStatus } from './vocabulary.ts';

/** Evidence ids are short so a planner can cite them: E1, E2, … */
export const EvidenceId = z.string().regex(/^E\d+$/, 'evidence ids look like E1, E2, …');
export type EvidenceId = z.infer<typeof EvidenceId>;

export const EvidenceSource = z.object({
  /** The tool that answered (the tool layer declares them; the domain only needs a name). */
  tool: z.string().min(1),
  /** The server (or, for changes, the service) the tool was asked about. */
  subject: z.string(),
  /** Which backend answered: simulated, prometheus, loki, … */
  backend: z.string(),
  at: z.iso.datetime(),
  /** A dashboard or log-query link, when the backend has one. */
  link: z.url().optional(),
});
export type EvidenceSource = z.infer<typeof EvidenceSource>;

export const HealthReading = z.object({
  cpu: z.number().min(0).max(100),
  memory: z.number().min(0).max(100),
  status: ServerStatus,
});
export type HealthReading = z.infer<typeof HealthReading>;

export const Change = z.object({
  service: z.string(),
  at: z.iso.datetime(),
  description: z.string(),
  author: z.string().optional(),
});
export type Change = z.infer<typeof Change>;

export const EvidenceData = z.discriminatedUnion('kind', [
  HealthReading.extend({ kind: z.literal('health') }),
  z.object({ kind: z.literal('logs'), lines: z.array(z.string()), truncated: z.boolean() }),
  z.object({ kind: z.literal('changes'), changes: z.array(Change) }),
  /** A tool that failed is evidence too: "Prometheus unreachable" must reach the brief, not vanish. */
  z.object({ kind: z.literal('error'), message: z.string() }),
]);
export type EvidenceData = z.infer<typeof EvidenceData>;

export const Evidence = z.object({
  id: EvidenceId,
  source: EvidenceSource,
  /** One line a human can read in a brief. */
  summary: z.string(),
  data: EvidenceData,
});
export type Evidence = z.infer<typeof Evidence>;

export type HealthEvidence = Evidence & { data: Extract<EvidenceData, { kind: 'health' }> };
export type LogsEvidence = Evidence & { data: Extract<EvidenceData, { kind: 'logs' }> };
export type ChangesEvidence = Evidence & { data: Extract<EvidenceData, { kind: 'changes' }> };

export function isHealth(e: Evidence): e is HealthEvidence {
  return e.data.kind === 'health';
}
export function isLogs(e: Evidence): e is LogsEvidence {
  return e.data.kind === 'logs';
}
export function isChanges(e: Evidence): e is ChangesEvidence {
  return e.data.kind === 'changes';
}
