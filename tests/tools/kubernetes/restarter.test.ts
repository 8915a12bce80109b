import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ToolError } from '../../../src/tools/errors.ts';
import { loadKubeCredentials } from '../../../src/tools/kubernetes/credentials.ts';
import {
  FIELD_MANAGER,
  KubernetesRestarter,
  RESTARTED_AT,
} from '../../../src/tools/kubernetes/restarter.ts';
import { ManualClock } from '../../support/clock.ts';
import {
  closedPort,
  type LoopbackHandler,
  type LoopbackRequest,
  LoopbackServer,
} from '../../support/loopback-http.ts';
import {
  k8sConflict,
  k8sDeployment,
  k8sForbidden,
  k8sInternal,
  k8sNotFound,
  k8sTooMany,
  k8sUnauthorized,
} from '../../support/recorded-apis.ts';
import { writeTempFile } from '../../support/temp-files.ts';
import { makeTestPki, type TestPki } from '../../support/test-certs.ts';

/**
 * The Kubernetes restarter against a loopback API server answering in apps/v1 and Status shapes,
 * through the real node:https transport and real kubeconfig loading.
 */

const clock = new ManualClock('2025-03-01T09:00:00.000Z');
const STAMP = '2025-03-01T09:00:00Z';
const PATH = '/apis/apps/v1/namespaces/payments/deployments/payment-api';

/** A fake API server that keeps one Deployment and applies the restartedAt patch like Kubernetes. */
function apiServer(overrides: { get?: LoopbackHandler; patch?: LoopbackHandler } = {}) {
  const annotations: Record<string, string> = {};
  return (req: LoopbackRequest) => {
    if (req.path !== PATH) return { status: 404, body: k8sNotFound('x') };
    if (req.method === 'GET')
      return (
        overrides.get?.(req) ?? { status: 200, body: k8sDeployment('payments', 'payment-api') }
      );
    if (req.method === 'PATCH') {
      if (overrides.patch) return overrides.patch(req);
      const patch = JSON.parse(req.body) as {
        spec: { template: { metadata: { annotations: Record<string, string> } } };
      };
      Object.assign(annotations, patch.spec.template.metadata.annotations);
      return {
        status: 200,
        body: k8sDeployment('payments', 'payment-api', { generation: 5, annotations }),
      };
    }
    return { status: 405, body: 'method not allowed' };
  };
}

async function kubeconfig(server: string, user: string): Promise<string> {
  return writeTempFile(
    'kubeconfig',
    `apiVersion: v1
kind: Config
current-context: test
clusters:
  - name: test
    cluster:
      server: ${server}
users:
  - name: bot
    user:
${user}
contexts:
  - name: test
    context: { cluster: test, user: bot }
`,
  );
}

async function failure(promise: Promise<unknown>): Promise<ToolError> {
  const error = await promise.catch((e: unknown) => e);
  if (!(error instanceof ToolError)) throw new Error(`expected a ToolError, got ${String(error)}`);
  return error;
}

