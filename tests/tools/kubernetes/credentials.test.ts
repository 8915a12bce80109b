import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileFormatError } from '../../../src/tools/fleet/load.ts';
import { loadKubeCredentials } from '../../../src/tools/kubernetes/credentials.ts';
import { tempDir, writeTempFile } from '../../support/temp-files.ts';

const config = (contexts: string, users: string, extra = '') => `apiVersion: v1
kind: Config
${extra}
clusters:
  - name: prod
    cluster:
      server: https://k8s.example.com:6443
      certificate-authority: ca.pem
  - name: dev
    cluster:
      server: https://dev.example.com
      insecure-skip-tls-verify: true
contexts:
${contexts}
users:
${users}
`;

async function inDir(dir: string, name: string, content: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, content);
  return file;
}

async function error(promise: Promise<unknown>): Promise<Error> {
  const e = await promise.catch((x: unknown) => x);
  if (!(e instanceof Error)) throw new Error('expected an error');
  return e;
}

describe('loadKubeCredentials: kubeconfig', () => {
  it('uses the current context: server, CA file relative to the kubeconfig, bearer token', async () => {
    const dir = tempDir();
    await inDir(dir, 'ca.pem', 'CA-PEM');
    const file = await inDir(
      dir,
      'config',
      config(
        '  - name: prod\n    context: { cluster: prod, user: bot }',
        '  - name: bot\n    user: { token: abc123 }',
        'current-context: prod',
      ),
    );
    const c = await loadKubeCredentials({ kubeconfig: file });
    expect(c.server.href).toBe('https://k8s.example.com:6443/');
    expect(c.ca?.toString()).toBe('CA-PEM');
    expect(c.insecureSkipTlsVerify).toBe(false);
    expect(await c.authorization()).toBe('Bearer abc123');
    expect(c.source).toBe(`kubeconfig ${file} (context prod)`);
  });

  it('re-reads a tokenFile at every request (rotated tokens)', async () => {
    const dir = tempDir();
    const tokenFile = await inDir(dir, 'token', 'first\n');
    const file = await inDir(
      dir,
      'config',
      config(
        '  - name: dev\n    context: { cluster: dev, user: bot }',
        '  - name: bot\n    user: { tokenFile: token }',
        'current-context: dev',
      ),
    );
    const c = await loadKubeCredentials({ kubeconfig: file });
    expect(c.insecureSkipTlsVerify).toBe(true);
    expect(await c.authorization()).toBe('Bearer first');
    await writeFile(tokenFile, 'second\n');
    expect(await c.authorization()).toBe('Bearer second');
  });

  it('runs an exec credential plugin (EKS/GKE style) and caches its token', async () => {
    const dir = tempDir();
    await inDir(dir, 'ca.pem', 'CA');
    const counter = join(dir, 'calls');
    const plugin = await inDir(
      dir,
      'get-token.sh',
      `#!/bin/sh
echo x >> ${counter}
cat <<JSON
{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"exec-$CLUSTER_NAME-$(echo "$KUBERNETES_EXEC_INFO" | grep -c ExecCredential)","expirationTimestamp":"2999-01-01T00:00:00Z"}}
JSON
`,
    );
    await chmod(plugin, 0o755);
    const file = await inDir(
      dir,
      'config',
      config(
        '  - name: prod\n    context: { cluster: prod, user: eks }',
        `  - name: eks
    user:
      exec:
        apiVersion: client.authentication.k8s.io/v1
        command: ${plugin}
        args: [--cluster, prod]
        env: [{ name: CLUSTER_NAME, value: prod }]`,
        'current-context: prod',
      ),
    );
    const c = await loadKubeCredentials({ kubeconfig: file, env: { PATH: process.env.PATH } });
    expect(await c.authorization()).toBe('Bearer exec-prod-1');
    expect(await c.authorization()).toBe('Bearer exec-prod-1');
    const { readFile } = await import('node:fs/promises');
    expect((await readFile(counter, 'utf8')).trim().split('\n')).toHaveLength(1);
  });

  it('a failing exec plugin is an unauthorized error naming the command', async () => {
    const file = await writeTempFile(
      'config',
      config(
        '  - name: prod\n    context: { cluster: prod, user: eks }',
        '  - name: eks\n    user:\n      exec: { command: /nonexistent/aws, args: [eks, get-token] }',
        'current-context: prod',
      ),
    );
    await writeFile(join(file, '..', 'ca.pem'), 'CA');
    const c = await loadKubeCredentials({ kubeconfig: file });
    const e = await error(c.authorization());
    expect(e.message).toMatch(/credential plugin "\/nonexistent\/aws" failed/);
  });

  it('merges a KUBECONFIG list: first definition wins, KUBERNETES_CONTEXT overrides', async () => {
    const dir = tempDir();
    await inDir(dir, 'ca.pem', 'CA');
    const a = await inDir(
      dir,
      'a',
      config(
        '  - name: dev\n    context: { cluster: dev, user: bot }',
        '  - name: bot\n    user: { token: from-a }',
        'current-context: dev',
      ),
    );
    const b = await inDir(
      dir,
      'b',
      'apiVersion: v1\nkind: Config\ncontexts:\n  - name: prod\n    context: { cluster: prod, user: bot }\nusers:\n  - name: bot\n    user: { token: from-b }\n',
    );
    const c = await loadKubeCredentials({ kubeconfig: [a, b].join(delimiter), context: 'prod' });
    expect(c.server.host).toBe('k8s.example.com:6443');
    expect(await c.authorization()).toBe('Bearer from-a');
  });

  it('client certificate files and basic auth', async () => {
    const dir = tempDir();
    await inDir(dir, 'ca.pem', 'CA');
    await inDir(dir, 'client.crt', 'CERT');
    await inDir(dir, 'client.key', 'KEY');
    const file = await inDir(
      dir,
      'config',
      config(
        '  - name: prod\n    context: { cluster: prod, user: admin }\n  - name: basic\n    context: { cluster: dev, user: old }',
        '  - name: admin\n    user: { client-certificate: client.crt, client-key: client.key }\n  - name: old\n    user: { username: u, password: p }',
        'current-context: prod',
      ),
    );
    const c = await loadKubeCredentials({ kubeconfig: file });
    expect(c.cert?.toString()).toBe('CERT');
    expect(c.key?.toString()).toBe('KEY');
    expect(await c.authorization()).toBeNull();
    const basic = await loadKubeCredentials({ kubeconfig: file, context: 'basic' });
    expect(await basic.authorization()).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
  });

  it.each([
    [
      'no current context',
      config('  - name: prod\n    context: { cluster: prod }', '  []'),
      undefined,
      /no current-context/,
    ],
    [
      'an unknown context',
      config('  - name: prod\n    context: { cluster: prod }', '  []'),
      'staging',
      /context "staging" is not defined \(known: prod\)/,
    ],
    [
      'an unknown cluster',
      config('  - name: x\n    context: { cluster: nope }', '  []', 'current-context: x'),
      undefined,
      /names cluster "nope", which is not defined/,
    ],
    [
      'a legacy auth-provider',
      config(
        '  - name: x\n    context: { cluster: dev, user: g }',
        '  - name: g\n    user:\n      auth-provider: { name: gcp }',
        'current-context: x',
      ),
      undefined,
      /legacy auth-provider/,
    ],
    [
      'a server that is not a URL',
      'clusters:\n  - name: c\n    cluster: { server: "k8s:6443:x" }\n',
      undefined,
      /clusters\.0\.cluster\.server/,
    ],
  ])('refuses %s with a message naming the file', async (_, text, context, message) => {
    const file = await writeTempFile('config', text);
    const e = await error(loadKubeCredentials({ kubeconfig: file, context }));
    expect(e).toBeInstanceOf(FileFormatError);
    expect(e.message).toContain(file);
    expect(e.message).toMatch(message);
  });

  it('names a certificate file that cannot be read', async () => {
    const file = await writeTempFile(
      'config',
      config('  - name: prod\n    context: { cluster: prod }', '  []', 'current-context: prod'),
    );
    const e = await error(loadKubeCredentials({ kubeconfig: file }));
    expect(e.message).toMatch(/certificate-authority: cannot read .*ca\.pem \(ENOENT\)/);
  });

  it('names a kubeconfig that cannot be read', async () => {
    const e = await error(loadKubeCredentials({ kubeconfig: '/nonexistent/kubeconfig' }));
    expect(e.message).toMatch(
      /\/nonexistent\/kubeconfig .*cannot read this kubeconfig \(KUBECONFIG\): ENOENT/s,
    );
  });
});

