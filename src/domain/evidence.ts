import { z } from 'zod';
import { ServerStatus } from './vocabulary.ts';

/** Evidence ids are short so a planner can cite them: E1, E2, … */
export const EvidenceId = z.string().regex(/^E\d+$/, 'evidence ids look like E1, E2, …');
export type EvidenceId = z.infer<typeof EvidenceId>;

export const EvidenceSource = z.object({
  /** The tool that answered (the tool layer declares them; the domain only needs a name). */
  tool: z.string().min(1),
  /** The server (or, for changes, the service) the tool was asked about. */
  subject: z.string(),
  /** Which backend answered: simulated, prometheus, loki, … */
  backend: z.string(),
  at: z.iso.datetime(),
  /** A dashboard or log-query link, when the backend has one. */
  link: z.url().optional(),
});
export type EvidenceSource = z.infer<typeof EvidenceSource>;

export const HealthReading = z.object({
  cpu: z.number().min(0).max(100),
  memory: z.number().min(0).max(100),
  status: ServerStatus,
});
export type HealthReading = z.infer<typeof HealthReading>;

export const Change = z.object({
  service: z.string(),
  at: z.iso.datetime(),
  description: z.string(),
  author: z.string().optional(),
});
export type Change = z.infer<typeof Change>;

// --- Kubernetes ---------------------------------------------------------------------------------
// The parts of a workload's state a first responder reads, as `kubectl describe` shows them: the
// field names and reasons are Kubernetes' own (core/v1 Pod, Event and Node, apps/v1 Deployment and
// ReplicaSet in the Kubernetes API reference), so a log signature written for them matches here too.

/** One container of a pod: its state now and how its last instance ended. */
export const KubernetesContainer = z.object({
  name: z.string(),
  /** An init container runs to completion before the others start. */
  init: z.boolean().default(false),
  image: z.string().optional(),
  ready: z.boolean(),
  restarts: z.number().int().min(0),
  state: z.enum(['running', 'waiting', 'terminated', 'unknown']),
  /** Waiting reason (CrashLoopBackOff, ImagePullBackOff, ErrImagePull, CreateContainerConfigError, …) or terminated reason. */
  reason: z.string().optional(),
  message: z.string().optional(),
  /** How the previous instance ended: OOMKilled exit 137, Error exit 1, … */
  lastTermination: z
    .object({
      reason: z.string().optional(),
      exitCode: z.number().int(),
      message: z.string().optional(),
      finishedAt: z.iso.datetime().optional(),
    })
    .optional(),
});
export type KubernetesContainer = z.infer<typeof KubernetesContainer>;

/** A pod condition that is not True (PodScheduled=False Unschedulable, Ready=False, …). */
export const KubernetesCondition = z.object({
  type: z.string(),
  status: z.string(),
  reason: z.string().optional(),
  message: z.string().optional(),
});
export type KubernetesCondition = z.infer<typeof KubernetesCondition>;

export const KubernetesPod = z.object({
  name: z.string(),
  /** Pending | Running | Succeeded | Failed | Unknown */
  phase: z.string(),
  ready: z.boolean(),
  node: z.string().optional(),
  /** The pod's own reason and message, e.g. Evicted: "The node was low on resource: memory." */
  reason: z.string().optional(),
  message: z.string().optional(),
  conditions: z.array(KubernetesCondition).default([]),
  containers: z.array(KubernetesContainer),
  createdAt: z.iso.datetime().optional(),
});
export type KubernetesPod = z.infer<typeof KubernetesPod>;

export const KubernetesEvent = z.object({
  /** Normal | Warning */
  type: z.string(),
  reason: z.string(),
  /** The object it is about, as kubectl names it: pod/checkout-7d9f-abc, deployment/checkout. */
  object: z.string(),
  message: z.string(),
  count: z.number().int().min(1),
  lastSeen: z.iso.datetime().optional(),
});
export type KubernetesEvent = z.infer<typeof KubernetesEvent>;

/** One ReplicaSet of a Deployment: a revision, and so a recent change. */
export const KubernetesRevision = z.object({
  revision: z.number().int().min(0),
  replicaSet: z.string(),
  /** The kubernetes.io/change-cause annotation, when whoever changed it recorded one. */
  changeCause: z.string().optional(),
  /** container=image, as the template names them. */
  images: z.array(z.string()),
  createdAt: z.iso.datetime().optional(),
  replicas: z.number().int().min(0),
  readyReplicas: z.number().int().min(0),
  current: z.boolean(),
});
export type KubernetesRevision = z.infer<typeof KubernetesRevision>;

