import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/domain/clock.ts';
import { ToolError } from '../../../src/tools/errors.ts';
import { kubeClients } from '../../../src/tools/kubernetes/api.ts';
import { loadKubeAccess } from '../../../src/tools/kubernetes/config.ts';
import {
  FIELD_MANAGER,
  KubernetesRestarter,
  RESTART_ID,
  RESTARTED_AT,
} from '../../../src/tools/kubernetes/restarter.ts';
import { ManualClock } from '../../../testing/clock.ts';
import { type KubeFixture, kubeconfigFile, startKube, testPki } from '../../support/kube.ts';
import { closedPort } from '../../support/loopback-http.ts';
import {
  deployment,
  type FakeCluster,
  fakeCluster,
  forbidden,
  k8sStatus,
  unauthorized,
} from '../../support/recorded-kubernetes.ts';

/**
 * The Kubernetes restarter through client-node's AppsV1Api, against a loopback HTTPS API server
 * answering in apps/v1 Deployment and meta/v1 Status shapes, with access loaded from a kubeconfig.
 */

const clock = new ManualClock('2025-03-01T09:00:00.000Z');
const STAMP = '2025-03-01T09:00:00Z';
const PATH = '/apis/apps/v1/namespaces/payments/deployments/payment-api';
const KEY = '0b6b2f5e-6a43-4e0c-9a0e-3f3d5c1f2a11';

async function failure(promise: Promise<unknown>): Promise<ToolError> {
  const error = await promise.catch((e: unknown) => e);
  if (!(error instanceof ToolError)) throw new Error(`expected a ToolError, got ${String(error)}`);
  return error;
}

