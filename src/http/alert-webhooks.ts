import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { describeError } from '../domain/errors.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { Intake, IntakeResult } from '../operator/intake/intake.ts';
import {
  AlertmanagerPayload,
  GenericAlert,
  GrafanaPayload,
  genericAlerts,
  prometheusAlerts,
  type WebhookAlert,
  type WebhookKind,
} from '../operator/intake/webhooks.ts';
import { bearerMatches, problemsOf, readBody, sendJson as send } from './json.ts';
import type { HttpRoute } from './routes.ts';

/**
 * `POST /alerts/alertmanager`, `/alerts/grafana`, `/alerts/generic`: alerts straight from the
 * alerting system. Bearer-token authenticated (compared in constant time; anything else is a 401
 * and nothing is stored), size-bounded, validated (a 400 says what is wrong), and durable before
 * the 2xx: every alert is stored (incident and queued investigation, or counted on its group, or
 * its incident resolved) before the answer, so a sender's retry after a 5xx loses nothing and
 * repeats nothing (re-sent alerts are recognised).
 */

export const ALERT_WEBHOOK_LIMITS = {
  maxBodyBytes: 4 * 1024 * 1024,
  /** Alerts of one notification taken in at once. */
  concurrency: 8,
  /**
   * Requests one replica works on at once; beyond that it answers 503 with Retry-After at once
   * (alerting systems retry), rather than queue without bound and run out of memory.
   */
  maxInFlight: 256,
} as const;

export const ALERT_WEBHOOK_PATHS: Record<WebhookKind, string> = {
  alertmanager: '/alerts/alertmanager',
  grafana: '/alerts/grafana',
  generic: '/alerts/generic',
};

export type AlertWebhookOptions = {
  /** ALERT_WEBHOOK_TOKEN. */
  token: string;
  intake: Pick<Intake, 'accept'>;
  /** Where the presenter triages these alerts (opaque: ALERT_WEBHOOK_CHANNEL's route). */
  route: string;
  metrics: Metrics;
  logger: Logger;
  /** Requests worked on at once before answering 503 (default ALERT_WEBHOOK_LIMITS.maxInFlight). */
  maxInFlight?: number;
};

const SHAPES: Record<WebhookKind, string> = {
  alertmanager:
    'an Alertmanager webhook notification (version "4": groupKey, status, receiver, alerts[] with status, labels, annotations, startsAt)',
  grafana:
    'a Grafana alerting webhook notification (groupKey, status, receiver, alerts[] with status, labels, annotations, startsAt)',
  generic:
    'a generic alert { title, text?, severity?, servers?, status?: "firing"|"resolved", fingerprint? } or a list of them',
};

/** The alerts of a body, or the problems that make it not one. */
function parse(kind: WebhookKind, data: unknown): WebhookAlert[] | string[] {
  if (kind === 'generic') {
    const parsed = z.union([GenericAlert, z.array(GenericAlert).min(1).max(1000)]).safeParse(data);
    if (!parsed.success) return problemsOf(parsed.error);
    return genericAlerts(Array.isArray(parsed.data) ? parsed.data : [parsed.data]);
  }
  const parsed = (kind === 'alertmanager' ? AlertmanagerPayload : GrafanaPayload).safeParse(data);
  if (!parsed.success) return problemsOf(parsed.error);
  return prometheusAlerts(kind, parsed.data);
}

type Tally = Record<IntakeResult['kind'], number>;

/** Takes every alert in, a few at a time; throws the first store failure. */
async function takeIn(
  alerts: readonly WebhookAlert[],
  options: AlertWebhookOptions,
): Promise<{ tally: Tally; incidents: string[] }> {
  const tally: Tally = { accepted: 0, grouped: 0, duplicate: 0, resolved: 0 };
  const incidents = new Set<string>();
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < alerts.length; i = next++) {
      const alert = alerts[i];
      if (!alert) continue;
      const result = await options.intake.accept({ ...alert, route: options.route });
      tally[result.kind] += 1;
      if ('incidentId' in result && result.incidentId) incidents.add(result.incidentId);
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(ALERT_WEBHOOK_LIMITS.concurrency, alerts.length) }, worker),
  );
  return { tally, incidents: [...incidents] };
}

