import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ToolError } from '../../../src/tools/errors.ts';
import { FileFormatError } from '../../../src/tools/fleet/load.ts';
import { kubeCall, kubeClients } from '../../../src/tools/kubernetes/api.ts';
import {
  type KubeAccess,
  loadKubeAccess,
  SERVICE_ACCOUNT_DIR,
} from '../../../src/tools/kubernetes/config.ts';
import { kubeconfigFile, testPki } from '../../support/kube.ts';
import { LoopbackServer } from '../../support/loopback-http.ts';
import { apiServer, fakeCluster } from '../../support/recorded-kubernetes.ts';
import { tempDir, writeTempFile } from '../../support/temp-files.ts';

/**
 * Kubeconfig loading is client-node's (KubeConfig.loadFromFile, loadFromCluster, exec
 * credential plugins, client certificates); these tests prove the bot's order of discovery, its
 * start-up checks, and that the credentials really reach a loopback HTTPS API server.
 */

let server: LoopbackServer;
let mtls: LoopbackServer;
beforeAll(async () => {
  const pki = testPki();
  const tls = { key: pki.serverKey, cert: pki.serverCert, ca: pki.ca };
  server = await LoopbackServer.start(apiServer(fakeCluster()), tls);
  mtls = await LoopbackServer.start(apiServer(fakeCluster()), { ...tls, requestCert: true });
});
afterAll(async () => {
  await server.close();
  await mtls.close();
});
afterEach(() => {
  server.requests.length = 0;
  mtls.requests.length = 0;
  vi.unstubAllEnvs();
});

/** One list call through client-node; returns the Authorization header the server saw. */
async function authorizationSeen(access: KubeAccess, at = server): Promise<string | undefined> {
  const before = at.requests.length;
  await kubeCall(access, { verb: 'list', resource: 'pods', namespace: 'shop' }, (o) =>
    kubeClients(access).core.listNamespacedPod({ namespace: 'shop' }, o),
  );
  expect(at.requests).toHaveLength(before + 1);
  return at.requests.at(-1)?.headers.authorization;
}

