import type { KubernetesEvidence } from '../backends.ts';
import { ToolError } from '../errors.ts';

/** The Kubernetes backend, or one that says plainly it is not configured. */
export function kubernetesOf(backends: { kubernetes?: KubernetesEvidence }): KubernetesEvidence {
  return backends.kubernetes ?? NOT_CONFIGURED;
}

const notConfigured = (): never => {
  throw new ToolError(
    'unavailable',
    'Kubernetes evidence is not configured: set KUBERNETES_NAMESPACES (and KUBECONFIG, or run in the cluster)',
  );
};

const NOT_CONFIGURED: KubernetesEvidence = {
  name: 'kubernetes',
  workloadOf: () => null,
  describeWorkload: async () => notConfigured(),
  podLogs: async () => notConfigured(),
};
