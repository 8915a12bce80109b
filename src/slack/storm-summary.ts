import type { IncidentBrief } from '../domain/brief.ts';
import type { Logger } from '../logger.ts';
import { readBrief } from '../operator/presentation/brief.ts';
import type { Store } from '../store/ports.ts';
import { briefMessage } from './blocks/brief.ts';
import { KeyedDebounce } from './debounce.ts';
import { threadOf } from './thread.ts';
import type { SlackMessage, SlackWriter } from './writer.ts';

/**
 * The stored incident's brief and its Slack message (state line included), or null before its
 * first investigation finished.
 */
export async function storedBriefMessage(
  store: Pick<Store, 'incidents' | 'audit' | 'proposals'>,
  incidentId: string,
  approvers: readonly string[],
): Promise<{ brief: IncidentBrief; message: SlackMessage } | null> {
  const brief = await readBrief(store, incidentId);
  if (!brief) return null;
  const state = (await store.proposals.forIncident(incidentId)).at(-1)?.state;
  return {
    brief,
    message: briefMessage(brief, { approvers, ...(state ? { proposalState: state } : {}) }),
  };
}

export type StormSummariesDeps = {
  store: Pick<Store, 'incidents' | 'audit' | 'proposals'>;
  writer: Pick<SlackWriter, 'update'>;
  approverIds: readonly string[];
  /** Folds arriving within this long are shown by one edit of the parent's brief. */
  debounceMs: number;
  logger: Logger;
};

/**
 * Keeps a storm parent's brief current as incidents fold into it (or resolve): its live summary
 * line is re-derived from the audit log and the brief edited in place, at most once per debounce
 * period, as a low-priority edit — a storm costs a handful of edits, not one per alert.
 */
export class StormSummaries {
  private readonly deps: StormSummariesDeps;
  private readonly debounce: KeyedDebounce;
  /** What each parent's brief last showed (written by this replica): an unchanged one is not edited again. */
  private readonly shown = new Map<string, string>();
  constructor(deps: StormSummariesDeps) {
    this.deps = deps;
    this.debounce = new KeyedDebounce({
      delayMs: deps.debounceMs,
      flush: (parentId) => this.flush(parentId),
      onError: (error, parentId) =>
        deps.logger.warn({ err: error, incident: parentId }, 'could not update a storm summary'),
    });
  }

  bump(parentId: string): void {
    this.debounce.bump(parentId);
  }

  /** Writes what is pending now and takes no more (shutdown). */
  flushAll(): Promise<void> {
    return this.debounce.flushAll();
  }

  async flush(parentId: string): Promise<void> {
    const { store, writer } = this.deps;
    const thread = threadOf((await store.incidents.get(parentId))?.presentation);
    // Before the parent's brief is posted there is nothing to edit: the brief carries the summary.
    if (!thread?.messageTs) return;
    const stored = await storedBriefMessage(store, parentId, this.deps.approverIds);
    if (!stored) return;
    const fingerprint = JSON.stringify(stored.message);
    if (this.shown.get(parentId) === fingerprint) return;
    await writer.update(thread.channel, thread.messageTs, stored.message, { priority: 'low' });
    this.shown.set(parentId, fingerprint);
    // Bounded: the oldest parents are forgotten first (at worst, one more identical edit).
    if (this.shown.size > 500) this.shown.delete(this.shown.keys().next().value ?? '');
  }
}
