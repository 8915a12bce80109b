import type { IncidentBrief } from '../domain/brief.ts';
import type { Proposal } from '../domain/proposal.ts';
import { readBrief } from '../operator/presentation/brief.ts';
import type { Store } from '../store/ports.ts';
import { type BriefMessageOptions, briefMessage, type SlackMessage } from './blocks/brief.ts';
import { decisionContext, withDecision } from './blocks/decision.ts';

export type CurrentBrief = {
  brief: IncidentBrief;
  proposal: Proposal | null;
  message: SlackMessage;
};

/**
 * An incident's brief as its own message shows it now: derived from the store, with the buttons
 * while its restart is pending, or the recorded decision in their place once it is not.
 */
export async function currentBrief(
  store: Pick<Store, 'incidents' | 'audit' | 'proposals'>,
  incidentId: string,
  options: Omit<BriefMessageOptions, 'proposalState'>,
): Promise<CurrentBrief | null> {
  const brief = await readBrief(store, incidentId);
  if (!brief) return null;
  const proposal = (await store.proposals.forIncident(incidentId)).at(-1) ?? null;
  const message = briefMessage(brief, {
    ...options,
    ...(proposal ? { proposalState: proposal.state } : {}),
  });
  const decided =
    brief.action === 'restart' &&
    proposal !== null &&
    proposal.state !== 'pending' &&
    brief.restart?.proposalId === proposal.id;
  if (!decided) return { brief, proposal, message };
  const decision = decisionContext({ kind: 'already_decided', proposal, message: '' });
  return {
    brief,
    proposal,
    message: { ...message, blocks: withDecision(message.blocks, decision) },
  };
}
