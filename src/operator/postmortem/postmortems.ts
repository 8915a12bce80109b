import type { Clock } from '../../domain/clock.ts';
import type { Store } from '../../store/ports.ts';
import { readBrief } from '../presentation/brief.ts';
import { draftPostmortem, type Postmortem } from './draft.ts';

export type PostmortemTrigger = 'command' | 'followup' | 'resolved';

/** Where a postmortem draft is shown: the incident's thread, say. */
export interface PostmortemPresenter {
  /** Posts the draft where the incident lives; throws when it could not. */
  postmortem(incidentId: string, draft: Postmortem): Promise<void>;
}

export type PostmortemsDeps = {
  store: Pick<Store, 'incidents' | 'audit' | 'proposals'>;
  presenter: PostmortemPresenter;
  clock: Clock;
};

/**
 * Postmortem drafts: on request (`/triage postmortem INC-…`, "postmortem" in the thread) and once
 * when an incident is resolved — whatever records the resolution calls `onResolved`.
 */
export class Postmortems {
  private readonly deps: PostmortemsDeps;

  constructor(deps: PostmortemsDeps) {
    this.deps = deps;
  }

  /** The draft for an incident, or null when it has no brief yet. */
  async draft(incidentId: string): Promise<Postmortem | null> {
    const { store } = this.deps;
    const brief = await readBrief(store, incidentId);
    if (!brief) return null;
    const [audit, proposals] = await Promise.all([
      store.audit.list({ incidentId }),
      store.proposals.forIncident(incidentId),
    ]);
    return draftPostmortem({ brief, audit, proposals });
  }

  /** Drafts, posts and audits the postmortem; null when the incident has no brief yet. */
  async post(
    incidentId: string,
    actor: string,
    trigger: PostmortemTrigger,
  ): Promise<Postmortem | null> {
    const draft = await this.draft(incidentId);
    if (!draft) return null;
    await this.deps.presenter.postmortem(incidentId, draft);
    await this.deps.store.audit.append({
      at: this.deps.clock.now().toISOString(),
      incident_id: incidentId,
      event: 'postmortem.drafted',
      actor,
      details: { trigger, open_questions: draft.openQuestions.length },
    });
    return draft;
  }

  /**
   * For the path that records `incident.resolved`: posts the draft once per incident, however
   * often the resolution arrives. Null when it was posted already or there is no brief.
   */
  async onResolved(incidentId: string): Promise<Postmortem | null> {
    const earlier = await this.deps.store.audit.list({
      incidentId,
      events: ['postmortem.drafted'],
    });
    if (earlier.some((e) => e.event === 'postmortem.drafted' && e.details.trigger === 'resolved'))
      return null;
    return this.post(incidentId, 'operator', 'resolved');
  }
}
