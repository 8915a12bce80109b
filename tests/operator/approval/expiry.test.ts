import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/logger.ts';
import { createMetrics } from '../../../src/metrics.ts';
import { ExpirySweep } from '../../../src/operator/approval/expiry.ts';
import { SqliteStore } from '../../../src/store/sqlite/index.ts';
import { ManualClock } from '../../../testing/clock.ts';

describe('ExpirySweep', () => {
  it('forgets expired delivery claims on each pass, keeping live ones and the dedupe they give', async () => {
    const store = await SqliteStore.open(':memory:');
    const clock = new ManualClock('2025-03-01T09:00:00.000Z');
    const sweep = new ExpirySweep({
      approvals: { expireDue: async () => [] },
      presenter: { expired: async () => {} },
      intervalMs: 60_000,
      claims: { coordination: store.coordination, clock },
      metrics: createMetrics(),
      logger: silentLogger(),
    });
    // What is left to forget after a pass shows what the pass forgot.
    const leftToForget = () => store.coordination.forgetExpiredClaims(clock.now(), 100);
    for (let i = 0; i < 5; i++)
      await store.coordination.claim(`delivery:${i}`, clock.now(), 60_000);
    clock.advanceMs(30_000);
    await store.coordination.claim('delivery:live', clock.now(), 60_000);
    await sweep.sweep();
    expect(await leftToForget()).toBe(0);
    clock.advanceMs(30_000);
    await sweep.sweep();
    expect(await leftToForget()).toBe(0);
    expect(await store.coordination.held('delivery:live', clock.now())).toBe(true);
    expect(await store.coordination.claim('delivery:live', clock.now(), 60_000)).toBe(false);
    await store.close();
  });
});
