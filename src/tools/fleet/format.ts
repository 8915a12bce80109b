import { z } from 'zod';
import {
  Action,
  Category,
  Environment,
  Escalation,
  ServerStatus,
  Severity,
} from '../../domain/vocabulary.ts';
import { ToolName } from '../registry.ts';

/**
 * The scenario/fleet YAML format (README, "Scenario files and evals"). One schema serves the simulated fleet, the eval
 * and the demo, so a file a user writes from a past incident works in all three.
 */

const percent = z.number().min(0, 'must be 0–100').max(100, 'must be 0–100');

/** Statuses are accepted in any case ("Warning" as in the seed data). */
const status = z.preprocess((v) => (typeof v === 'string' ? v.toLowerCase() : v), ServerStatus);

export const HealthSpec = z.strictObject({ cpu: percent, memory: percent, status });

// --- Kubernetes (optional, per server) --------------------------------------------------------
// What `kubectl describe` would show for the server's workload. Reasons are Kubernetes' own words
// (OOMKilled, CrashLoopBackOff, ImagePullBackOff, FailedScheduling…); every field but the names has
// a default, so a case needs only what matters to it.

const k8sName = z
  .string()
  .regex(
    /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/,
    'must be a Kubernetes object name (lowercase letters, digits, dashes, dots)',
  );
const minutesAgo = z.number().min(0, 'must be 0 or more');

export const KubeContainerSpec = z.strictObject({
  name: k8sName.default('app'),
  image: z.string().min(1).optional(),
  /** Default: true when running. */
  ready: z.boolean().optional(),
  /** unknown: the kubelet never reported it (a pod not yet scheduled). */
  state: z.enum(['running', 'waiting', 'terminated', 'unknown']).default('running'),
  /** Waiting reason (CrashLoopBackOff, ImagePullBackOff, CreateContainerConfigError…) or terminated reason. */
  reason: z.string().min(1).optional(),
  message: z.string().min(1).optional(),
  restarts: z.number().int().min(0).default(0),
  last_termination: z
    .strictObject({
      reason: z.string().min(1).optional(),
      exit_code: z.number().int(),
      message: z.string().min(1).optional(),
      minutes_ago: minutesAgo.optional(),
    })
    .optional(),
  /** What `kubectl logs` prints for the current instance. */
  logs: z.array(z.string()).default([]),
  /** What `kubectl logs --previous` prints. */
  previous_logs: z.array(z.string()).optional(),
  init: z.boolean().default(false),
});
export type KubeContainerSpec = z.infer<typeof KubeContainerSpec>;

export const KubePodSpec = z.strictObject({
  name: k8sName,
  phase: z.enum(['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown']).default('Running'),
  /** Default: every container ready. */
  ready: z.boolean().optional(),
  node: z.string().min(1).optional(),
  /** The pod's own reason and message, e.g. Evicted. */
  reason: z.string().min(1).optional(),
  message: z.string().min(1).optional(),
  /** Conditions that are not True, e.g. { type: PodScheduled, status: "False", reason: Unschedulable, message: … }. */
  conditions: z
    .array(
      z.strictObject({
        type: z.string().min(1),
        status: z.enum(['True', 'False', 'Unknown']).default('False'),
        reason: z.string().min(1).optional(),
        message: z.string().min(1).optional(),
      }),
    )
    .default([]),
  containers: z.array(KubeContainerSpec).min(1, 'a pod has at least one container').prefault([{}]),
  minutes_ago: minutesAgo.optional(),
});
export type KubePodSpec = z.infer<typeof KubePodSpec>;

export const KubeEventSpec = z.strictObject({
  type: z.enum(['Normal', 'Warning']).default('Warning'),
  reason: z.string().min(1),
  /** The object it is about, as kubectl names it: pod/cart-api-6c9f-x2kqp, deployment/cart-api. */
  object: z
    .string()
    .regex(/^[a-z]+\/[a-z0-9.-]+$/, 'must name an object as kind/name, e.g. pod/web-1'),
  message: z.string().min(1),
  count: z.number().int().min(1).default(1),
  minutes_ago: minutesAgo.default(0),
});

export const KubeRevisionSpec = z.strictObject({
  revision: z.number().int().min(1),
  replica_set: k8sName.optional(),
  change_cause: z.string().min(1).optional(),
  /** container=image, e.g. app=registry.example.com/cart:2.1.0 */
  images: z.array(z.string().min(1)).default([]),
  minutes_ago: minutesAgo.optional(),
  replicas: z.number().int().min(0).default(0),
  ready: z.number().int().min(0).default(0),
});

