import { describe, expect, it } from 'vitest';
import {
  DeliveryInFlight,
  IN_FLIGHT_MS,
  markTaken,
  takeDelivery,
} from '../../../src/operator/intake/deliveries.ts';
import { SqliteStore } from '../../../src/store/sqlite/index.ts';
import { ManualClock } from '../../../testing/clock.ts';

function deliveries() {
  const store = SqliteStore.open(':memory:');
  const clock = new ManualClock();
  return { store, clock, deps: { coordination: store.coordination, clock, ttlMs: 60 * 60_000 } };
}

describe('two-step delivery de-duplication', () => {
  it('a delivery taken in makes every repeat a duplicate', async () => {
    const { deps } = deliveries();
    expect(await takeDelivery(deps, ['event:Ev1', 'message:C1:1.1'])).toBe('new');
    await markTaken(deps, ['event:Ev1', 'message:C1:1.1']);
    expect(await takeDelivery(deps, ['event:Ev1'])).toBe('duplicate');
    // A mention that also arrives as a channel message shares the message key.
    expect(await takeDelivery(deps, ['event:Ev2', 'message:C1:1.1'])).toBe('duplicate');
  });

  it('a repeat while the first is still being taken in is refused for a retry, never called a duplicate', async () => {
    const { deps } = deliveries();
    expect(await takeDelivery(deps, ['event:Ev3'])).toBe('new');
    // The first delivery has not finished (or died half-way): its repeat must come back later.
    await expect(takeDelivery(deps, ['event:Ev3'])).rejects.toBeInstanceOf(DeliveryInFlight);
  });

  it('a first delivery that failed half-way does not swallow the retry once its hold lapses', async () => {
    const { deps, clock } = deliveries();
    expect(await takeDelivery(deps, ['event:Ev4'])).toBe('new');
    // …and the store failed before markTaken: nothing was taken in.
    clock.advanceMs(IN_FLIGHT_MS);
    expect(await takeDelivery(deps, ['event:Ev4'])).toBe('new');
  });

  it('a repeat that arrives while the first finishes waits for it and is a duplicate', async () => {
    const { deps, store } = deliveries();
    expect(await takeDelivery(deps, ['message:C1:2.2'])).toBe('new');
    let polls = 0;
    const coordination = {
      claim: store.coordination.claim.bind(store.coordination),
      held: async (key: string, now: Date) => {
        polls += 1;
        if (polls === 4) await markTaken(deps, ['message:C1:2.2']);
        return store.coordination.held(key, now);
      },
    };
    expect(await takeDelivery({ ...deps, coordination }, ['event:Ev5', 'message:C1:2.2'])).toBe(
      'duplicate',
    );
    // Its own key is remembered as taken too.
    expect(await takeDelivery(deps, ['event:Ev5'])).toBe('duplicate');
  });

  it('a store that cannot write fails the take: nothing is held, so a retry later is taken in', async () => {
    const { deps, store } = deliveries();
    await store.close();
    await expect(takeDelivery(deps, ['event:Ev6'])).rejects.toThrow();
  });
});
