import { z } from 'zod';
import { Environment } from '../../domain/vocabulary.ts';
import { RESTARTER_KINDS, type RestarterKind, type Runbook } from '../backends.ts';

/**
 * The service catalog in two input formats, one model. Our own YAML (a `services:` map) and
 * Backstage `catalog-info.yaml` components both become CatalogService entries.
 */

/** What the bot knows about one service; every consumer (scope, brief, guard, PagerDuty) reads this. */
export type CatalogService = {
  name: string;
  team: string | null;
  /** A Slack user-group (S…) or user (U…/W…) id: who is on call. */
  onCall: string | null;
  /** The PagerDuty Events API v2 routing (integration) key, already resolved from its env var. */
  pagerdutyRoutingKey: string | null;
  dependencies: string[];
  environment: Environment;
  servers: string[];
  restart: RestartPolicy;
  /** Its runbooks, then the catalog-wide ones; absent when the catalog names none. */
  runbooks?: Runbook[];
};

export type KubernetesTarget = { namespace: string; deployment: string };

export type RestartPolicy = {
  /** false: the bot never proposes or executes a restart of this service. */
  allowed: boolean;
  /** null: the RESTARTER variable decides. */
  via: RestarterKind | null;
  kubernetes: KubernetesTarget | null;
};

export const SERVER_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const serverId = z
  .string()
  .regex(SERVER_ID, 'server ids are letters, digits, dots, dashes and underscores');

export const SLACK_ON_CALL = /^[SUW][A-Z0-9]{2,}$/;
const onCall = z
  .string()
  .regex(SLACK_ON_CALL, 'must be a Slack user-group id (S…) or user id (U…/W…)');

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
export const kubernetesNamespace = z
  .string()
  .regex(DNS_LABEL, 'must be a Kubernetes namespace name (lowercase letters, digits, dashes)');
export const kubernetesName = z
  .string()
  .regex(
    DNS_SUBDOMAIN,
    'must be a Kubernetes object name (lowercase letters, digits, dashes, dots)',
  );

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const envVarName = z
  .string()
  .regex(ENV_NAME, 'must be an environment variable name, e.g. PAGERDUTY_KEY_PAYMENTS');

export const restarterKind = z.enum(RESTARTER_KINDS, {
  error: `must be one of ${RESTARTER_KINDS.join(', ')}`,
});

// --- Our own format ---------------------------------------------------------------------------

const OwnPagerDuty = z
  .strictObject({
    routing_key: z.string().min(20, 'a routing key is at least 20 characters').optional(),
    routing_key_env: envVarName.optional(),
  })
  .refine((p) => (p.routing_key === undefined) !== (p.routing_key_env === undefined), {
    error: 'give exactly one of routing_key or routing_key_env',
  });

const OwnRestart = z
  .strictObject({
    allowed: z.boolean().default(true),
    via: restarterKind.optional(),
    kubernetes: z
      .strictObject({ namespace: kubernetesNamespace, deployment: kubernetesName })
      .optional(),
  })
  .superRefine((r, ctx) => {
    if (r.via === 'kubernetes' && !r.kubernetes)
      ctx.addIssue({
        code: 'custom',
        path: ['kubernetes'],
        message: 'via: kubernetes needs kubernetes: { namespace, deployment }',
      });
  });

/** Signal ids as the detector names them (hung_process, disk_full, …); README lists them. */
export const signalName = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/, 'must be a signal id such as hung_process or disk_full');

const runbookUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

/** A runbook: a URL alone, or with a title, the signatures it is for and read-only checks from it. */
export const OwnRunbook = z.union([
  runbookUrl,
  z.strictObject({
    url: runbookUrl,
    title: z.string().min(1).optional(),
    signals: z.array(signalName).default([]),
    checks: z.array(z.string().min(1)).default([]),
  }),
]);
export type OwnRunbook = z.infer<typeof OwnRunbook>;

export const OwnService = z.strictObject({
  team: z.string().min(1).optional(),
  on_call: onCall.optional(),
  pagerduty: OwnPagerDuty.optional(),
  dependencies: z.array(z.string().min(1)).default([]),
  environment: Environment.optional(),
  servers: z.array(serverId).min(1, 'list at least one server'),
  restart: OwnRestart.default({ allowed: true }),
  runbooks: z.array(OwnRunbook).default([]),
});
export type OwnService = z.infer<typeof OwnService>;

export const OwnCatalogFile = z.strictObject({
  /** Default environment of every service below. */
  environment: Environment.default('prod'),
  services: z
    .record(z.string().min(1), OwnService)
    .refine((m) => Object.keys(m).length > 0, 'a catalog needs at least one service'),
  /** Runbooks for every service, chosen by signature (a service's own come first). */
  runbooks: z.array(OwnRunbook).default([]),
});
export type OwnCatalogFile = z.infer<typeof OwnCatalogFile>;

// --- Backstage catalog-info.yaml --------------------------------------------------------------

/** Annotations we read. Backstage's own, and ours under level-zero.io/ for what Backstage lacks. */
export const ANNOTATIONS = {
  pagerdutyKey: 'pagerduty.com/integration-key',
  pagerdutyKeyEnv: 'level-zero.io/pagerduty-routing-key-env',
  kubernetesId: 'backstage.io/kubernetes-id',
  kubernetesNamespace: 'backstage.io/kubernetes-namespace',
  kubernetesDeployment: 'level-zero.io/kubernetes-deployment',
  servers: 'level-zero.io/servers',
  restart: 'level-zero.io/restart',
  onCall: 'level-zero.io/on-call',
  environment: 'level-zero.io/environment',
  /** The service's general runbook; `level-zero.io/runbook.<signal id>` for one signature. */
  runbook: 'level-zero.io/runbook',
  /** Read-only checks from the runbook, one per line; `…/runbook-checks.<signal id>` likewise. */
  runbookChecks: 'level-zero.io/runbook-checks',
} as const;

/** Any Backstage entity: enough to know its kind and skip what is not a Component. */
export const BackstageEntity = z.looseObject({
  apiVersion: z.string().startsWith('backstage.io/', 'must be a backstage.io/… apiVersion'),
  kind: z.string().min(1),
});

export const BackstageComponent = z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  metadata: z.looseObject({
    name: z.string().min(1),
    namespace: z.string().optional(),
    annotations: z.record(z.string(), z.string()).default({}),
    /** Backstage's entity links; one of type `runbook` (or titled so) is the general runbook. */
    links: z
      .array(
        z.looseObject({
          url: z.string(),
          title: z.string().optional(),
          type: z.string().optional(),
        }),
      )
      .default([]),
  }),
  spec: z
    .looseObject({
      lifecycle: z.string().optional(),
      owner: z.string().optional(),
      dependsOn: z.array(z.string()).default([]),
    })
    .default({ dependsOn: [] }),
});
export type BackstageComponent = z.infer<typeof BackstageComponent>;

/** level-zero.io/restart: never, or which restarter ("allowed" leaves it to RESTARTER). */
export const RestartAnnotation = z.enum(['never', 'allowed', ...RESTARTER_KINDS], {
  error: `must be one of never, allowed, ${RESTARTER_KINDS.join(', ')}`,
});

export { Environment, onCall as OnCall, serverId as ServerIdSchema };