describe('KubernetesRestarter', () => {
  let kube: KubeFixture;
  let cluster: FakeCluster;
  const restarter = (options: { namespaces?: string[]; timeoutMs?: number } = {}) =>
    new KubernetesRestarter({
      clients: kube.clients,
      namespaces: options.namespaces ?? ['payments', 'web'],
      targetOf: (id) =>
        id === 'payment-server-01' ? { namespace: 'payments', deployment: 'payment-api' } : null,
      clock,
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    });
  const methods = () => kube.server.requests.map((r) => r.method);

  beforeEach(async () => {
    cluster = fakeCluster({
      deployments: { 'payments/payment-api': deployment('payments', 'payment-api') },
    });
    kube = await startKube(cluster);
  });
  afterEach(() => kube.close());

  it('does what kubectl rollout restart does: a strategic-merge patch of restartedAt, carrying the key', async () => {
    const result = await restarter().restart('payment-server-01', undefined, { proposalId: KEY });
    expect(result).toEqual({
      detail: `rollout restart of deployment payments/payment-api started (restartedAt ${STAMP}, generation 10); Kubernetes replaces its pods gradually`,
    });
    const [get, patch] = kube.server.requests;
    expect(get?.method).toBe('GET');
    expect(get?.path).toBe(PATH);
    expect(get?.headers.authorization).toBe('Bearer sa-token-abc');
    expect(patch?.method).toBe('PATCH');
    expect(patch?.path).toBe(PATH);
    expect(patch?.query.get('fieldManager')).toBe(FIELD_MANAGER);
    expect(patch?.headers['content-type']).toBe('application/strategic-merge-patch+json');
    expect(JSON.parse(patch?.body ?? '')).toEqual({
      spec: {
        template: { metadata: { annotations: { [RESTARTED_AT]: STAMP, [RESTART_ID]: KEY } } },
      },
    });
  });

  it('without a key it patches restartedAt alone', async () => {
    await restarter().restart('payment-server-01');
    expect(JSON.parse(kube.server.last.body)).toEqual({
      spec: { template: { metadata: { annotations: { [RESTARTED_AT]: STAMP } } } },
    });
  });

  it('is idempotent: a second call with the same key reads, finds the key, and does not patch', async () => {
    const r = restarter();
    await r.restart('payment-server-01', undefined, { proposalId: KEY });
    kube.server.requests.length = 0;
    const again = await r.restart('payment-server-01', undefined, { proposalId: KEY });
    expect(again.alreadyApplied).toBe(true);
    expect(again.detail).toBe(
      `already restarted: deployment payments/payment-api already carries ${RESTART_ID}=${KEY} (restartedAt ${STAMP}), so this restart was applied before; not patched again`,
    );
    expect(methods()).toEqual(['GET']);
    // Another approval is another restart.
    await r.restart('payment-server-01', undefined, { proposalId: 'another-proposal' });
    expect(methods()).toEqual(['GET', 'GET', 'PATCH']);
  });

  it('status: done with the rollout’s progress, not_found for another key, unknown when it cannot read', async () => {
    const r = restarter();
    expect(await r.status('payment-server-01', KEY)).toEqual({
      state: 'not_found',
      detail: `deployment payments/payment-api does not carry ${RESTART_ID}=${KEY} (no restart id, restartedAt none): no restart with this key was applied`,
    });
    await r.restart('payment-server-01', undefined, { proposalId: KEY });
    const done = await r.status('payment-server-01', KEY);
    expect(done.state).toBe('done');
    // The fake bumps generation on a patch and the controller has not observed it yet.
    expect(done.detail).toBe(
      `deployment payments/payment-api carries ${RESTART_ID}=${KEY} (restartedAt ${STAMP}): the restart was applied; rollout progressing: Waiting for deployment spec update to be observed...`,
    );
    expect((await r.status('payment-server-01', 'other')).state).toBe('not_found');
    expect(methods().filter((m) => m === 'PATCH')).toHaveLength(1);

    cluster.overrides[`GET ${PATH}`] = {
      status: 403,
      body: forbidden('get', 'deployments', 'payments', 'payment-api'),
    };
    const unknown = await r.status('payment-server-01', KEY);
    expect(unknown.state).toBe('unknown');
    expect(unknown.detail).toMatch(
      new RegExp(
        `^could not tell whether restart ${KEY} of payment-server-01 happened: the bot's Role lacks \`get deployments \\(API group apps\\)\` in namespace payments`,
      ),
    );
    expect((await r.status('db-node-02', KEY)).state).toBe('unknown');
  });

  it('status reports a complete rollout once the controller has caught up', async () => {
    cluster.deployments['payments/payment-api'] = deployment('payments', 'payment-api', {
      annotations: { [RESTART_ID]: KEY, [RESTARTED_AT]: STAMP },
    });
    expect((await restarter().status('payment-server-01', KEY)).detail).toMatch(
      /rollout complete: deployment "payment-api" successfully rolled out$/,
    );
  });

  it('refuses a namespace outside KUBERNETES_NAMESPACES without calling the API', async () => {
    const e = await failure(restarter({ namespaces: ['web'] }).restart('payment-server-01'));
    expect(e.code).toBe('forbidden');
    expect(e.message).toBe(
      'the bot may not restart deployment payments/payment-api: namespace payments is not in KUBERNETES_NAMESPACES (web)',
    );
    expect(kube.server.requests).toHaveLength(0);
  });

  it('refuses a server with no known deployment', async () => {
    const e = await failure(restarter().restart('db-node-02'));
    expect(e.code).toBe('refused');
    expect(e.message).toMatch(/no Kubernetes deployment is known for db-node-02/);
  });

  it('refuses a paused deployment, as kubectl does, and patches nothing', async () => {
    cluster.deployments['payments/payment-api'] = deployment('payments', 'payment-api', {
      paused: true,
    });
    const e = await failure(restarter().restart('payment-server-01'));
    expect(e.code).toBe('conflict');
    expect(e.message).toMatch(/is paused.*nothing was changed.*kubectl rollout resume/);
    expect(methods()).toEqual(['GET']);
  });

  it.each([
    [
      'GET',
      401,
      'unauthorized',
      unauthorized,
      "Kubernetes rejected the bot's credentials (401 Unauthorized): the token or client certificate from kubeconfig",
    ],
    [
      'GET',
      403,
      'forbidden',
      forbidden('get', 'deployments', 'payments', 'payment-api'),
      `the bot's Role lacks \`get deployments (API group apps)\` in namespace payments: Kubernetes answered get deployment payment-api in namespace payments with 403 Forbidden ("deployments.apps "payment-api" is forbidden: User "system:serviceaccount:ops:lzo" cannot get`,
    ],
    [
      'GET',
      404,
      'not_found',
      k8sStatus(404, 'NotFound', 'deployments.apps "payment-api" not found'),
      'get deployment payment-api in namespace payments: not found (404) ("deployments.apps "payment-api" not found"); nothing was changed',
    ],
    [
      'PATCH',
      403,
      'forbidden',
      forbidden('patch', 'deployments', 'payments', 'payment-api'),
      "the bot's Role lacks `patch deployments (API group apps)` in namespace payments",
    ],
    [
      'PATCH',
      409,
      'conflict',
      k8sStatus(
        409,
        'Conflict',
        'Operation cannot be fulfilled on deployments.apps "payment-api": the object has been modified; please apply your changes to the latest version and try again',
      ),
      'Kubernetes reported a conflict on patch deployment payment-api in namespace payments (409)',
    ],
    [
      'PATCH',
      429,
      'rate_limited',
      k8sStatus(429, 'TooManyRequests', 'Too many requests, please try again later.'),
      'Kubernetes is throttling the bot (429) ("Too many requests, please try again later."); nothing was changed',
    ],
    [
      'PATCH',
      500,
      'unavailable',
      k8sStatus(500, 'InternalError', 'Internal error occurred: etcdserver: request timed out'),
      'answered patch deployment payment-api in namespace payments with 500 Internal Server Error ("Internal error occurred: etcdserver: request timed out"); the restart may or may not have been applied: check kubectl rollout status deployment/payment-api -n payments',
    ],
  ] as const)(
    '%s answered %i becomes %s with a message an on-call human understands',
    async (method, status, code, body, message) => {
      cluster.overrides[`${method} ${PATH}`] = { status, body };
      const e = await failure(restarter().restart('payment-server-01'));
      expect(e.code).toBe(code);
      expect(e.message).toContain(message);
      // A refusal (4xx) changed nothing; only a 5xx leaves the patch in doubt.
      if (status < 500) expect(e.message).toMatch(/nothing was changed$/);
      else expect(e.message).toMatch(/may or may not have been applied/);
      if (method === 'GET') expect(methods()).toEqual(['GET']);
    },
  );

  it('a patch that times out says the restart may or may not have happened', async () => {
    cluster.overrides[`PATCH ${PATH}`] = { status: 200, hang: true };
    const e = await failure(restarter({ timeoutMs: 300 }).restart('payment-server-01'));
    expect(e.code).toBe('timeout');
    expect(e.message).toMatch(
      /did not answer \(patch deployment payment-api in namespace payments\) within 300 ms; the restart may or may not have been applied: check kubectl rollout status deployment\/payment-api -n payments$/,
    );
  });

  it('honours the caller’s signal', async () => {
    cluster.overrides[`GET ${PATH}`] = { status: 200, hang: true };
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const e = await failure(restarter().restart('payment-server-01', controller.signal));
    expect(e.code).toBe('timeout');
    expect(e.message).toMatch(/was cancelled; nothing was changed$/);
  });

  it('never reports success when the returned Deployment lacks the new annotation', async () => {
    cluster.overrides[`PATCH ${PATH}`] = {
      status: 200,
      body: deployment('payments', 'payment-api'),
    };
    const e = await failure(restarter().restart('payment-server-01'));
    expect(e.message).toMatch(
      /does not carry kubectl\.kubernetes\.io\/restartedAt=2025-03-01T09:00:00Z .*the restart may not have happened/,
    );
  });

  it('an answer that is not a Deployment is not success', async () => {
    cluster.overrides[`PATCH ${PATH}`] = {
      status: 200,
      headers: { 'content-type': 'text/html' },
      body: '<html>proxy</html>',
    };
    const e = await failure(restarter().restart('payment-server-01'));
    expect(e.code).toBe('unavailable');
    expect(e.message).toMatch(
      /with something that is not a Deployment; the restart may or may not have been applied/,
    );
  });

  it('names the kubeconfig when the API server is unreachable', async () => {
    const access = await loadKubeAccess({
      env: {},
      kubeconfig: await kubeconfigFile(`https://127.0.0.1:${await closedPort()}`, 'token: t'),
    });
    const r = new KubernetesRestarter({
      clients: kubeClients(access),
      namespaces: ['payments'],
      targetOf: () => ({ namespace: 'payments', deployment: 'payment-api' }),
      clock: systemClock,
    });
    const e = await failure(r.restart('payment-server-01'));
    expect(e.code).toBe('unavailable');
    expect(e.message).toMatch(
      /is unreachable \(ECONNREFUSED\): check the cluster address in kubeconfig .*nothing was changed/,
    );
  });
});

