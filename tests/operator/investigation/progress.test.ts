import { describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../../../src/operator/investigation/investigate.ts';
import {
  applyProgress,
  initialProgress,
  type ProgressState,
} from '../../../src/operator/investigation/progress.ts';

const fold = (events: readonly ProgressEvent[], from: ProgressState = initialProgress) =>
  events.reduce(applyProgress, from);

describe('applyProgress', () => {
  it('accumulates events without changing the state it was given', () => {
    const opened = applyProgress(initialProgress, { stage: 'opened', incidentId: 'INC-1' });
    expect(initialProgress.incidentId).toBeNull();
    expect(opened.incidentId).toBe('INC-1');

    const state = fold(
      [
        { stage: 'scope', servers: ['a-01', 'b-02'], unknown: ['zz-99'] },
        { stage: 'evidence', tool: 'get_server_health', subject: 'a-01', ok: true },
        { stage: 'evidence', tool: 'fetch_recent_logs', subject: 'a-01', ok: false },
        { stage: 'evidence', tool: 'get_server_health', subject: 'b-02', ok: true },
        { stage: 'evidence', tool: 'list_recent_changes', subject: 'payments', ok: true },
        { stage: 'reasoning', planner: 'openai' },
        { stage: 'fallback', reason: 'model timed out' },
        { stage: 'decided', action: 'escalate' },
      ],
      opened,
    );
    expect(state).toEqual({
      incidentId: 'INC-1',
      servers: ['a-01', 'b-02'],
      unknown: ['zz-99'],
      skipped: 0,
      reads: { 'a-01': { health: 'ok', logs: 'failed' }, 'b-02': { health: 'ok' } },
      changes: { payments: 'ok' },
      planner: 'openai',
      fallbackReason: 'model timed out',
      decided: 'escalate',
    });
    expect(opened.servers).toBeNull();
  });

  it('keeps how many named servers the scope skipped', () => {
    const state = fold([{ stage: 'scope', servers: ['a-01'], unknown: [], skipped: 490 }]);
    expect(state.skipped).toBe(490);
  });
});
