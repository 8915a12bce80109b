import { describe, expect, it } from 'vitest';
import { serversOfLabels } from '../../../src/operator/intake/webhooks.ts';

describe('serversOfLabels', () => {
  it("reads a kube-state-metrics node alert's node (kube-prometheus-stack KubeNodeNotReady)", () => {
    const labels = {
      alertname: 'KubeNodeNotReady',
      condition: 'Ready',
      status: 'true',
      node: 'ip-10-0-12-34.eu-west-1.compute.internal',
      job: 'kube-state-metrics',
      namespace: 'monitoring',
      severity: 'warning',
    };
    expect(serversOfLabels(labels)).toEqual(['ip-10-0-12-34.eu-west-1.compute.internal']);
  });

  it("never takes kube-state-metrics' own target for the subject (KubePodCrashLooping, KubeStatefulSetReplicasMismatch)", () => {
    const target = {
      job: 'kube-state-metrics',
      instance: '10.42.0.17:8080',
      service: 'kube-prometheus-stack-kube-state-metrics',
      endpoint: 'http',
    };
    expect(
      serversOfLabels({
        ...target,
        alertname: 'KubePodCrashLooping',
        namespace: 'shop',
        pod: 'payments-api-7c9d8f6b5d-x2kqz',
        container: 'api',
      }),
    ).toEqual(['payments-api-7c9d8f6b5d-x2kqz']);
    expect(
      serversOfLabels({
        ...target,
        alertname: 'KubeStatefulSetReplicasMismatch',
        statefulset: 'orders-db',
      }),
    ).toEqual(['orders-db']);
    // Any other exporter's instance is the machine it measures.
    expect(
      serversOfLabels({ job: 'node', instance: 'web-01:9100', alertname: 'HostHighCpuLoad' }),
    ).toEqual(['web-01']);
  });
});
