import type { Store } from '../store/store.ts';

/**
 * Decides when the next write to a channel may start. Slack allows about one message a second
 * per channel; replicas writing to one channel must share that pace, not each take their own.
 */
export interface Pacer {
  /** Reserves the next slot for a write to `channel`; resolves to when it may start (epoch ms). */
  reserve(channel: string): Promise<number>;
  /** Pushes the channel's next slot back (Slack answered 429 with Retry-After). */
  penalize(channel: string, ms: number): Promise<void>;
}

/** What is paced: each channel on its own (new messages), or one budget for all (edits). */
export type PaceScope = 'per-channel' | 'workspace';

function keyOf(scope: PaceScope, channel: string): string {
  return scope === 'per-channel' ? `slack:${channel}` : 'slack:workspace-edits';
}

/** One process's pace, for a single replica or when the store is unreachable. */
export class LocalPacer implements Pacer {
  private readonly nextAt = new Map<string, number>();
  private readonly intervalMs: number;
  private readonly scope: PaceScope;
  private readonly now: () => number;

  constructor(
    intervalMs: number,
    now: () => number = () => Date.now(),
    scope: PaceScope = 'per-channel',
  ) {
    this.intervalMs = intervalMs;
    this.now = now;
    this.scope = scope;
  }

  async reserve(channel: string): Promise<number> {
    const key = keyOf(this.scope, channel);
    const at = Math.max(this.nextAt.get(key) ?? 0, this.now());
    this.nextAt.set(key, at + this.intervalMs);
    return at;
  }

  async penalize(channel: string, ms: number): Promise<void> {
    const key = keyOf(this.scope, channel);
    this.nextAt.set(key, Math.max(this.nextAt.get(key) ?? 0, this.now() + ms));
  }
}

/**
 * The pace kept in the store, shared by every replica. If the store does not answer, the write
 * goes ahead at the local pace: a late message is better than none.
 */
export class StorePacer implements Pacer {
  private readonly store: Pick<Store, 'reserveSlot'>;
  private readonly intervalMs: number;
  private readonly scope: PaceScope;
  private readonly local: LocalPacer;
  private readonly now: () => number;

  constructor(
    store: Pick<Store, 'reserveSlot'>,
    intervalMs: number,
    options: { scope?: PaceScope; now?: () => number } = {},
  ) {
    this.store = store;
    this.intervalMs = intervalMs;
    this.scope = options.scope ?? 'per-channel';
    this.now = options.now ?? (() => Date.now());
    this.local = new LocalPacer(intervalMs, this.now, this.scope);
  }

  async reserve(channel: string): Promise<number> {
    if (this.intervalMs === 0) return this.now();
    try {
      const key = keyOf(this.scope, channel);
      return (await this.store.reserveSlot(key, new Date(this.now()), this.intervalMs)).getTime();
    } catch {
      return this.local.reserve(channel);
    }
  }

  async penalize(channel: string, ms: number): Promise<void> {
    await this.local.penalize(channel, ms);
    // Reserving a slot as long as the pause makes every replica wait it out.
    await this.store
      .reserveSlot(keyOf(this.scope, channel), new Date(this.now()), ms)
      .catch(() => {});
  }
}