/** Requests in progress across the three routes of one replica. */
type Load = { inFlight: number };

function handler(kind: WebhookKind, options: AlertWebhookOptions, load: Load) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      if (req.method !== 'POST') {
        send(res, 405, { error: 'use POST' }, { allow: 'POST' });
        return;
      }
      if (!bearerMatches(req, options.token)) {
        options.metrics.webhookRequests.inc({ kind, status: '401' });
        send(
          res,
          401,
          { error: 'missing or wrong bearer token (Authorization: Bearer <ALERT_WEBHOOK_TOKEN>)' },
          { 'www-authenticate': 'Bearer' },
        );
        return;
      }
      if (load.inFlight >= (options.maxInFlight ?? ALERT_WEBHOOK_LIMITS.maxInFlight)) {
        options.metrics.webhookRequests.inc({ kind, status: '503' });
        req.resume();
        send(
          res,
          503,
          { error: 'busy: too many alerts in progress; retry shortly' },
          { 'retry-after': '1' },
        );
        return;
      }
      load.inFlight += 1;
      try {
        await take(kind, req, res, options);
      } finally {
        load.inFlight -= 1;
      }
    } catch (error) {
      options.logger.error({ err: error, kind }, 'alert webhook failed');
      if (!res.headersSent) send(res, 500, { error: 'internal error' });
      else res.end();
    }
  };
}

/** Reads, validates and stores one authenticated request's alerts, then answers. */
async function take(
  kind: WebhookKind,
  req: IncomingMessage,
  res: ServerResponse,
  options: AlertWebhookOptions,
): Promise<void> {
  const text = await readBody(req, ALERT_WEBHOOK_LIMITS.maxBodyBytes);
  if (text === null) {
    send(res, 413, { error: `body larger than ${ALERT_WEBHOOK_LIMITS.maxBodyBytes} bytes` });
    return;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    options.metrics.webhookRequests.inc({ kind, status: '400' });
    send(res, 400, { error: `body is not JSON: ${describeError(error)}` });
    return;
  }
  const alerts = parse(kind, data);
  if (alerts.length === 0 || typeof alerts[0] === 'string') {
    options.metrics.webhookRequests.inc({ kind, status: '400' });
    send(res, 400, { error: `not ${SHAPES[kind]}`, problems: alerts });
    return;
  }
  let taken: Awaited<ReturnType<typeof takeIn>>;
  try {
    taken = await takeIn(alerts as WebhookAlert[], options);
  } catch (error) {
    // Nothing acknowledged: the sender retries, and what was stored is recognised then.
    options.metrics.webhookRequests.inc({ kind, status: '503' });
    options.logger.error(
      { err: error, kind },
      'could not store webhook alerts; answered 503 so the sender retries',
    );
    send(res, 503, { error: 'could not store the alerts; retry later' }, { 'retry-after': '5' });
    return;
  }
  options.metrics.webhookRequests.inc({ kind, status: '202' });
  send(res, 202, { alerts: alerts.length, ...taken.tally, incidents: taken.incidents });
}

/** The three alert webhook routes, for the HTTP server beside Slack's. */
export function alertWebhookRoutes(options: AlertWebhookOptions): HttpRoute[] {
  const load: Load = { inFlight: 0 };
  return (Object.keys(ALERT_WEBHOOK_PATHS) as WebhookKind[]).map((kind) => {
    const handle = handler(kind, options, load);
    return {
      path: ALERT_WEBHOOK_PATHS[kind],
      method: ['POST'],
      handler: (req, res) => void handle(req, res),
    };
  });
}