export const KubernetesRollout = z.object({
  deployment: z.string(),
  /** kubectl rollout status, in one word: complete | progressing | stalled | paused. */
  state: z.enum(['complete', 'progressing', 'stalled', 'paused']),
  /** kubectl rollout status, in its words. */
  message: z.string(),
  replicas: z.number().int().min(0),
  updatedReplicas: z.number().int().min(0),
  readyReplicas: z.number().int().min(0),
  availableReplicas: z.number().int().min(0),
  /** Newest first. */
  revisions: z.array(KubernetesRevision),
});
export type KubernetesRollout = z.infer<typeof KubernetesRollout>;

export const KubernetesNode = z.object({
  name: z.string(),
  /** The Ready condition: True, False or Unknown (the kubelet stopped reporting). */
  ready: z.enum(['True', 'False', 'Unknown']),
  /** Conditions that are abnormal: MemoryPressure, DiskPressure, PIDPressure, NetworkUnavailable set True, Ready not True. */
  problems: z.array(KubernetesCondition),
  /** Cordoned: no new pods are scheduled on it. */
  unschedulable: z.boolean().default(false),
});
export type KubernetesNode = z.infer<typeof KubernetesNode>;

export const KubernetesLogs = z.object({
  pod: z.string(),
  container: z.string(),
  /** The previous (terminated) instance of the container, as `kubectl logs --previous`. */
  previous: z.boolean(),
  /** Redacted, capped, oldest first. */
  lines: z.array(z.string()),
  truncated: z.boolean(),
  /** Why there are no lines, in Kubernetes' words ("previous terminated container … not found"). */
  note: z.string().optional(),
});
export type KubernetesLogs = z.infer<typeof KubernetesLogs>;

/** A workload (a Deployment's pods, or one pod) as the bot found it. */
export const KubernetesWorkload = z.object({
  namespace: z.string(),
  workload: z.object({ kind: z.enum(['deployment', 'pod']), name: z.string() }),
  pods: z.array(KubernetesPod),
  /** Most relevant first: warnings, then newest. */
  events: z.array(KubernetesEvent),
  rollout: KubernetesRollout.nullable(),
  nodes: z.array(KubernetesNode),
  logs: z.array(KubernetesLogs),
  /** Parts that could not be read (a missing RBAC verb, a timeout), each a sentence. */
  gaps: z.array(z.string()).default([]),
});
export type KubernetesWorkload = z.infer<typeof KubernetesWorkload>;

export const EvidenceData = z.discriminatedUnion('kind', [
  HealthReading.extend({ kind: z.literal('health') }),
  z.object({ kind: z.literal('logs'), lines: z.array(z.string()), truncated: z.boolean() }),
  z.object({ kind: z.literal('changes'), changes: z.array(Change) }),
  KubernetesWorkload.extend({ kind: z.literal('kubernetes') }),
  /** A tool that failed is evidence too: "Prometheus unreachable" must reach the brief, not vanish. */
  z.object({ kind: z.literal('error'), message: z.string() }),
]);
export type EvidenceData = z.infer<typeof EvidenceData>;

export const Evidence = z.object({
  id: EvidenceId,
  source: EvidenceSource,
  /** One line a human can read in a brief. */
  summary: z.string(),
  data: EvidenceData,
});
export type Evidence = z.infer<typeof Evidence>;

export type HealthEvidence = Evidence & { data: Extract<EvidenceData, { kind: 'health' }> };
export type LogsEvidence = Evidence & { data: Extract<EvidenceData, { kind: 'logs' }> };
export type ChangesEvidence = Evidence & { data: Extract<EvidenceData, { kind: 'changes' }> };
export type KubernetesWorkloadEvidence = Evidence & {
  data: Extract<EvidenceData, { kind: 'kubernetes' }>;
};

export function isHealth(e: Evidence): e is HealthEvidence {
  return e.data.kind === 'health';
}
export function isLogs(e: Evidence): e is LogsEvidence {
  return e.data.kind === 'logs';
}
export function isChanges(e: Evidence): e is ChangesEvidence {
  return e.data.kind === 'changes';
}
export function isKubernetes(e: Evidence): e is KubernetesWorkloadEvidence {
  return e.data.kind === 'kubernetes';
}
