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
});
