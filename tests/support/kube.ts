import { type KubeClients, kubeClients } from '../../src/tools/kubernetes/api.ts';
import { type KubeAccess, loadKubeAccess } from '../../src/tools/kubernetes/config.ts';
import { LoopbackServer } from './loopback-http.ts';
import { apiServer, type FakeCluster } from './recorded-kubernetes.ts';
import { writeTempFile } from './temp-files.ts';
import { makeTestPki, type TestPki } from './test-certs.ts';

/**
 * A fake Kubernetes API server on loopback HTTPS (the test CA signs its certificate), and
 * client-node access to it through a real kubeconfig file, loaded the way the bot loads one.
 */

let pki: TestPki | null = null;
export function testPki(): TestPki {
  pki ??= makeTestPki();
  return pki;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** A kubeconfig for one cluster and user; `user` is the YAML body of the user entry. */
export async function kubeconfigFile(
  server: string,
  user: string,
  options: { ca?: string; context?: string } = {},
): Promise<string> {
  const ca = options.ca ?? testPki().ca;
  return writeTempFile(
    'kubeconfig',
    `apiVersion: v1
kind: Config
current-context: ${options.context ?? 'test'}
clusters:
  - name: test
    cluster:
      server: ${server}
      certificate-authority-data: ${b64(ca)}
users:
  - name: bot
    user:
${user
  .split('\n')
  .map((l) => `      ${l}`)
  .join('\n')}
contexts:
  - name: ${options.context ?? 'test'}
    context: { cluster: test, user: bot }
`,
  );
}

export type KubeFixture = {
  server: LoopbackServer;
  access: KubeAccess;
  clients: KubeClients;
  close: () => Promise<void>;
};

/** Starts the fake API server over `cluster` and loads access to it with a bearer token. */
export async function startKube(
  cluster: FakeCluster,
  options: { requestCert?: boolean; user?: string } = {},
): Promise<KubeFixture> {
  const p = testPki();
  const server = await LoopbackServer.start(apiServer(cluster), {
    key: p.serverKey,
    cert: p.serverCert,
    ca: p.ca,
    ...(options.requestCert ? { requestCert: true } : {}),
  });
  const access = await loadKubeAccess({
    env: {},
    kubeconfig: await kubeconfigFile(server.url, options.user ?? 'token: sa-token-abc'),
  });
  return { server, access, clients: kubeClients(access), close: () => server.close() };
}
