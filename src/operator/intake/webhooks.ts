import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { AlertStatus } from './alerts.ts';
import type { IntakeRequest } from './intake.ts';

/**
 * Alerts as alerting systems post them: Prometheus Alertmanager's webhook payload (version 4),
 * Grafana alerting's webhook contact point, and a small generic shape for everything else. Each
 * alert becomes one intake request whose servers come from its labels (`instance` without its
 * port, `pod`, `host`, `hostname`, `nodename`, `node`, `deployment`, `service`), so nothing depends on
 * reading prose; annotations are context.
 *
 * Shapes: Alertmanager's `Message` (notify/webhook/webhook.go) around template.Data
 * (template/template.go), https://prometheus.io/docs/alerting/latest/configuration/#webhook_config;
 * Grafana's `webhookMessage` (grafana/alerting receivers/webhook), which adds orgId, title, state
 * and message, https://grafana.com/docs/grafana/latest/alerting/configure-notifications/manage-contact-points/integrations/webhook-notifier/
 */

export const WEBHOOK_LIMITS = {
  /** Alerts in one notification (Alertmanager's max_alerts is unlimited by default). */
  maxAlerts: 1000,
  maxTitleChars: 300,
  maxTextChars: 10_000,
  maxServers: 100,
} as const;

export type WebhookKind = 'alertmanager' | 'grafana' | 'generic';

const Status = z.enum(['firing', 'resolved'], {
  error: 'must be "firing" or "resolved"',
});
const Labels = z.record(z.string(), z.string());

/** One alert as Alertmanager and Grafana both send it (Grafana adds URLs and values, ignored here). */
const PrometheusAlert = z
  .object({
    status: Status,
    labels: Labels,
    annotations: Labels.default({}),
    startsAt: z.string().min(1, 'must be an RFC 3339 time'),
    endsAt: z.string().optional(),
    generatorURL: z.string().optional(),
    fingerprint: z.string().optional(),
  })
  .loose();
type PrometheusAlert = z.infer<typeof PrometheusAlert>;

const notification = {
  groupKey: z.string(),
  truncatedAlerts: z.number().int().nonnegative().optional(),
  status: Status,
  receiver: z.string(),
  groupLabels: Labels.default({}),
  commonLabels: Labels.default({}),
  commonAnnotations: Labels.default({}),
  externalURL: z.string().optional(),
  alerts: z
    .array(PrometheusAlert)
    .min(1, 'must hold at least one alert')
    .max(WEBHOOK_LIMITS.maxAlerts, `must hold at most ${WEBHOOK_LIMITS.maxAlerts} alerts`),
};

export const AlertmanagerPayload = z
  .object({
    version: z.literal('4', { error: 'must be "4" (Alertmanager webhook payload version 4)' }),
    ...notification,
  })
  .loose();

export const GrafanaPayload = z
  .object({
    ...notification,
    version: z.string().optional(),
    orgId: z.number().int().optional(),
    title: z.string().optional(),
    /** "alerting" while any alert fires, "ok" once all resolved. */
    state: z.string().optional(),
    message: z.string().optional(),
  })
  .loose();

/** The generic schema (README, "Alert webhooks"): one alert, or a list of them. */
export const GenericAlert = z
  .object({
    title: z
      .string()
      .trim()
      .min(1, 'is required: what is wrong, in one line')
      .max(WEBHOOK_LIMITS.maxTitleChars),
    text: z.string().max(WEBHOOK_LIMITS.maxTextChars).optional(),
    severity: z.string().max(40).optional(),
    servers: z.array(z.string().trim().min(1).max(253)).max(WEBHOOK_LIMITS.maxServers).optional(),
    status: Status.default('firing'),
    fingerprint: z.string().trim().min(1).max(200).optional(),
  })
  .strict();
export const GenericPayload = z.union([
  GenericAlert.transform((a) => [a]),
  z
    .array(GenericAlert)
    .min(1, 'must hold at least one alert')
    .max(WEBHOOK_LIMITS.maxAlerts, `must hold at most ${WEBHOOK_LIMITS.maxAlerts} alerts`),
]);

/** The labels that name the servers an alert is about, in the order they are read. */
export const SERVER_LABELS = [
  'instance',
  'pod',
  'host',
  'hostname',
  'nodename',
  // kube-state-metrics' node series (kube_node_status_condition{node=…}): kube-prometheus-stack's
  // KubeNodeNotReady, KubeNodeUnreachable, KubeletTooManyPods name the node only here; their
  // `instance` is the exporter's.
  'node',
  'deployment',
  'statefulset',
  'daemonset',
  'service',
] as const;

/**
 * Labels that name the scrape target. For an exporter that reports on other objects
 * (kube-state-metrics: one series per pod, node or workload, with that object's `pod`, `node`,
 * `deployment` labels), the target is the exporter itself: its `instance` and `service` say
 * where the metric was read, not what the alert is about, and must never become a restart target.
 */
const TARGET_LABELS: ReadonlySet<string> = new Set(['instance', 'service']);
const REPORTS_ON_OTHERS = /kube-state-metrics/i;

function isExporterSeries(labels: Readonly<Record<string, string>>): boolean {
  return REPORTS_ON_OTHERS.test(labels.job ?? '') || REPORTS_ON_OTHERS.test(labels.service ?? '');
}

