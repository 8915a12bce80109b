import { describeError } from '../domain/errors.ts';
import type { EscalationReceipt, EscalationTicket, Escalator } from './backends.ts';
import { ToolError } from './errors.ts';

export type Delivery =
  | { escalator: string; ok: true; receipt: EscalationReceipt }
  | { escalator: string; ok: false; error: string };

/** The receipt of a fan-out: the usual target/ref, plus what happened at each destination. */
export type CompositeReceipt = EscalationReceipt & { deliveries: Delivery[] };

/**
 * Sends one escalation to every destination at once (Slack channel, PagerDuty, …). It succeeds
 * when at least one took it, and its target says which did and which did not, so "escalated"
 * never hides a page that failed. It fails only when every destination failed.
 */
export class CompositeEscalator implements Escalator {
  readonly name: string;
  private readonly escalators: readonly Escalator[];

  constructor(escalators: readonly Escalator[]) {
    if (escalators.length === 0) throw new Error('CompositeEscalator needs at least one escalator');
    this.escalators = escalators;
    this.name = escalators.map((e) => e.name).join(' + ');
  }

  async send(ticket: EscalationTicket, signal?: AbortSignal): Promise<CompositeReceipt> {
    const settled = await Promise.allSettled(this.escalators.map((e) => e.send(ticket, signal)));
    const deliveries: Delivery[] = settled.map((s, i) => {
      const escalator = this.escalators[i]?.name ?? `escalator ${i + 1}`;
      return s.status === 'fulfilled'
        ? { escalator, ok: true, receipt: s.value }
        : { escalator, ok: false, error: describeError(s.reason) };
    });
    const sent = deliveries.filter((d): d is Extract<Delivery, { ok: true }> => d.ok);
    const failed = deliveries.filter((d): d is Extract<Delivery, { ok: false }> => !d.ok);
    if (sent.length === 0) {
      const codes = new Set(
        settled.map((s) =>
          s.status === 'rejected' && s.reason instanceof ToolError ? s.reason.code : 'unavailable',
        ),
      );
      throw new ToolError(
        codes.size === 1 ? ([...codes][0] ?? 'unavailable') : 'unavailable',
        `escalation failed at every destination: ${failed.map((f) => `${f.escalator}: ${f.error}`).join('; ')}`,
      );
    }
    const notSent = failed.length
      ? `; NOT delivered to ${failed.map((f) => `${f.escalator} (${f.error})`).join(', ')}`
      : '';
    return {
      target: `${sent.map((d) => d.receipt.target).join(' and ')}${notSent}`,
      ref: sent.map((d) => d.receipt.ref).find((r) => r !== null) ?? null,
      deliveries,
    };
  }
}
