import type { BotHarness } from '../slack/harness.ts';

/** What the webhook tests share: the token and channel, a POST helper, Alertmanager's payload. */

export const TOKEN = 'alert-webhook-token-0123456789';
export const HOOKS = 'C0HOOKS';

export async function postAlert(
  h: BotHarness,
  path: 'alertmanager' | 'grafana' | 'generic',
  body: unknown,
  options: { token?: string | null; raw?: string } = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const token = options.token === undefined ? TOKEN : options.token;
  const response = await fetch(h.url.replace('/slack/events', `/alerts/${path}`), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
    },
    body: options.raw ?? JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

/** An Alertmanager v4 notification with one alert, as its webhook_config documentation shows it. */
export function alertmanager(
  status: 'firing' | 'resolved',
  labels: Record<string, string>,
  annotations: Record<string, string>,
  fingerprint: string,
  startsAt = '2025-03-05T09:41:00.000Z',
) {
  return {
    version: '4',
    groupKey: `{}:{alertname="${labels.alertname}"}`,
    truncatedAlerts: 0,
    status,
    receiver: 'level-zero-operator',
    groupLabels: { alertname: labels.alertname },
    commonLabels: labels,
    commonAnnotations: annotations,
    externalURL: 'http://alertmanager.example.com:9093',
    alerts: [
      {
        status,
        labels,
        annotations,
        startsAt,
        endsAt: status === 'resolved' ? '2025-03-05T09:55:00.000Z' : '0001-01-01T00:00:00Z',
        generatorURL:
          'http://prometheus.example.com:9090/graph?g0.expr=node_cpu_seconds_total&g0.tab=1',
        fingerprint,
      },
    ],
  };
}