describe('KubernetesRestarter over HTTP', () => {
  let server: LoopbackServer;
  let restarter: (options?: {
    namespaces?: string[];
    timeoutMs?: number;
  }) => Promise<KubernetesRestarter>;

  beforeEach(async () => {
    server = await LoopbackServer.start(apiServer());
    const file = await kubeconfig(server.url, '      token: sa-token-abc');
    const credentials = await loadKubeCredentials({ kubeconfig: file });
    restarter = async (options = {}) =>
      new KubernetesRestarter({
        credentials,
        namespaces: options.namespaces ?? ['payments', 'web'],
        targetOf: (id) =>
          id === 'payment-server-01' ? { namespace: 'payments', deployment: 'payment-api' } : null,
        now: clock.now,
        ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      });
  });
  afterEach(() => server.close());

  it('does what kubectl rollout restart does: a strategic-merge patch of restartedAt', async () => {
    const result = await (await restarter()).restart('payment-server-01');
    expect(result.detail).toBe(
      `rollout restart of deployment payments/payment-api started (restartedAt ${STAMP}, generation 5); Kubernetes replaces its pods gradually`,
    );
    const [get, patch] = server.requests;
    expect(get?.method).toBe('GET');
    expect(get?.path).toBe(PATH);
    expect(get?.headers.authorization).toBe('Bearer sa-token-abc');
    expect(patch?.method).toBe('PATCH');
    expect(patch?.path).toBe(PATH);
    expect(patch?.query.get('fieldManager')).toBe(FIELD_MANAGER);
    expect(patch?.headers['content-type']).toBe('application/strategic-merge-patch+json');
    expect(JSON.parse(patch?.body ?? '')).toEqual({
      spec: { template: { metadata: { annotations: { [RESTARTED_AT]: STAMP } } } },
    });
  });

  it('refuses a namespace outside KUBERNETES_NAMESPACES without calling the API', async () => {
    const e = await failure(
      (await restarter({ namespaces: ['web'] })).restart('payment-server-01'),
    );
    expect(e.code).toBe('forbidden');
    expect(e.message).toBe(
      'the bot may not restart deployment payments/payment-api: namespace payments is not in KUBERNETES_NAMESPACES (web)',
    );
    expect(server.requests).toHaveLength(0);
  });

  it('refuses a server with no known deployment', async () => {
    const e = await failure((await restarter()).restart('db-node-02'));
    expect(e.code).toBe('refused');
    expect(e.message).toMatch(/no Kubernetes deployment is known for db-node-02/);
  });

  it('refuses a paused deployment, as kubectl does, and patches nothing', async () => {
    server.handler = apiServer({
      get: () => ({
        status: 200,
        body: k8sDeployment('payments', 'payment-api', { paused: true }),
      }),
    });
    const e = await failure((await restarter()).restart('payment-server-01'));
    expect(e.code).toBe('conflict');
    expect(e.message).toMatch(/is paused.*nothing was changed.*kubectl rollout resume/);
    expect(server.requests.map((r) => r.method)).toEqual(['GET']);
  });

  it.each([
    [
      'get',
      401,
      'unauthorized',
      k8sUnauthorized,
      `Kubernetes rejected the bot's credentials (401) ("Unauthorized"): the token or client certificate from kubeconfig`,
    ],
    [
      'get',
      403,
      'forbidden',
      k8sForbidden('payments', 'payment-api', 'get'),
      `Kubernetes refused the read (403) ("deployments.apps "payment-api" is forbidden: User "system:serviceaccount:ops:level-zero" cannot get`,
    ],
    [
      'get',
      404,
      'not_found',
      k8sNotFound('payment-api'),
      'deployment payments/payment-api was not found (404) ("deployments.apps "payment-api" not found"): check restart.kubernetes',
    ],
    [
      'patch',
      403,
      'forbidden',
      k8sForbidden('payments', 'payment-api'),
      'Kubernetes refused the patch (403) ("deployments.apps "payment-api" is forbidden',
    ],
    [
      'patch',
      409,
      'conflict',
      k8sConflict('payment-api'),
      'Kubernetes reported a conflict on deployment payments/payment-api (409)',
    ],
    [
      'patch',
      429,
      'rate_limited',
      k8sTooMany,
      'Kubernetes is throttling the bot (429) ("Too many requests, please try again later."): nothing was changed',
    ],
    [
      'patch',
      500,
      'unavailable',
      k8sInternal,
      'answered the patch of deployment payments/payment-api with 500 Internal Server Error ("Internal error occurred: etcdserver: request timed out"); the restart may or may not have been applied',
    ],
  ] as const)(
    '%s answered %i becomes %s with a message an on-call human understands',
    async (step, status, code, body, message) => {
      server.handler = apiServer({ [step]: () => ({ status, body }) });
      const e = await failure((await restarter()).restart('payment-server-01'));
      expect(e.code).toBe(code);
      expect(e.message).toContain(message);
      if (step === 'patch' && status === 403)
        expect(e.message).toMatch(
          /the bot's Role must allow patch on deployments in namespace payments; nothing was changed$/,
        );
    },
  );

  it('a patch that times out is a failure that says the restart may or may not have happened', async () => {
    server.handler = apiServer({ patch: () => ({ status: 200, hang: true }) });
    const e = await failure((await restarter({ timeoutMs: 150 })).restart('payment-server-01'));
    expect(e.code).toBe('timeout');
    expect(e.message).toMatch(
      /did not answer the patch of deployment payments\/payment-api within 150 ms; the restart may or may not have been applied: check kubectl rollout status deployment\/payment-api -n payments/,
    );
  });

  it('honours the caller’s signal', async () => {
    server.handler = apiServer({ get: () => ({ status: 200, hang: true }) });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const e = await failure((await restarter()).restart('payment-server-01', controller.signal));
    expect(e.code).toBe('timeout');
    expect(e.message).toMatch(/nothing was changed/);
  });

  it('never reports success when the returned Deployment lacks the new annotation', async () => {
    server.handler = apiServer({
      patch: () => ({ status: 200, body: k8sDeployment('payments', 'payment-api') }),
    });
    const e = await failure((await restarter()).restart('payment-server-01'));
    expect(e.message).toMatch(
      /does not carry kubectl\.kubernetes\.io\/restartedAt=2025-03-01T09:00:00Z/,
    );
  });

  it('an answer that is not a Deployment is not success', async () => {
    server.handler = apiServer({ patch: () => ({ status: 200, body: '<html>proxy</html>' }) });
    const e = await failure((await restarter()).restart('payment-server-01'));
    expect(e.message).toMatch(/not a Deployment.*may or may not have been applied/);
  });

  it('names the kubeconfig when the API server is unreachable', async () => {
    const file = await kubeconfig(`http://127.0.0.1:${await closedPort()}`, '      token: t');
    const r = new KubernetesRestarter({
      credentials: await loadKubeCredentials({ kubeconfig: file }),
      namespaces: ['payments'],
      targetOf: () => ({ namespace: 'payments', deployment: 'payment-api' }),
    });
    const e = await failure(r.restart('payment-server-01'));
    expect(e.code).toBe('unavailable');
    expect(e.message).toMatch(
      /is unreachable \(ECONNREFUSED\): check the cluster address in kubeconfig .*nothing was changed/,
    );
  });
});

