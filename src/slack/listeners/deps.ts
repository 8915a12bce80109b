import type { Logger } from '../../logger.ts';
import type { Intake } from '../../operator/intake/intake.ts';
import type { Decisions } from '../decisions.ts';
import type { SlackWriter } from '../writer.ts';

/** What every listener may use; tests build one from real parts and call a listener directly. */
export type ListenerDeps = {
  intake: Pick<Intake, 'accept'>;
  decisions: Pick<Decisions, 'click'>;
  writer: Pick<SlackWriter, 'post'>;
  /** Channels whose messages (alert bots included) are triaged. */
  alertChannels: ReadonlySet<string>;
  logger: Logger;
};
