import type { StoreReadiness } from '../../http/readiness.ts';
import type { Logger } from '../../logger.ts';
import type { Conversation } from '../../operator/conversation/conversation.ts';
import type { Intake } from '../../operator/intake/intake.ts';
import type { Postmortems } from '../../operator/postmortem/postmortems.ts';
import type { SlackApprovers } from '../approvers.ts';
import type { Decisions } from '../decisions.ts';
import type { Surfaces } from '../surfaces.ts';
import type { SlackWriter } from '../writer.ts';

/** What every listener may use; tests build one from real parts and call a listener directly. */
export type ListenerDeps = {
  intake: Pick<Intake, 'accept'>;
  decisions: Pick<Decisions, 'click' | 'clickFailed'>;
  /** Follow-ups: a mention in an incident's thread continues that incident. */
  conversation: Pick<Conversation, 'accept'>;
  /** The Full brief modal, App Home, `/triage list` and `/triage status`. */
  surfaces: Pick<
    Surfaces,
    'openFullBrief' | 'refreshModal' | 'publishHome' | 'listMessage' | 'statusMessage'
  >;
  postmortems: Pick<Postmortems, 'post'>;
  writer: Pick<SlackWriter, 'post'>;
  approvers: Pick<SlackApprovers, 'watches' | 'membershipChanged'>;
  /** Where a listener reports that the store took, or refused, its write. */
  readiness: Pick<StoreReadiness, 'failed' | 'succeeded'>;
  /**
   * Work that goes on after the request was acknowledged (a restart after its approval was
   * recorded): tracked, so a graceful stop waits for it, and never left to reject unhandled.
   */
  background: (work: Promise<unknown>, what: string) => void;
  /** Channels whose messages (alert bots included) are triaged. */
  alertChannels: ReadonlySet<string>;
  logger: Logger;
};