/** A label value as a server name: `web-01:9100` → `web-01`, `https://web-01.example.com/health` → its host. */
export function serverFromLabel(value: string): string {
  const v = value.trim();
  const url = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/\s]*@)?(\[[^\]]+\]|[^/:?#\s]+)/i.exec(v);
  if (url?.[1]) return url[1];
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(v);
  if (bracketed?.[1]) return bracketed[1];
  return v.replace(/:\d+$/, '');
}

/**
 * A host as systems write one: a DNS name (RFC 1123 labels; `_` too, as some inventories use), an
 * IPv4 or a bracketless IPv6 address. Nothing else — a shell command after the name, a path around
 * it, an encoded NUL, an invisible or look-alike character inside it — is a host, so it names no
 * server: the alert's title is its subject then, and servers named elsewhere are only context.
 */
const HOST = /^(?=.*[a-z0-9])[a-z0-9_](?:[a-z0-9_.-]{0,251}[a-z0-9_])?$|^[0-9a-f:.]{2,45}$/i;
export function isHostName(name: string): boolean {
  return HOST.test(name) && !name.includes('..');
}

/** The server a label value names, or null when the value is no host name. */
export function hostOfLabel(value: string): string | null {
  const host = serverFromLabel(value);
  return isHostName(host) ? host : null;
}

/** The servers an alert's labels name. */
export function serversOfLabels(labels: Readonly<Record<string, string>>): string[] {
  const out: string[] = [];
  const exporter = isExporterSeries(labels);
  for (const key of SERVER_LABELS) {
    if (exporter && TARGET_LABELS.has(key)) continue;
    const host = hostOfLabel(labels[key] ?? '');
    if (host) out.push(host);
  }
  return [...new Set(out)];
}

/** A stable id for an alert without one: its sorted labels, as Alertmanager's own fingerprint is. */
function labelsFingerprint(labels: Readonly<Record<string, string>>): string {
  const text = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join('\u0000');
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

const cut = (text: string, max: number) =>
  text.length > max ? `${text.slice(0, max - 1)}…` : text;

/** One normalised alert: everything the intake needs but the presenter's route. */
export type WebhookAlert = Omit<IntakeRequest, 'route'>;

function prometheusAlert(
  kind: 'alertmanager' | 'grafana',
  alert: PrometheusAlert,
  payload: { groupKey: string; receiver: string },
): WebhookAlert {
  const name = alert.labels.alertname ?? 'alert';
  const summary = alert.annotations.summary ?? alert.annotations.title ?? '';
  const title = cut(summary ? `${name}: ${summary}` : name, WEBHOOK_LIMITS.maxTitleChars);
  const servers = serversOfLabels(alert.labels);
  const description = alert.annotations.description ?? alert.annotations.message ?? '';
  const labels = Object.entries(alert.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  const status: AlertStatus = alert.status;
  const text = cut(
    [
      `[${status.toUpperCase()}] ${title}`,
      ...(description ? [description] : []),
      ...(labels ? [`Labels: ${labels}`] : []),
      ...(alert.generatorURL ? [`Source: ${alert.generatorURL}`] : []),
    ].join('\n'),
    WEBHOOK_LIMITS.maxTextChars,
  );
  const fingerprint = alert.fingerprint?.trim() || labelsFingerprint(alert.labels);
  return {
    origin: 'webhook',
    source: 'webhook',
    text,
    actor: `${kind}:${payload.receiver || 'webhook'}`,
    place: null,
    // A notification repeats its still-firing alerts: the same alert, same start, same status is one.
    dedupeKeys: [`alert:${kind}:${fingerprint}:${alert.startsAt}:${status}`],
    alert: {
      via: kind,
      status,
      // The labels say what it is about; without server labels, its title does.
      subject: servers.length ? servers.join('\n') : title,
      fingerprint,
      // The group key names the whole notification: only an alert with no fingerprint of its own
      // is found by it (every alert here has one, from its payload or its labels).
      groupKey: null,
    },
  };
}

/** The alerts of an Alertmanager or Grafana notification, one request each. */
export function prometheusAlerts(
  kind: 'alertmanager' | 'grafana',
  payload: z.infer<typeof AlertmanagerPayload> | z.infer<typeof GrafanaPayload>,
): WebhookAlert[] {
  return payload.alerts.map((a) => prometheusAlert(kind, a, payload));
}

/** The generic schema's alerts, one request each. */
export function genericAlerts(alerts: readonly z.infer<typeof GenericAlert>[]): WebhookAlert[] {
  return alerts.map((a) => {
    const servers = [...new Set((a.servers ?? []).flatMap((v) => hostOfLabel(v) ?? []))];
    const severity = a.severity ? ` (${a.severity})` : '';
    const text = cut(
      [
        `[${a.status.toUpperCase()}] ${a.title}${severity}`,
        ...(a.text ? [a.text] : []),
        ...(servers.length ? [`Servers: ${servers.join(', ')}`] : []),
      ].join('\n'),
      WEBHOOK_LIMITS.maxTextChars,
    );
    return {
      origin: 'webhook',
      source: 'webhook',
      text,
      actor: 'generic:webhook',
      place: null,
      dedupeKeys: [],
      alert: {
        via: 'generic',
        status: a.status,
        subject: servers.length ? servers.join('\n') : a.title,
        fingerprint: a.fingerprint ?? null,
        groupKey: null,
      },
    };
  });
}