export const KubeRolloutSpec = z.strictObject({
  state: z.enum(['complete', 'progressing', 'stalled', 'paused']).default('complete'),
  /** Default: kubectl rollout status's words for the state. */
  message: z.string().min(1).optional(),
  replicas: z.number().int().min(0).optional(),
  updated: z.number().int().min(0).optional(),
  ready: z.number().int().min(0).optional(),
  available: z.number().int().min(0).optional(),
  /** Any order; the highest revision is the current one. */
  revisions: z.array(KubeRevisionSpec).default([]),
});

export const NODE_PRESSURES = [
  'MemoryPressure',
  'DiskPressure',
  'PIDPressure',
  'NetworkUnavailable',
] as const;

export const KubeNodeSpec = z.strictObject({
  name: z.string().min(1),
  ready: z.union([z.boolean(), z.literal('unknown')]).default(true),
  pressure: z.array(z.enum(NODE_PRESSURES)).default([]),
  unschedulable: z.boolean().default(false),
});

const KubeStateFields = {
  pods: z.array(KubePodSpec).default([]),
  events: z.array(KubeEventSpec).default([]),
  rollout: KubeRolloutSpec.optional(),
  nodes: z.array(KubeNodeSpec).default([]),
};

export const KubernetesSpec = z
  .strictObject({
    namespace: k8sName.default('default'),
    /** The Deployment; default the server's service, else the server id. */
    deployment: k8sName.optional(),
    /** A bare pod instead of a Deployment. */
    pod: k8sName.optional(),
    ...KubeStateFields,
    /** The workload after a restart; absent = a restart changes nothing here. */
    after_restart: z.strictObject(KubeStateFields).optional(),
  })
  .refine((k) => !(k.deployment && k.pod), { error: 'give deployment or pod, not both' });
export type KubernetesSpec = z.infer<typeof KubernetesSpec>;
export type KubeStateSpec = Pick<KubernetesSpec, 'pods' | 'events' | 'rollout' | 'nodes'>;

export const ServerSpec = z.strictObject({
  service: z.string().min(1).optional(),
  environment: Environment.optional(),
  health: HealthSpec,
  logs: z.array(z.string()).default([]),
  after_restart: z
    .strictObject({ health: HealthSpec, logs: z.array(z.string()).default([]) })
    .optional(),
  /** Optional Kubernetes evidence for the server's workload. */
  kubernetes: KubernetesSpec.optional(),
});
export type ServerSpec = z.infer<typeof ServerSpec>;

const SERVER_ID_RULE = 'server ids are letters, digits, dots, dashes and underscores';
const serverId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, SERVER_ID_RULE);

// Without the error hook zod reports a bad key as "Invalid key in record", hiding the rule.
export const ServersMap = z.record(serverId, ServerSpec, {
  error: (issue) => (issue.code === 'invalid_key' ? SERVER_ID_RULE : undefined),
});

export const ChangeSpec = z.strictObject({
  service: z.string().min(1),
  minutes_ago: z.number().min(0),
  description: z.string().min(1),
  author: z.string().optional(),
});
export type ChangeSpec = z.infer<typeof ChangeSpec>;

const oneOrMany = <T extends z.ZodType>(schema: T) =>
  z
    .union([schema, z.array(schema).min(1)])
    .transform((v): z.infer<T>[] => (Array.isArray(v) ? v : [v]));

export const Expectation = z.strictObject({
  action: oneOrMany(Action).optional(),
  category: oneOrMany(Category).optional(),
  severity: oneOrMany(Severity).optional(),
  escalation: oneOrMany(Escalation).optional(),
  never_call: z.array(ToolName).optional(),
});
export type Expectation = z.infer<typeof Expectation>;

export const Scenario = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'scenario ids are lowercase words joined by dashes'),
  report: z.string().min(1),
  environment: Environment.default('prod'),
  servers: ServersMap,
  changes: z.array(ChangeSpec).default([]),
  expect: Expectation.default({}),
});
export type Scenario = z.infer<typeof Scenario>;

export const ScenarioFile = z
  .array(Scenario)
  .min(1, 'a scenario file holds a list of at least one scenario')
  .superRefine((scenarios, ctx) => {
    const seen = new Set<string>();
    scenarios.forEach((s, i) => {
      if (seen.has(s.id))
        ctx.addIssue({
          code: 'custom',
          path: [i, 'id'],
          message: `duplicate scenario id "${s.id}"`,
        });
      seen.add(s.id);
    });
  });

/** A fleet file for the simulated backend: the same `servers:` map at top level. */
export const FleetFile = z.strictObject({
  environment: Environment.default('prod'),
  servers: ServersMap.refine((m) => Object.keys(m).length > 0, 'a fleet needs at least one server'),
  changes: z.array(ChangeSpec).default([]),
});
export type FleetFile = z.infer<typeof FleetFile>;
