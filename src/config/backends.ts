import { z } from 'zod';
import { RESTARTER_KINDS } from '../tools/backends.ts';
import { blankToUndefined, intInRange, optionalString } from './fields.ts';

/**
 * Variables that choose and configure real backends (Prometheus, Loki, Kubernetes, webhook,
 * PagerDuty, service catalog, deploy log). Merged into the one EnvSchema in env.ts. A tool uses a
 * real backend when its variable is set; otherwise the simulated fleet answers it.
 *
 * Only field schemas live here (env.ts merges `.shape`, which drops object-level refinements);
 * rules that involve two variables are in backendConfigProblems, checked by createBackends.
 */

const optionalText = optionalString;

const httpUrl = (example: string) =>
  z.preprocess(
    blankToUndefined,
    z.url({ protocol: /^https?$/, error: `must be an http(s) URL, e.g. ${example}` }).optional(),
  );

const PLACEHOLDER = /\{\{\s*server(_regex)?\s*\}\}/;

/** A query template must name the server, or every server would get the same answer. */
const serverTemplate = (fallback: string) =>
  z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .refine((t) => PLACEHOLDER.test(t), {
        error: 'must contain {{server}} (or {{server_regex}}) where the server id goes',
      })
      .default(fallback),
  );

/** A link template: once filled in it must be an http(s) URL, or evidence would carry a broken link. */
const optionalUrlTemplate = z.preprocess(
  blankToUndefined,
  z
    .string()
    .trim()
    .refine((t) => PLACEHOLDER.test(t), {
      error: 'must contain {{server}} where the server id goes',
    })
    .refine((t) => /^https?:\/\/[^/\s]+/.test(t.replace(PLACEHOLDER, 'x')), {
      error:
        'must be an http(s) URL template, e.g. https://grafana.example.com/d/node?var-host={{server}}',
    })
    .optional(),
);

const secret = (min: number, what: string) =>
  z.preprocess(
    blankToUndefined,
    z.string().trim().min(min, `must be at least ${min} characters (${what})`).optional(),
  );

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * node_exporter defaults. `instance` is "host:port" as Prometheus scrapes it, so the server id is
 * matched as a regex with an optional port. irate (last two samples) rather than rate: a first
 * responder wants the CPU now, not a five-minute average that hides a pegged process.
 */
export const PROMETHEUS_DEFAULT_QUERIES = {
  cpu: '100 * (1 - avg by (instance) (irate(node_cpu_seconds_total{mode="idle",instance=~"{{server_regex}}(:[0-9]+)?"}[5m])))',
  memory:
    '100 * (1 - node_memory_MemAvailable_bytes{instance=~"{{server_regex}}(:[0-9]+)?"} / node_memory_MemTotal_bytes{instance=~"{{server_regex}}(:[0-9]+)?"})',
  up: 'up{instance=~"{{server_regex}}(:[0-9]+)?"}',
} as const;

export const LOKI_DEFAULT_QUERY = '{host="{{server}}"}';

export const KUBERNETES_EVIDENCE_MODES = ['auto', 'true', 'false'] as const;

export const PAGERDUTY_DEFAULT_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

