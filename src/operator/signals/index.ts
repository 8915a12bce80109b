import { SIGNAL_LABELS } from './labels.ts';
import type { LogSignatureId } from './types.ts';
import { SIGNATURES } from './vocabulary.ts';

export { RESTART_BLOCKING } from './blocking.ts';
export { abnormal, detectSignals, evidenceLines, find, has } from './detect.ts';
export { SIGNAL_LABELS } from './labels.ts';
export type { LogSignatureId, Signal, SignalId, SignalOptions } from './types.ts';

/** The log signatures with their labels: detection and wording side by side, for reading and tests. */
export const LOG_SIGNATURES: readonly {
  id: LogSignatureId;
  label: string;
  patterns: readonly RegExp[];
}[] = SIGNATURES.map((s) => ({ id: s.id, label: SIGNAL_LABELS[s.id], patterns: s.patterns }));