async function error(promise: Promise<unknown>): Promise<Error> {
  const e = await promise.catch((x: unknown) => x);
  if (!(e instanceof Error)) throw new Error('expected an error');
  return e;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('loadKubeAccess: kubeconfig through client-node', () => {
  it('uses the current context and its bearer token', async () => {
    const file = await kubeconfigFile(server.url, 'token: abc123');
    const access = await loadKubeAccess({ env: {}, kubeconfig: file });
    expect(access.source).toBe(`kubeconfig ${file} (context test)`);
    expect(access.server).toBe(server.url);
    expect(await authorizationSeen(access)).toBe('Bearer abc123');
  });

  it('client certificate files, relative to the kubeconfig, authenticate over mutual TLS', async () => {
    const dir = tempDir();
    const pki = testPki();
    await writeFile(join(dir, 'client.crt'), pki.clientCert);
    await writeFile(join(dir, 'client.key'), pki.clientKey);
    await writeFile(join(dir, 'ca.pem'), pki.ca);
    const file = join(dir, 'config');
    await writeFile(
      file,
      `apiVersion: v1
kind: Config
current-context: prod
clusters:
  - name: prod
    cluster: { server: "${mtls.url}", certificate-authority: ca.pem }
users:
  - name: admin
    user: { client-certificate: client.crt, client-key: client.key }
contexts:
  - name: prod
    context: { cluster: prod, user: admin }
`,
    );
    const access = await loadKubeAccess({ env: {}, kubeconfig: file });
    expect(await authorizationSeen(access, mtls)).toBeUndefined();
    // The same server refuses a client without the certificate.
    const anonymous = await loadKubeAccess({
      env: {},
      kubeconfig: await kubeconfigFile(mtls.url, 'token: t'),
    });
    expect((await error(authorizationSeen(anonymous, mtls))).message).toMatch(/unreachable|TLS/);
  });

  it('runs an exec credential plugin (aws eks get-token style) and caches its token', async () => {
    const dir = tempDir();
    const counter = join(dir, 'calls');
    const plugin = join(dir, 'get-token.sh');
    await writeFile(
      plugin,
      `#!/bin/sh
echo x >> ${counter}
cat <<JSON
{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"exec-$CLUSTER_NAME-$1","expirationTimestamp":"2999-01-01T00:00:00Z"}}
JSON
`,
    );
    await chmod(plugin, 0o755);
    const file = await kubeconfigFile(
      server.url,
      `exec:
  apiVersion: client.authentication.k8s.io/v1
  command: ${plugin}
  args: [prod]
  env: [{ name: CLUSTER_NAME, value: eks }]
  interactiveMode: Never`,
    );
    const access = await loadKubeAccess({ env: {}, kubeconfig: file });
    expect(await authorizationSeen(access)).toBe('Bearer exec-eks-prod');
    expect(await authorizationSeen(access)).toBe('Bearer exec-eks-prod');
    expect((await readFile(counter, 'utf8')).trim().split('\n')).toHaveLength(1);
  });

  it('a failing exec plugin is an unauthorized error naming the command; nothing reaches the API', async () => {
    const file = await kubeconfigFile(
      server.url,
      'exec:\n  apiVersion: client.authentication.k8s.io/v1\n  command: /nonexistent/aws\n  args: [eks, get-token]',
    );
    const access = await loadKubeAccess({ env: {}, kubeconfig: file });
    const e = await error(authorizationSeen(access));
    expect(e).toBeInstanceOf(ToolError);
    expect((e as ToolError).code).toBe('unauthorized');
    expect(e.message).toMatch(
      /could not get credentials .* \(spawn \/nonexistent\/aws ENOENT\): the kubeconfig's credential plugin "\/nonexistent\/aws" failed; check that it is installed and logged in/,
    );
    expect(server.requests).toHaveLength(0);
  });

  it('merges a KUBECONFIG list as kubectl does: first definition wins; KUBERNETES_CONTEXT overrides', async () => {
    const ca = b64(testPki().ca);
    const a = await writeTempFile(
      'a',
      `apiVersion: v1
kind: Config
current-context: dev
clusters:
  - name: dev
    cluster: { server: "https://dev.example.com", certificate-authority-data: ${ca} }
contexts:
  - name: dev
    context: { cluster: dev, user: bot }
users:
  - name: bot
    user: { token: from-a }
`,
    );
    const b = await writeTempFile(
      'b',
      `apiVersion: v1
kind: Config
current-context: prod
clusters:
  - name: prod
    cluster: { server: "${server.url}", certificate-authority-data: ${ca} }
contexts:
  - name: prod
    context: { cluster: prod, user: bot }
users:
  - name: bot
    user: { token: from-b }
`,
    );
    const merged = await loadKubeAccess({ env: {}, kubeconfig: [a, b].join(delimiter) });
    expect(merged.source).toContain('(context dev)');
    const prod = await loadKubeAccess({
      env: {},
      kubeconfig: [a, b].join(delimiter),
      context: 'prod',
    });
    expect(prod.server).toBe(server.url);
    expect(await authorizationSeen(prod)).toBe('Bearer from-a');
  });

  const config = (body: string) => `apiVersion: v1\nkind: Config\n${body}`;
  const cluster = `clusters:\n  - name: c\n    cluster: { server: "https://k8s.example.com:6443" }\n`;
  it.each([
    [
      'no current context',
      config(`${cluster}contexts:\n  - name: x\n    context: { cluster: c }\n`),
      undefined,
      /no current-context: set one with kubectl config use-context, or set KUBERNETES_CONTEXT/,
    ],
    [
      'an unknown context',
      config(`${cluster}contexts:\n  - name: x\n    context: { cluster: c }\n`),
      'staging',
      /context "staging" \(KUBERNETES_CONTEXT\) is not defined \(known: x\)/,
    ],
    [
      'an unknown cluster',
      config('current-context: x\ncontexts:\n  - name: x\n    context: { cluster: nope }\n'),
      undefined,
      /context "x" names cluster "nope", which is not defined/,
    ],
    [
      'an unknown user',
      config(
        `current-context: x\n${cluster}contexts:\n  - name: x\n    context: { cluster: c, user: ghost }\n`,
      ),
      undefined,
      /context "x" names user "ghost", which is not defined/,
    ],
    [
      'a server that is not a URL',
      config(
        'current-context: x\nclusters:\n  - name: c\n    cluster: { server: "k8s:6443:x" }\ncontexts:\n  - name: x\n    context: { cluster: c }\n',
      ),
      undefined,
      /cluster "c": server must be an http\(s\) URL/,
    ],
    [
      'plain http without insecure-skip-tls-verify',
      config(
        'current-context: x\nclusters:\n  - name: c\n    cluster: { server: "http://k8s:8080" }\ncontexts:\n  - name: x\n    context: { cluster: c }\n',
      ),
      undefined,
      /plain http:\/\/ is refused unless insecure-skip-tls-verify: true/,
    ],
    [
      'a cluster entry without a server',
      config('clusters:\n  - name: c\n    cluster: {}\n'),
      undefined,
      /not a valid kubeconfig: clusters\[0\]\.cluster\.server is missing/,
    ],
    [
      'a certificate file that cannot be read',
      config(
        'current-context: x\nclusters:\n  - name: c\n    cluster: { server: "https://k8s:6443", certificate-authority: missing-ca.pem }\ncontexts:\n  - name: x\n    context: { cluster: c }\n',
      ),
      undefined,
      /cluster "c" certificate-authority: cannot read .*missing-ca\.pem \(ENOENT\)/,
    ],
  ])('refuses %s at start, naming the file', async (_, text, context, message) => {
    const file = await writeTempFile('config', text);
    const e = await error(loadKubeAccess({ env: {}, kubeconfig: file, context }));
    expect(e).toBeInstanceOf(FileFormatError);
    expect(e.message).toContain(file);
    expect(e.message).toMatch(message);
  });

  it('names a kubeconfig that cannot be read', async () => {
    const e = await error(loadKubeAccess({ env: {}, kubeconfig: '/nonexistent/kubeconfig' }));
    expect(e.message).toMatch(
      /\/nonexistent\/kubeconfig .*cannot read this kubeconfig \(KUBECONFIG\): ENOENT/s,
    );
  });
});

describe('loadKubeAccess: discovery', () => {
  it('uses the in-cluster service account (client-node loadFromCluster) when KUBERNETES_SERVICE_HOST is set', async () => {
    const root = tempDir();
    const sa = join(root, SERVICE_ACCOUNT_DIR);
    await mkdir(sa, { recursive: true });
    await writeFile(join(sa, 'token'), 'sa-token');
    await writeFile(join(sa, 'ca.crt'), testPki().ca);
    await writeFile(join(sa, 'namespace'), 'ops');
    const port = new URL(server.url).port;
    vi.stubEnv('KUBERNETES_SERVICE_HOST', '127.0.0.1');
    vi.stubEnv('KUBERNETES_SERVICE_PORT', port);
    const access = await loadKubeAccess({
      env: process.env,
      serviceAccountRoot: root,
      home: tempDir(),
    });
    expect(access.source).toBe('in-cluster service account');
    expect(access.server).toBe(server.url);
    expect(await authorizationSeen(access)).toBe('Bearer sa-token');
  });

  it('falls back to ~/.kube/config, and explains when there is nothing', async () => {
    const home = tempDir();
    await mkdir(join(home, '.kube'));
    await writeFile(
      join(home, '.kube', 'config'),
      await readFile(await kubeconfigFile(server.url, 'token: home-token'), 'utf8'),
    );
    const env = { KUBERNETES_SERVICE_HOST: undefined };
    const access = await loadKubeAccess({ env, home, serviceAccountRoot: tempDir() });
    expect(access.source).toBe(`kubeconfig ${join(home, '.kube', 'config')} (context test)`);
    expect(await authorizationSeen(access)).toBe('Bearer home-token');
    const e = await error(loadKubeAccess({ env, home: tempDir(), serviceAccountRoot: tempDir() }));
    expect(e.message).toMatch(
      /no credentials were found: not running in a cluster .*\(set KUBECONFIG\)/,
    );
  });
});
