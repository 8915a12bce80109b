import type { EscalationReceipt, EscalationTicket, Escalator } from './backends.ts';

/**
 * The escalator when no destination is configured (CLI, eval, demo): the package is recorded in
 * the audit log and printed by the presenter. Its target says so, so no one mistakes it for a page.
 */
export class LocalEscalator implements Escalator {
  readonly name = 'local';
  readonly sent: EscalationTicket[] = [];

  async send(ticket: EscalationTicket): Promise<EscalationReceipt> {
    this.sent.push(ticket);
    return { target: 'local record (no escalation destination configured)', ref: null };
  }
}