export const BackendEnvSchema = z.object({
  // --- Service catalog ---
  CATALOG_FILE: optionalText,

  // --- Health from Prometheus ---
  PROMETHEUS_URL: httpUrl('http://prometheus:9090'),
  PROMETHEUS_BEARER_TOKEN: optionalText,
  PROMETHEUS_CPU_QUERY: serverTemplate(PROMETHEUS_DEFAULT_QUERIES.cpu),
  PROMETHEUS_MEMORY_QUERY: serverTemplate(PROMETHEUS_DEFAULT_QUERIES.memory),
  PROMETHEUS_UP_QUERY: serverTemplate(PROMETHEUS_DEFAULT_QUERIES.up),
  PROMETHEUS_DASHBOARD_URL: optionalUrlTemplate,

  // --- Logs from Loki ---
  LOKI_URL: httpUrl('http://loki:3100'),
  LOKI_QUERY: serverTemplate(LOKI_DEFAULT_QUERY),
  LOKI_LOOKBACK_MINUTES: intInRange(60, 1, 7 * 24 * 60),
  LOKI_TENANT: optionalText,
  LOKI_USERNAME: optionalText,
  LOKI_PASSWORD: optionalText,
  LOKI_BEARER_TOKEN: optionalText,

  // --- Restarts ---
  RESTARTER: z.preprocess(
    (v) => (typeof v === 'string' ? v.trim().toLowerCase() || undefined : v),
    z.enum(RESTARTER_KINDS, { error: `must be one of ${RESTARTER_KINDS.join(', ')}` }).optional(),
  ),
  KUBERNETES_NAMESPACES: z.preprocess(
    (v) =>
      typeof v === 'string'
        ? v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : [],
    z.array(
      z
        .string()
        .regex(DNS_LABEL, 'each entry must be a namespace name (lowercase, digits, dashes)'),
    ),
  ),
  KUBECONFIG: optionalText,
  KUBERNETES_CONTEXT: optionalText,
  /**
   * Read-only Kubernetes evidence (pods, events, rollout, nodes, container logs). auto: on when
   * KUBERNETES_NAMESPACES is set, the catalog maps a server to a deployment and credentials are
   * found; true: on (credentials required); false: off.
   */
  KUBERNETES_EVIDENCE: z.preprocess(
    (v) => (typeof v === 'string' ? v.trim().toLowerCase() || undefined : v),
    z.enum(KUBERNETES_EVIDENCE_MODES, { error: 'must be auto, true or false' }).default('auto'),
  ),
  RESTART_WEBHOOK_URL: httpUrl('https://runbooks.example.com/hooks/restart'),
  RESTART_WEBHOOK_SECRET: secret(16, 'the HMAC key the receiver shares'),

  // --- Escalation to PagerDuty ---
  PAGERDUTY_ROUTING_KEY: secret(20, 'an Events API v2 integration key'),
  PAGERDUTY_EVENTS_URL: z.preprocess(
    blankToUndefined,
    z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
      .default(PAGERDUTY_DEFAULT_EVENTS_URL),
  ),

  // --- Recent changes from a deploy log ---
  CHANGES_FILE: optionalText,
  CHANGES_WEBHOOK_TOKEN: secret(16, 'the bearer token your CD system sends'),
  CHANGES_LOOKBACK_HOURS: intInRange(72, 1, 24 * 365),
});

export type BackendConfig = z.infer<typeof BackendEnvSchema>;

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Rules that span variables, each naming what to set. Empty when the combination is usable.
 */
export function backendConfigProblems(config: BackendConfig): string[] {
  const problems: string[] = [];
  if (config.RESTARTER === 'kubernetes') {
    if (config.KUBERNETES_NAMESPACES.length === 0)
      problems.push(
        'KUBERNETES_NAMESPACES: required when RESTARTER=kubernetes (the namespaces the bot may patch, comma-separated)',
      );
    if (!config.CATALOG_FILE)
      problems.push(
        'CATALOG_FILE: required when RESTARTER=kubernetes (the catalog says which deployment each server belongs to)',
      );
  }
  if (config.KUBERNETES_EVIDENCE === 'true' && config.KUBERNETES_NAMESPACES.length === 0)
    problems.push(
      'KUBERNETES_NAMESPACES: required when KUBERNETES_EVIDENCE=true (the namespaces the bot may read, comma-separated)',
    );
  if (config.RESTARTER === 'webhook' && !config.RESTART_WEBHOOK_URL)
    problems.push('RESTART_WEBHOOK_URL: required when RESTARTER=webhook');
  if (config.RESTART_WEBHOOK_URL && !config.RESTART_WEBHOOK_SECRET)
    problems.push(
      'RESTART_WEBHOOK_SECRET: required with RESTART_WEBHOOK_URL (requests are signed with it)',
    );
  if (config.RESTART_WEBHOOK_URL) {
    const url = new URL(config.RESTART_WEBHOOK_URL);
    // A restart request over plain HTTP could be read or replayed on the way; loopback is for tests.
    if (url.protocol !== 'https:' && !LOOPBACK.has(url.hostname))
      problems.push('RESTART_WEBHOOK_URL: must be an https:// URL (plain http only to localhost)');
  }
  if ((config.LOKI_USERNAME === undefined) !== (config.LOKI_PASSWORD === undefined))
    problems.push('LOKI_USERNAME and LOKI_PASSWORD: set both (basic auth) or neither');
  if (config.CHANGES_WEBHOOK_TOKEN && !config.CHANGES_FILE)
    problems.push(
      'CHANGES_FILE: required with CHANGES_WEBHOOK_TOKEN (posted changes are appended to it)',
    );
  return problems;
}
