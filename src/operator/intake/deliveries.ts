import type { Clock } from '../../domain/clock.ts';
import { OperatorError } from '../../domain/errors.ts';
import type { Coordination } from '../../store/ports.ts';

/**
 * De-duplication of deliveries in two steps, so a delivery that failed half-way is never mistaken
 * for one taken in. A delivery first holds its keys for a short while ("being taken in"); once its
 * incident and job are stored, each key is marked taken for the whole dedupe window. A repeat that
 * finds a key taken is a duplicate; one that finds it still being taken in waits a moment, and
 * otherwise is refused so the platform retries it later (Slack retries an event it could not
 * deliver: https://docs.slack.dev/apis/events-api/#retries) — by then the first has finished, or
 * its hold has lapsed and the retry takes the delivery in itself.
 */

/** How long a delivery being taken in holds its keys: longer than any intake takes, shorter than Slack's last retry (5 min). */
export const IN_FLIGHT_MS = 2 * 60_000;
/** How long a repeat waits for the first delivery to finish before asking to be retried. */
export const IN_FLIGHT_WAIT_MS = 1_500;
const POLL_MS = 50;

const takenKey = (key: string) => `${key}#taken`;

/** A repeat of a delivery that is still being taken in: answer so that the platform retries. */
export class DeliveryInFlight extends OperatorError {
  constructor(key: string) {
    super(
      'delivery_in_flight',
      `an earlier delivery of ${key} is still being taken in; retry this one later`,
    );
  }
}

export type Deliveries = {
  coordination: Pick<Coordination, 'claim' | 'held'>;
  clock: Clock;
  /** How long a taken delivery is remembered. */
  ttlMs: number;
};

async function takenBy(deps: Deliveries, key: string): Promise<boolean> {
  return deps.coordination.held(takenKey(key), deps.clock.now());
}

/** 'new' when this delivery may be taken in (its keys are now held), 'duplicate' when it was already. */
export async function takeDelivery(
  deps: Deliveries,
  keys: readonly string[],
): Promise<'new' | 'duplicate'> {
  for (const key of keys) if (await takenBy(deps, key)) return 'duplicate';
  const held: string[] = [];
  for (const key of keys) {
    if (await deps.coordination.claim(key, deps.clock.now(), IN_FLIGHT_MS)) {
      held.push(key);
      continue;
    }
    // Someone else is taking it in right now (a mention that is also a channel message).
    for (let waited = 0; waited < IN_FLIGHT_WAIT_MS; waited += POLL_MS) {
      if (await takenBy(deps, key)) {
        // Ours are the same delivery: remember them as taken too.
        await markTaken(deps, held);
        return 'duplicate';
      }
      await deps.clock.sleep(POLL_MS);
    }
    throw new DeliveryInFlight(key);
  }
  return 'new';
}

/** The delivery's incident and job are stored: every key is remembered for the dedupe window. */
export async function markTaken(deps: Deliveries, keys: readonly string[]): Promise<void> {
  for (const key of keys)
    await deps.coordination.claim(takenKey(key), deps.clock.now(), deps.ttlMs);
}
