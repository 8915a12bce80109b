import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Clock } from '../domain/clock.ts';
import type { Logger } from '../logger.ts';

/**
 * Slack signs every request with its timestamp and says to refuse one whose timestamp is more than
 * five minutes from the local clock, so a captured request cannot be replayed later
 * (https://docs.slack.dev/authentication/verifying-requests-from-slack/). Bolt's HTTP receiver
 * only refuses timestamps in the past; a timestamp in the future would make a signature that never
 * expires. This refuses those before Bolt verifies the rest (the HMAC, the past).
 */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

const TIMESTAMP = 'x-slack-request-timestamp';

/** Why a request's timestamp is refused, or null when it is for Bolt to verify. */
export function futureTimestamp(header: string | string[] | undefined, now: Date): string | null {
  if (header === undefined) return null;
  const value = Array.isArray(header) ? header[0] : header;
  if (!value || !/^\d{1,12}$/.test(value)) return 'the request timestamp is not a number';
  const ahead = Number(value) - Math.floor(now.getTime() / 1000);
  return ahead > SIGNATURE_TOLERANCE_SECONDS
    ? `the request timestamp is ${ahead} s in the future (more than ${SIGNATURE_TOLERANCE_SECONDS} s)`
    : null;
}

/** Wraps the HTTP receiver's listener: requests to `endpoint` stamped in the future get 401. */
export function refuseFutureTimestamps(
  listener: RequestListener,
  options: { endpoint: string; clock: Clock; logger: Logger; onRefused?: () => void },
): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://local').pathname;
    if (req.method === 'POST' && path === options.endpoint) {
      const why = futureTimestamp(req.headers[TIMESTAMP], options.clock.now());
      if (why) {
        options.logger.warn({ why }, 'refused a Slack request: its signature is not fresh');
        options.onRefused?.();
        req.resume();
        res.writeHead(401).end();
        return;
      }
    }
    listener(req, res);
  };
}
