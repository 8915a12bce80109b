import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import { errorCode, OperatorError } from '../domain/errors.ts';
import type { StoreFailureKind, StoreReadiness } from '../http/readiness.ts';
import type { Logger } from '../logger.ts';

/**
 * Durable before acknowledged. Slack gives an app 3 seconds to acknowledge a request
 * (https://docs.slack.dev/apis/events-api/#responding) and retries an event it got no 2xx for
 * (https://docs.slack.dev/apis/events-api/#retries); an app that fails more than 5 % of its event
 * deliveries in an hour has its event subscriptions disabled
 * (https://docs.slack.dev/apis/events-api/#failure-limits). So a request is acknowledged once what
 * it asks for is stored, and refused — for a retry — only when the store truly could not write it:
 * never for being slow, and never quietly (a log line at error, a metric, /readyz failing).
 */

/** How long a listener waits for its write before acknowledging anyway (under Slack's 3 s). */
export const ACK_DEADLINE_MS = 2_500;

/** Thrown by a listener whose request must not be acknowledged, so that Slack delivers it again. */
export class NotAcknowledged extends OperatorError {
  constructor(why: string, cause: unknown) {
    super('not_acknowledged', why, { cause });
  }
}

export function isNotAcknowledged(error: unknown): boolean {
  if (errorCode(error) === 'not_acknowledged') return true;
  // Bolt wraps errors it does not know (UnknownError.original) and several listeners' errors.
  const wrapped = error as { original?: unknown; originals?: unknown[] } | null;
  if (wrapped?.original !== undefined) return isNotAcknowledged(wrapped.original);
  return Array.isArray(wrapped?.originals) && wrapped.originals.some(isNotAcknowledged);
}

/**
 * Runs a listener's intake write: the result once stored, or NotAcknowledged when the store could
 * not take it (reported loudly), or when an earlier delivery of it is still being taken in.
 */
export async function stored<T>(
  deps: { readiness: Pick<StoreReadiness, 'failed' | 'succeeded'>; logger: Logger },
  kind: StoreFailureKind,
  work: () => Promise<T>,
): Promise<T> {
  try {
    const result = await work();
    deps.readiness.succeeded();
    return result;
  } catch (error) {
    if (errorCode(error) === 'delivery_in_flight') {
      deps.logger.info(
        { err: error },
        'a repeat arrived while its first delivery was being taken in',
      );
      throw new NotAcknowledged('an earlier delivery is still being taken in', error);
    }
    deps.readiness.failed(kind, error);
    throw new NotAcknowledged('the store could not write this request', error);
  }
}

/** `promise`, or 'late' once `ms` of real time passed (Slack's deadline is wall-clock time). */
export function orLate<T>(promise: Promise<T>, ms: number): Promise<T | 'late'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

type EventBody = { type?: unknown };

/**
 * Socket Mode has no `processBeforeResponse`: Bolt acknowledges an Events API envelope before any
 * listener runs. This holds that acknowledgement until the listeners finished, and drops it when
 * one of them threw NotAcknowledged, so Slack delivers the envelope again. Other envelopes
 * (commands, clicks) are acknowledged by their listeners, at the moment they choose.
 */
export function ackEventsAfterListeners(receiver: Receiver, logger: Logger): Receiver {
  const init = receiver.init.bind(receiver);
  receiver.init = (app: App) => {
    const processEvent = app.processEvent.bind(app);
    const held = {
      processEvent: async (event: ReceiverEvent) => {
        if ((event.body as EventBody).type !== 'event_callback') return processEvent(event);
        let response: unknown;
        let acked = false;
        await processEvent({
          ...event,
          ack: async (body?: unknown) => {
            acked = true;
            response = body;
          },
        });
        if (acked) await event.ack(response);
      },
    };
    init(
      new Proxy(app, {
        get: (target, key, receiverArg) =>
          key === 'processEvent' ? held.processEvent : Reflect.get(target, key, receiverArg),
      }),
    );
    logger.debug('Socket Mode events are acknowledged after their listeners');
  };
  return receiver;
}
