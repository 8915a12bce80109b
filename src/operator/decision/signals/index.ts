import { LINE_SIGNAL_IDS, patternsOf } from './detect.ts';
import { SIGNAL_LABELS } from './labels.ts';
import type { LineSignalId } from './types.ts';

export { RESTART_BLOCKING } from './blocking.ts';
export {
  abnormal,
  CONTEXT_ONLY,
  detectSignals,
  evidenceLines,
  find,
  has,
  REGRESSIONS,
} from './detect.ts';
export { SIGNAL_LABELS } from './labels.ts';
export type {
  LineSignalId,
  LogSignatureId,
  Signal,
  SignalId,
  SignalOptions,
} from './types.ts';
export { VOCABULARIES } from './vocabulary/index.ts';

/** The log signatures with their labels: detection and wording side by side, for reading and tests. */
export const LOG_SIGNATURES: readonly {
  id: LineSignalId;
  label: string;
  patterns: readonly RegExp[];
}[] = LINE_SIGNAL_IDS.map((id) => ({ id, label: SIGNAL_LABELS[id], patterns: patternsOf(id) }));