describe('KubernetesRestarter over TLS', () => {
  let pki: TestPki;
  let server: LoopbackServer;

  beforeAll(async () => {
    pki = makeTestPki();
    server = await LoopbackServer.start(apiServer(), {
      key: pki.serverKey,
      cert: pki.serverCert,
      ca: pki.ca,
      requestCert: true,
    });
  });
  afterAll(() => server.close());

  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const tlsRestarter = async (caData: string, withClientCert: boolean) => {
    const file = await writeTempFile(
      'kubeconfig',
      `apiVersion: v1
kind: Config
current-context: tls
clusters:
  - name: tls
    cluster:
      server: ${server.url}
      certificate-authority-data: ${b64(caData)}
users:
  - name: admin
    user:${withClientCert ? `\n      client-certificate-data: ${b64(pki.clientCert)}\n      client-key-data: ${b64(pki.clientKey)}` : ' {}'}
contexts:
  - name: tls
    context: { cluster: tls, user: admin }
`,
    );
    return new KubernetesRestarter({
      credentials: await loadKubeCredentials({ kubeconfig: file }),
      namespaces: ['payments'],
      targetOf: () => ({ namespace: 'payments', deployment: 'payment-api' }),
      now: clock.now,
      timeoutMs: 3_000,
    });
  };

  it('verifies the API server against the kubeconfig CA and authenticates with a client certificate', async () => {
    const result = await (await tlsRestarter(pki.ca, true)).restart('payment-server-01');
    expect(result.detail).toMatch(/rollout restart of deployment payments\/payment-api started/);
  });

  it('refuses a server whose certificate the CA did not sign', async () => {
    const e = await failure((await tlsRestarter(pki.otherCa, true)).restart('payment-server-01'));
    expect(e.code).toBe('unavailable');
    expect(e.message).toMatch(
      /failed TLS verification \(.+\): check the cluster's certificate-authority/,
    );
  });
});
