import type { Store } from '../store/ports.ts';
import type { EscalationReceipt, EscalationTicket, Escalator } from '../tools/backends.ts';
import { escalationMessage } from './blocks/escalation.ts';
import { threadOf } from './thread.ts';
import type { SlackWriter } from './writer.ts';

/**
 * Posts the escalation package to ESCALATION_CHANNEL with a link back to the incident thread, or
 * into the incident thread itself when no escalation channel is configured.
 */
export class SlackEscalator implements Escalator {
  readonly name = 'slack';
  private readonly store: Pick<Store, 'incidents'>;
  private readonly writer: SlackWriter;
  private readonly channel: string | null;

  constructor(
    store: Pick<Store, 'incidents'>,
    writer: SlackWriter,
    escalationChannel: string | null,
  ) {
    this.store = store;
    this.writer = writer;
    this.channel = escalationChannel;
  }

  async send(ticket: EscalationTicket): Promise<EscalationReceipt> {
    const thread = threadOf((await this.store.incidents.get(ticket.incidentId))?.presentation);
    const threadLink = thread ? await this.writer.permalink(thread.channel, thread.threadTs) : null;
    const message = escalationMessage(ticket.brief, {
      reason: ticket.reason,
      ...(threadLink ? { threadLink } : {}),
    });
    if (this.channel) {
      const { ts } = await this.writer.post(this.channel, message);
      return { target: this.channel, ref: ts };
    }
    if (!thread) {
      throw new Error(
        'no ESCALATION_CHANNEL is configured and the incident has no Slack thread to post in',
      );
    }
    const { ts } = await this.writer.post(thread.channel, message, { threadTs: thread.threadTs });
    return { target: 'the incident thread (no ESCALATION_CHANNEL configured)', ref: ts };
  }
}
