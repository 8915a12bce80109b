import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../../domain/clock.ts';
import type { RestartContext, Restarter, RestartResult } from '../backends.ts';
import { ToolError } from '../errors.ts';
import {
  clip,
  displayUrl,
  type FetchLike,
  httpCall,
  splitCredentials,
  statusError,
  tryJson,
} from '../http.ts';

/** Header names a receiver reads. Lowercase, as node:http presents them. */
export const WEBHOOK_HEADERS = {
  /** Unix seconds when the request was signed. */
  timestamp: 'x-level-zero-timestamp',
  /** "sha256=" + hex HMAC-SHA256(secret, `${timestamp}.${body}`). */
  signature: 'x-level-zero-signature',
  /** A unique id per request, for receivers that deduplicate. */
  delivery: 'x-level-zero-delivery',
  /**
   * The restart's idempotency key: the proposal id, the same on every request for one approval.
   * The header of the IETF HTTPAPI draft "The Idempotency-Key HTTP Header Field"; a receiver that
   * has already performed a restart with this key should answer 2xx and not restart again.
   */
  idempotencyKey: 'idempotency-key',
} as const;

/** A receiver should reject signatures older (or newer) than this: it bounds replays. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** What a receiver does (documented in the README (Real backends)); exported so tests and Node receivers share it. */
export function verifyWebhookSignature(input: {
  secret: string;
  timestamp: string | undefined;
  signature: string | undefined;
  body: string;
  now?: Date;
}): boolean {
  const { timestamp, signature } = input;
  if (!timestamp || !signature || !/^\d+$/.test(timestamp)) return false;
  const age = Math.abs((input.now ?? new Date()).getTime() / 1000 - Number(timestamp));
  if (age > WEBHOOK_TOLERANCE_SECONDS) return false;
  const expected = Buffer.from(signWebhook(input.secret, timestamp, input.body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export type WebhookRestarterOptions = {
  url: string;
  secret: string;
  /** The service a server belongs to (from the inventory), sent so the receiver can route. */
  serviceOf: (serverId: string) => Promise<string | null>;
  fetch?: FetchLike;
  clock: Clock;
  timeoutMs?: number;
};

/** A receiver may say what it did; anything else in a 2xx body is ignored. */
const Acknowledgement = z.looseObject({
  detail: z.string().optional(),
  message: z.string().optional(),
  status: z.string().optional(),
});

/**
 * Restarts by asking a runbook service (Rundeck, AWX, a team's own) over HTTPS: a signed POST,
 * bounded in time. Only a 2xx answer counts as done; anything else, or no answer, is a failure
 * that says whether the restart may still have happened.
 */
export class WebhookRestarter implements Restarter {
  readonly name = 'webhook';
  private readonly options: WebhookRestarterOptions;
  private readonly url: URL;
  private readonly authorization: string | null;
  private readonly target: string;
  private readonly fetch: FetchLike;
  private readonly clock: Clock;

  constructor(options: WebhookRestarterOptions) {
    this.options = options;
    const { url, authorization } = splitCredentials(options.url);
    this.url = url;
    this.authorization = authorization;
    this.target = `the restart webhook at ${displayUrl(url)}`;
    this.fetch = options.fetch ?? globalThis.fetch;
    this.clock = options.clock;
  }

  async restart(
    serverId: string,
    signal?: AbortSignal,
    context: RestartContext = {},
  ): Promise<RestartResult> {
    const now = this.clock.now();
    const body = JSON.stringify({
      server_id: serverId,
      service: await this.options.serviceOf(serverId),
      ...(context.incidentId ? { incident_id: context.incidentId } : {}),
      ...(context.proposalId ? { proposal_id: context.proposalId } : {}),
      ...(context.approvedBy ? { approved_by: context.approvedBy } : {}),
      requested_at: now.toISOString(),
    });
    const timestamp = String(Math.floor(now.getTime() / 1000));
    let answer: Awaited<ReturnType<typeof httpCall>>;
    try {
      answer = await httpCall({
        fetch: this.fetch,
        url: this.url,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          'user-agent': 'level-zero-operator',
          [WEBHOOK_HEADERS.timestamp]: timestamp,
          [WEBHOOK_HEADERS.signature]: signWebhook(this.options.secret, timestamp, body),
          [WEBHOOK_HEADERS.delivery]: context.proposalId ?? randomUUID(),
          ...(context.proposalId ? { [WEBHOOK_HEADERS.idempotencyKey]: context.proposalId } : {}),
          ...(this.authorization ? { authorization: this.authorization } : {}),
        },
        body,
        signal,
        ...(this.options.timeoutMs ? { timeoutMs: this.options.timeoutMs } : {}),
        target: this.target,
        hint: 'check RESTART_WEBHOOK_URL and that the receiver is running; the restart was not requested',
      });
    } catch (error) {
      // The request may have arrived before the answer was lost: say so, never "not restarted".
      if (error instanceof ToolError && error.code === 'timeout')
        throw new ToolError(
          'timeout',
          `${error.message}; the restart of ${serverId} may or may not have been performed: check the receiver`,
          { cause: error },
        );
      throw error;
    }
    if (answer.status >= 200 && answer.status < 300) {
      const ack = Acknowledgement.safeParse(tryJson(answer.text));
      const said = ack.success
        ? (ack.data.detail ?? ack.data.message ?? ack.data.status)
        : undefined;
      const verb = answer.status === 202 ? 'accepted' : 'performed';
      return {
        detail: `${this.target} ${verb} the restart of ${serverId} (${answer.status})${said ? `: ${clip(said)}` : ''}`,
      };
    }
    const failedOnTheirSide = answer.status >= 500;
    throw statusError(this.target, answer, answer.text, {
      unauthorized:
        'the receiver rejected the request: check that RESTART_WEBHOOK_SECRET matches its key and that both clocks agree within 5 minutes; the restart was not performed',
      forbidden: `the receiver refused to restart ${serverId}; the restart was not performed`,
      not_found: 'check RESTART_WEBHOOK_URL; the restart was not performed',
      conflict: `the receiver reports a conflict (a restart of ${serverId} already running?); this request was not performed`,
      rate_limited: 'the receiver is limiting requests; the restart was not performed',
      invalid_arguments: 'the receiver rejected the request body; the restart was not performed',
      ...(failedOnTheirSide
        ? {
            unavailable: `the receiver failed; the restart of ${serverId} may not have happened: check the receiver`,
            timeout: `the receiver timed out; the restart of ${serverId} may or may not have happened: check the receiver`,
          }
        : {
            unavailable: `unexpected answer; the restart of ${serverId} is not confirmed: check the receiver`,
          }),
    });
  }
}
