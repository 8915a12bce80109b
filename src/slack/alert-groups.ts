import type { Clock } from '../domain/clock.ts';
import type { Logger } from '../logger.ts';
import type { AlertGroup, Store } from '../store/ports.ts';
import { slackDate } from './blocks/text.ts';
import { KeyedDebounce } from './debounce.ts';
import { decodeRef, encodeRef, threadOf } from './thread.ts';
import type { SlackMessage, SlackWriter } from './writer.ts';

export type GroupCounterDeps = {
  store: Pick<Store, 'coordination' | 'incidents'>;
  writer: SlackWriter;
  /** Repeats arriving within this long are shown by one update, not one message each. */
  debounceMs: number;
  logger: Logger;
  clock: Clock;
};

/** How many debounce periods a counter waits for its incident's brief to give it a place. */
const MAX_WAITS = 60;

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
  private readonly debounce: KeyedDebounce;
  /** Groups whose incident folded into a storm: their repeats are not shown (bounded). */
  private readonly folded = new Set<string>();
  /** Groups still waiting for a place to show their counter in (their brief is not posted yet). */
  private readonly waiting = new Map<string, number>();
  private readonly now: () => Date;

  constructor(deps: GroupCounterDeps) {
    this.deps = deps;
    this.now = () => deps.clock.now();
    this.debounce = new KeyedDebounce({
      delayMs: deps.debounceMs,
      flush: (groupId) => this.flush(groupId),
      onError: (error, groupId) =>
        deps.logger.warn({ err: error, group: groupId }, 'could not update an alert counter'),
    });
  }

  bump(groupId: string): void {
    if (!this.folded.has(groupId)) this.debounce.bump(groupId);
  }

  /** Writes what is pending now and takes no more (shutdown). */
  flushAll(): Promise<void> {
    return this.debounce.flushAll();
  }

  async flush(groupId: string): Promise<void> {
    const { store, writer } = this.deps;
    const group = await store.coordination.getAlertGroup(groupId);
    if (!group || group.count <= group.reportedCount) return;
    if (group.incidentId) {
      const storm = await store.coordination.stormOf(group.incidentId);
      // One storm, one summary: a folded alert's repeats get no counter of their own (the
      // parent's summary counts its servers; its own repeats have their counter there).
      if (storm && storm.parentIncidentId !== group.incidentId) {
        if (this.folded.size > 10_000) this.folded.clear();
        this.folded.add(groupId);
        return;
      }
    }
    const thread = decodeRef(group.place ?? (await this.incidentPlace(group.incidentId)));
    if (!thread) {
      // A webhook alert's group has no place until its brief is posted: look again later, a while.
      const tries = (this.waiting.get(groupId) ?? 0) + 1;
      if (tries > MAX_WAITS) this.waiting.delete(groupId);
      else {
        this.waiting.set(groupId, tries);
        this.bump(groupId);
      }
      return;
    }
    this.waiting.delete(groupId);
    const message = counterMessage(group, this.now());
    const counter = decodeRef(group.counter);
    if (group.counter && counter) {
      await writer.update(counter.channel, counter.ts, message, { priority: 'low' });
      await store.coordination.setAlertGroupCounter(group.id, group.counter, group.count);
      return;
    }
    // One replica posts the counter message; the others update it once it exists.
    if (await store.coordination.claim(`counter:${group.id}`, this.now(), 60_000)) {
      const { ts } = await writer.post(thread.channel, message, {
        threadTs: thread.ts,
        priority: 'low',
      });
      await store.coordination.setAlertGroupCounter(
        group.id,
        encodeRef(thread.channel, ts),
        group.count,
      );
    } else {
      this.bump(groupId);
    }
  }

  private async incidentPlace(incidentId: string | null): Promise<string | null> {
    if (!incidentId) return null;
    const thread = threadOf((await this.deps.store.incidents.get(incidentId))?.presentation);
    return thread?.messageTs ? encodeRef(thread.channel, thread.threadTs) : null;
  }
}