describe('loadKubeCredentials: discovery', () => {
  it('uses the in-cluster service account when KUBERNETES_SERVICE_HOST is set', async () => {
    const sa = tempDir();
    await writeFile(join(sa, 'token'), 'sa-token\n');
    await writeFile(join(sa, 'ca.crt'), 'CLUSTER-CA');
    const c = await loadKubeCredentials({
      env: { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' },
      serviceAccountDir: sa,
      home: tempDir(),
    });
    expect(c.server.href).toBe('https://10.96.0.1/');
    expect(c.ca?.toString()).toBe('CLUSTER-CA');
    expect(await c.authorization()).toBe('Bearer sa-token');
    expect(c.source).toBe('in-cluster service account');
  });

  it('brackets an IPv6 service host', async () => {
    const sa = tempDir();
    await writeFile(join(sa, 'token'), 't');
    await writeFile(join(sa, 'ca.crt'), 'CA');
    const c = await loadKubeCredentials({
      env: { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '6443' },
      serviceAccountDir: sa,
    });
    expect(c.server.host).toBe('[fd00::1]:6443');
  });

  it('falls back to ~/.kube/config, and explains when there is nothing', async () => {
    const home = tempDir();
    await mkdir(join(home, '.kube'));
    await writeFile(join(home, '.kube', 'ca.pem'), 'CA');
    await writeFile(
      join(home, '.kube', 'config'),
      config('  - name: dev\n    context: { cluster: dev }', '  []', 'current-context: dev'),
    );
    const c = await loadKubeCredentials({ env: {}, home, serviceAccountDir: tempDir() });
    expect(c.server.host).toBe('dev.example.com');
    const e = await error(
      loadKubeCredentials({ env: {}, home: tempDir(), serviceAccountDir: tempDir() }),
    );
    expect(e.message).toMatch(
      /no credentials were found: not running in a cluster .*\(set KUBECONFIG\)/,
    );
  });
});
