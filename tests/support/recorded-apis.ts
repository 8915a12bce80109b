/**
 * Response bodies in the shapes the real APIs send (Prometheus HTTP API v1, Loki query_range,
 * Kubernetes apps/v1 and meta/v1 Status, PagerDuty Events API v2), errors included, so backend
 * tests exercise the parsing real systems need.
 */

// --- Prometheus /api/v1/query ---

export function promVector(series: Array<{ labels: Record<string, string>; value: string }>) {
  return {
    status: 'success',
    data: {
      resultType: 'vector',
      result: series.map((s) => ({ metric: s.labels, value: [1740819600.123, s.value] })),
    },
  };
}

export const promEmpty = { status: 'success', data: { resultType: 'vector', result: [] } };

export const promBadData = {
  status: 'error',
  errorType: 'bad_data',
  error: 'invalid parameter "query": 1:15: parse error: unexpected "}" in label matching',
};

export const promTimeout = {
  status: 'error',
  errorType: 'timeout',
  error: 'query timed out in expression evaluation',
};

export const promMatrix = {
  status: 'success',
  data: {
    resultType: 'matrix',
    result: [{ metric: { instance: 'x' }, values: [[1740819600, '1']] }],
  },
};

// --- Loki /loki/api/v1/query_range ---

export function lokiStreams(
  streams: Array<{ labels: Record<string, string>; entries: Array<[bigint, string]> }>,
) {
  return {
    status: 'success',
    data: {
      resultType: 'streams',
      result: streams.map((s) => ({
        stream: s.labels,
        // direction=backward: newest first within a stream
        values: [...s.entries]
          .sort((a, b) => (a[0] > b[0] ? -1 : 1))
          .map(([ts, line]) => [String(ts), line]),
      })),
      stats: { summary: { bytesProcessedPerSecond: 1000, linesProcessedPerSecond: 10 } },
    },
  };
}

export const lokiNoOrgId = 'no org id\n';
export const lokiParseError =
  'parse error at line 1, col 2: syntax error: unexpected IDENTIFIER, expecting STRING\n';
export const lokiTooMany = 'too many outstanding requests\n';

// --- Kubernetes apps/v1 Deployment and meta/v1 Status ---

export function k8sDeployment(
  namespace: string,
  name: string,
  options: { generation?: number; paused?: boolean; annotations?: Record<string, string> } = {},
) {
  return {
    kind: 'Deployment',
    apiVersion: 'apps/v1',
    metadata: {
      name,
      namespace,
      uid: '0b6b2f5e-6a43-4e0c-9a0e-3f3d5c1f2a11',
      resourceVersion: '123456',
      generation: options.generation ?? 4,
      labels: { app: name },
    },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: name } },
      ...(options.paused ? { paused: true } : {}),
      template: {
        metadata: {
          labels: { app: name },
          ...(options.annotations ? { annotations: options.annotations } : {}),
        },
        spec: { containers: [{ name, image: `registry.example.com/${name}:2.4.1` }] },
      },
      strategy: {
        type: 'RollingUpdate',
        rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' },
      },
    },
    status: { observedGeneration: 4, replicas: 3, readyReplicas: 3, availableReplicas: 3 },
  };
}

export function k8sStatus(code: number, reason: string, message: string) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  };
}

export const k8sForbidden = (namespace: string, name: string, verb = 'patch') =>
  k8sStatus(
    403,
    'Forbidden',
    `deployments.apps "${name}" is forbidden: User "system:serviceaccount:ops:level-zero" cannot ${verb} resource "deployments" in API group "apps" in the namespace "${namespace}"`,
  );
export const k8sNotFound = (name: string) =>
  k8sStatus(404, 'NotFound', `deployments.apps "${name}" not found`);
export const k8sUnauthorized = k8sStatus(401, 'Unauthorized', 'Unauthorized');
export const k8sConflict = (name: string) =>
  k8sStatus(
    409,
    'Conflict',
    `Operation cannot be fulfilled on deployments.apps "${name}": the object has been modified; please apply your changes to the latest version and try again`,
  );
export const k8sTooMany = k8sStatus(
  429,
  'TooManyRequests',
  'Too many requests, please try again later.',
);
export const k8sInternal = k8sStatus(
  500,
  'InternalError',
  'Internal error occurred: etcdserver: request timed out',
);

// --- PagerDuty Events API v2 ---

export const pdAccepted = (dedupKey: string) => ({
  status: 'success',
  message: 'Event processed',
  dedup_key: dedupKey,
});
export const pdInvalid = {
  status: 'invalid event',
  message: 'Event object is invalid',
  errors: ["Length of 'routing_key' is incorrect (should be 32 characters)"],
};
export const pdThrottled = {
  status: 'throttle event',
  message: 'Requests for this service are arriving too quickly.  Please retry later.',
};
