import type { Logger } from '../logger.ts';
import type { AlertGroup, Store } from '../store/store.ts';
import { slackDate } from './blocks/text.ts';
import type { SlackMessage, SlackWriter } from './writer.ts';

export type GroupCounterDeps = {
  store: Store;
  writer: SlackWriter;
  /** Repeats arriving within this long are shown by one update, not one message each. */
  debounceMs: number;
  logger: Logger;
  now?: () => Date;
};

export function counterMessage(group: AlertGroup, at: Date): SlackMessage {
  const more = group.count - 1;
  const text = `🔁 +${more} more alert${more === 1 ? '' : 's'} like this one — seen ${group.count} times, last ${slackDate(at.toISOString(), 'time')}. Investigated once; the brief is in this thread.`;
  return { text, blocks: [{ type: 'context', elements: [{ type: 'mrkdwn', text }] }] };
}

/**
 * Keeps one "+N more alerts" message per alert group up to date. Repeats are counted in the store
 * at once; the Slack message follows at most once per debounce period, so an alert storm costs a
 * handful of writes per thread rather than one per alert.
 */
export class GroupCounter {
  private readonly deps: GroupCounterDeps;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private stopped = false;
  private readonly now: () => Date;

  constructor(deps: GroupCounterDeps) {
    this.deps = deps;
    this.now = deps.now ?? (() => new Date());
  }

  bump(groupId: string): void {
    if (this.stopped || this.timers.has(groupId)) return;
    const timer = setTimeout(() => {
      this.timers.delete(groupId);
      this.flush(groupId).catch((error) =>
        this.deps.logger.warn({ err: error, group: groupId }, 'could not update an alert counter'),
      );
    }, this.deps.debounceMs);
    this.timers.set(groupId, timer);
  }

  /** Writes what is pending now and takes no more (shutdown). */
  async flushAll(): Promise<void> {
    this.stopped = true;
    const ids = [...this.timers.keys()];
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled(ids.map((id) => this.flush(id)));
  }

  async flush(groupId: string): Promise<void> {
    const { store, writer } = this.deps;
    const group = await store.getAlertGroup(groupId);
    if (!group || group.count <= group.reportedCount) return;
    const message = counterMessage(group, this.now());
    if (group.counterTs) {
      await writer.update(group.thread.channel, group.counterTs, message, { priority: 'low' });
      await store.setAlertGroupCounter(group.id, group.counterTs, group.count);
      return;
    }
    // One replica posts the counter message; the others update it once it exists.
    if (await store.claim(`counter:${group.id}`, this.now(), 60_000)) {
      const { ts } = await writer.post(group.thread.channel, message, {
        threadTs: group.thread.threadTs,
        priority: 'low',
      });
      await store.setAlertGroupCounter(group.id, ts, group.count);
    } else {
      this.bump(groupId);
    }
  }
}
