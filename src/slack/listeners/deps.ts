import type { Logger } from '../../logger.ts';
import type { Conversation } from '../../operator/conversation/conversation.ts';
import type { Intake } from '../../operator/intake/intake.ts';
import type { Postmortems } from '../../operator/postmortem/postmortems.ts';
import type { Decisions } from '../decisions.ts';
import type { Surfaces } from '../surfaces.ts';
import type { SlackWriter } from '../writer.ts';

/** What every listener may use; tests build one from real parts and call a listener directly. */
export type ListenerDeps = {
  intake: Pick<Intake, 'accept'>;
  decisions: Pick<Decisions, 'click'>;
  /** Follow-ups: a mention in an incident's thread continues that incident. */
  conversation: Pick<Conversation, 'accept'>;
  /** The Full brief modal, App Home, `/triage list` and `/triage status`. */
  surfaces: Pick<
    Surfaces,
    'openFullBrief' | 'refreshModal' | 'publishHome' | 'listMessage' | 'statusMessage'
  >;
  postmortems: Pick<Postmortems, 'post'>;
  writer: Pick<SlackWriter, 'post'>;
  /** Channels whose messages (alert bots included) are triaged. */
  alertChannels: ReadonlySet<string>;
  logger: Logger;
};