describe('KubernetesRestarter over TLS with client certificates', () => {
  let kube: KubeFixture;
  beforeEach(async () => {
    kube = await startKube(
      fakeCluster({
        deployments: { 'payments/payment-api': deployment('payments', 'payment-api') },
      }),
      { requestCert: true },
    );
  });
  afterEach(() => kube.close());

  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const tlsRestarter = async (ca: string, withClientCert: boolean) => {
    const pki = testPki();
    const access = await loadKubeAccess({
      env: {},
      kubeconfig: await kubeconfigFile(
        kube.server.url,
        withClientCert
          ? `client-certificate-data: ${b64(pki.clientCert)}\nclient-key-data: ${b64(pki.clientKey)}`
          : 'token: t',
        { ca },
      ),
    });
    return new KubernetesRestarter({
      clients: kubeClients(access),
      namespaces: ['payments'],
      targetOf: () => ({ namespace: 'payments', deployment: 'payment-api' }),
      clock,
      timeoutMs: 3_000,
    });
  };

  it('verifies the API server against the kubeconfig CA and authenticates with a client certificate', async () => {
    const result = await (await tlsRestarter(testPki().ca, true)).restart('payment-server-01');
    expect(result.detail).toMatch(/rollout restart of deployment payments\/payment-api started/);
    expect(kube.server.requests[0]?.headers.authorization).toBeUndefined();
  });

  it('refuses a server whose certificate the CA did not sign', async () => {
    const e = await failure(
      (await tlsRestarter(testPki().otherCa, true)).restart('payment-server-01'),
    );
    expect(e.code).toBe('unavailable');
    expect(e.message).toMatch(
      /failed TLS verification \(.+\): check the cluster's certificate-authority/,
    );
  });

  it('without a client certificate the TLS handshake is refused by the server', async () => {
    const e = await failure((await tlsRestarter(testPki().ca, false)).restart('payment-server-01'));
    expect(e.code).toBe('unavailable');
  });
});
