import type { Coordination } from '../store/ports.ts';

/**
 * Decides when the next write to a channel may start. Slack allows about one new message a second
 * per channel, and budgets edits per workspace; replicas must share those paces, not each take
 * their own.
 */
export interface Pacer {
  /** Reserves the next slot for a write to `channel`; resolves to when it may start (epoch ms). */
  reserve(channel: string): Promise<number>;
  /** Pushes the next slot back (Slack answered 429 with Retry-After). */
  penalize(channel: string, ms: number): Promise<void>;
}

/** What is paced: each channel on its own (new messages), or one budget for all (edits). */
export type PaceScope = 'per-channel' | 'workspace';

export type PaceOptions = {
  scope?: PaceScope;
  /** Which workspace budget a 'workspace' pace draws on (default `edits`; e.g. `reactions`). */
  budget?: string;
  /**
   * Writes allowed back to back before the pace applies (a token bucket's size), so a quiet bot
   * answers at once and only a busy one is held to the rate.
   */
  burst?: number;
  now?: () => number;
};

function keyOf(scope: PaceScope, channel: string, budget = 'edits'): string {
  return scope === 'per-channel' ? `slack:${channel}` : `slack:workspace-${budget}`;
}

/**
 * The start of a write given its reserved slot: with a burst of n, up to n writes may run ahead of
 * the steady pace (GCRA: the slot is the theoretical arrival time, the tolerance n − 1 intervals).
 */
function startOf(slot: number, now: number, intervalMs: number, burst: number): number {
  return Math.max(now, slot - (burst - 1) * intervalMs);
}

/** One process's pace, for a single replica or when the store is unreachable. */
export class LocalPacer implements Pacer {
  private readonly nextAt = new Map<string, number>();
  private readonly intervalMs: number;
  private readonly scope: PaceScope;
  private readonly budget: string | undefined;
  private readonly burst: number;
  private readonly now: () => number;

  constructor(intervalMs: number, options: PaceOptions = {}) {
    this.intervalMs = intervalMs;
    this.scope = options.scope ?? 'per-channel';
    this.budget = options.budget;
    this.burst = Math.max(1, options.burst ?? 1);
    this.now = options.now ?? (() => Date.now());
  }

  async reserve(channel: string): Promise<number> {
    const key = keyOf(this.scope, channel, this.budget);
    const now = this.now();
    const slot = Math.max(this.nextAt.get(key) ?? 0, now);
    this.nextAt.set(key, slot + this.intervalMs);
    return startOf(slot, now, this.intervalMs, this.burst);
  }

  async penalize(channel: string, ms: number): Promise<void> {
    const key = keyOf(this.scope, channel, this.budget);
    // Past the burst tolerance too, or the bucket would let writes straight through the pause.
    const until = this.now() + ms + (this.burst - 1) * this.intervalMs;
    this.nextAt.set(key, Math.max(this.nextAt.get(key) ?? 0, until));
  }
}

/**
 * The pace kept in the store, shared by every replica. If the store does not answer, the write
 * goes ahead at the local pace: a late message is better than none.
 */
export class StorePacer implements Pacer {
  private readonly store: Pick<Coordination, 'reserveSlot'>;
  private readonly intervalMs: number;
  private readonly scope: PaceScope;
  private readonly budget: string | undefined;
  private readonly burst: number;
  private readonly local: LocalPacer;
  private readonly now: () => number;

  constructor(
    store: Pick<Coordination, 'reserveSlot'>,
    intervalMs: number,
    options: PaceOptions = {},
  ) {
    this.store = store;
    this.intervalMs = intervalMs;
    this.scope = options.scope ?? 'per-channel';
    this.budget = options.budget;
    this.burst = Math.max(1, options.burst ?? 1);
    this.now = options.now ?? (() => Date.now());
    this.local = new LocalPacer(intervalMs, { ...options, now: this.now });
  }

  async reserve(channel: string): Promise<number> {
    if (this.intervalMs === 0) return this.now();
    try {
      const now = this.now();
      const key = keyOf(this.scope, channel, this.budget);
      const slot = (await this.store.reserveSlot(key, new Date(now), this.intervalMs)).getTime();
      return startOf(slot, now, this.intervalMs, this.burst);
    } catch {
      return this.local.reserve(channel);
    }
  }

  async penalize(channel: string, ms: number): Promise<void> {
    await this.local.penalize(channel, ms);
    // Reserving a slot as long as the pause (and the burst) makes every replica wait it out.
    const hold = ms + (this.burst - 1) * this.intervalMs;
    await this.store
      .reserveSlot(keyOf(this.scope, channel, this.budget), new Date(this.now()), hold)
      .catch(() => {});
  }
}
