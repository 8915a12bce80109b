import { execFile } from 'node:child_process';
import { access, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { ToolError } from '../errors.ts';
import { FileFormatError } from '../fleet/load.ts';

/**
 * Kubernetes credentials the way kubectl finds them: KUBECONFIG (a list of files, merged, first
 * definition wins), else the in-cluster service account, else ~/.kube/config. Supports bearer
 * tokens (inline, tokenFile, exec plugins such as aws eks get-token or gke-gcloud-auth-plugin),
 * client certificates and basic auth; legacy auth-provider entries are refused with a clear message.
 */

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export const KUBE_LIMITS = {
  /** An exec credential plugin that has not printed a token by then is considered hung. */
  execTimeoutMs: 20_000,
  /** Refresh an exec token this long before it expires. */
  execRefreshMarginMs: 60_000,
} as const;

export type KubeCredentials = {
  /** API server base URL. */
  server: URL;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  insecureSkipTlsVerify: boolean;
  tlsServerName?: string;
  /** The Authorization header value, or null for client-certificate auth. Re-evaluated per request. */
  authorization: () => Promise<string | null>;
  /** Where these came from, for messages: "in-cluster service account", "kubeconfig …". */
  source: string;
};

type Env = Record<string, string | undefined>;

const Exec = z.looseObject({
  command: z.string().min(1),
  args: z.array(z.string()).nullish(),
  env: z.array(z.object({ name: z.string(), value: z.string() })).nullish(),
  apiVersion: z.string().default('client.authentication.k8s.io/v1'),
});

const KubeconfigFile = z.looseObject({
  'current-context': z.string().optional(),
  clusters: z
    .array(
      z.object({
        name: z.string(),
        cluster: z.looseObject({
          server: z.url({ protocol: /^https?$/, error: 'server must be an http(s) URL' }),
          'certificate-authority': z.string().optional(),
          'certificate-authority-data': z.string().optional(),
          'insecure-skip-tls-verify': z.boolean().optional(),
          'tls-server-name': z.string().optional(),
        }),
      }),
    )
    .nullish(),
  users: z
    .array(
      z.object({
        name: z.string(),
        user: z
          .looseObject({
            token: z.string().optional(),
            tokenFile: z.string().optional(),
            'client-certificate': z.string().optional(),
            'client-certificate-data': z.string().optional(),
            'client-key': z.string().optional(),
            'client-key-data': z.string().optional(),
            username: z.string().optional(),
            password: z.string().optional(),
            exec: Exec.optional(),
            'auth-provider': z.unknown().optional(),
          })
          .nullish(),
      }),
    )
    .nullish(),
  contexts: z
    .array(
      z.object({
        name: z.string(),
        context: z.looseObject({ cluster: z.string(), user: z.string().optional() }),
      }),
    )
    .nullish(),
});
type KubeconfigFile = z.infer<typeof KubeconfigFile>;
type Cluster = NonNullable<KubeconfigFile['clusters']>[number]['cluster'];
type User = NonNullable<NonNullable<KubeconfigFile['users']>[number]['user']>;

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

async function readKubeconfig(file: string): Promise<{ file: string; config: KubeconfigFile }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new FileFormatError(file, [
      `cannot read this kubeconfig (KUBECONFIG): ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    ]);
  }
  let data: unknown;
  try {
    data = parse(text);
  } catch (error) {
    throw new FileFormatError(file, [`YAML syntax: ${String(error).split('\n')[0]}`]);
  }
  const result = KubeconfigFile.safeParse(data ?? {});
  if (!result.success)
    throw new FileFormatError(
      file,
      result.error.issues.map((i) => `${i.path.map(String).join('.') || 'the file'}: ${i.message}`),
    );
  return { file, config: result.data };
}

function resolvePath(file: string, relativeTo: string): string {
  return isAbsolute(file) ? file : resolve(dirname(relativeTo), file);
}

async function readPem(
  field: string,
  data: string | undefined,
  path: string | undefined,
  relativeTo: string,
): Promise<Buffer | undefined> {
  if (data) return Buffer.from(data, 'base64');
  if (!path) return undefined;
  const file = resolvePath(path, relativeTo);
  try {
    return await readFile(file);
  } catch (error) {
    throw new FileFormatError(relativeTo, [
      `${field}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    ]);
  }
}

/** Runs a client-go exec credential plugin and caches its token until shortly before it expires. */
function execAuthorization(exec: z.infer<typeof Exec>, env: Env): () => Promise<string> {
  let cached: { token: string; expiresAt: number } | null = null;
  const ExecCredential = z.object({
    status: z.object({ token: z.string().min(1), expirationTimestamp: z.string().optional() }),
  });
  return async () => {
    if (cached && cached.expiresAt - KUBE_LIMITS.execRefreshMarginMs > Date.now())
      return `Bearer ${cached.token}`;
    const childEnv: Env = {
      ...env,
      ...Object.fromEntries((exec.env ?? []).map((e) => [e.name, e.value])),
      KUBERNETES_EXEC_INFO: JSON.stringify({
        apiVersion: exec.apiVersion,
        kind: 'ExecCredential',
        spec: { interactive: false },
      }),
    };
    const stdout = await new Promise<string>((resolveOut, reject) => {
      execFile(
        exec.command,
        exec.args ?? [],
        { env: childEnv, timeout: KUBE_LIMITS.execTimeoutMs, maxBuffer: 1024 * 1024 },
        (error, out, stderr) => {
          if (error)
            reject(
              new ToolError(
                'unauthorized',
                `the kubeconfig's credential plugin "${exec.command}" failed (${String(
                  stderr || error.message,
                )
                  .trim()
                  .slice(0, 200)}): check that it is installed and logged in`,
              ),
            );
          else resolveOut(out);
        },
      );
    });
    let parsed: z.infer<typeof ExecCredential>;
    try {
      parsed = ExecCredential.parse(JSON.parse(stdout));
    } catch {
      throw new ToolError(
        'unauthorized',
        `the kubeconfig's credential plugin "${exec.command}" did not print an ExecCredential with a token; only token credentials are supported`,
      );
    }
    const expires = parsed.status.expirationTimestamp
      ? Date.parse(parsed.status.expirationTimestamp)
      : Number.POSITIVE_INFINITY;
    cached = { token: parsed.status.token, expiresAt: expires };
    return `Bearer ${parsed.status.token}`;
  };
}

async function fromKubeconfig(files: string[], context: string | undefined, env: Env) {
  const loaded = await Promise.all(files.map(readKubeconfig));
  const first = loaded[0];
  if (!first) throw new Error('KUBECONFIG: no kubeconfig file given');
  // kubectl's merge: the first file to define a name wins; the first current-context wins.
  const pick = <T extends { name: string }>(
    list: (f: KubeconfigFile) => T[] | null | undefined,
  ) => {
    const byName = new Map<string, T & { file: string }>();
    for (const { file, config } of loaded)
      for (const item of list(config) ?? [])
        if (!byName.has(item.name)) byName.set(item.name, { ...item, file });
    return byName;
  };
  const clusters = pick((c) => c.clusters);
  const users = pick((c) => c.users);
  const contexts = pick((c) => c.contexts);
  const contextName =
    context ?? loaded.map((l) => l.config['current-context']).find((c) => c !== undefined);
  const where = files.join(delimiter);
  if (!contextName)
    throw new FileFormatError(where, [
      'no current-context: set one with kubectl config use-context, or set KUBERNETES_CONTEXT',
    ]);
  const ctx = contexts.get(contextName);
  if (!ctx)
    throw new FileFormatError(where, [
      `context "${contextName}" is not defined (known: ${[...contexts.keys()].join(', ') || 'none'})`,
    ]);
  const clusterEntry = clusters.get(ctx.context.cluster);
  if (!clusterEntry)
    throw new FileFormatError(where, [
      `context "${contextName}" names cluster "${ctx.context.cluster}", which is not defined`,
    ]);
  const cluster: Cluster = clusterEntry.cluster;
  const userEntry = ctx.context.user ? users.get(ctx.context.user) : undefined;
  if (ctx.context.user && !userEntry)
    throw new FileFormatError(where, [
      `context "${contextName}" names user "${ctx.context.user}", which is not defined`,
    ]);
  const user: User = userEntry?.user ?? {};
  const userFile = userEntry?.file ?? clusterEntry.file;
  if (user['auth-provider'])
    throw new FileFormatError(userFile, [
      `user "${ctx.context.user}" uses a legacy auth-provider, which the bot does not support: use a token, a client certificate or an exec credential plugin`,
    ]);

  let authorization: () => Promise<string | null> = async () => null;
  if (user.token) {
    const header = `Bearer ${user.token}`;
    authorization = async () => header;
  } else if (user.tokenFile) {
    const tokenFile = resolvePath(user.tokenFile, userFile);
    authorization = async () => `Bearer ${(await readFile(tokenFile, 'utf8')).trim()}`;
  } else if (user.exec) {
    authorization = execAuthorization(user.exec, env);
  } else if (user.username !== undefined && user.password !== undefined) {
    const header = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
    authorization = async () => header;
  }

  const credentials: KubeCredentials = {
    server: new URL(cluster.server),
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
    authorization,
    source: `kubeconfig ${where} (context ${contextName})`,
  };
  const ca = await readPem(
    'certificate-authority',
    cluster['certificate-authority-data'],
    cluster['certificate-authority'],
    clusterEntry.file,
  );
  const cert = await readPem(
    'client-certificate',
    user['client-certificate-data'],
    user['client-certificate'],
    userFile,
  );
  const key = await readPem('client-key', user['client-key-data'], user['client-key'], userFile);
  if (ca) credentials.ca = ca;
  if (cert) credentials.cert = cert;
  if (key) credentials.key = key;
  if (cluster['tls-server-name']) credentials.tlsServerName = cluster['tls-server-name'];
  return credentials;
}

async function inCluster(env: Env, dir: string): Promise<KubeCredentials> {
  const host = env.KUBERNETES_SERVICE_HOST ?? '';
  const port = env.KUBERNETES_SERVICE_PORT ?? '443';
  const tokenFile = join(dir, 'token');
  return {
    server: new URL(`https://${host.includes(':') ? `[${host}]` : host}:${port}`),
    ca: await readFile(join(dir, 'ca.crt')),
    insecureSkipTlsVerify: false,
    // Bound service-account tokens rotate; the kubelet rewrites the file, so read it every time.
    authorization: async () => `Bearer ${(await readFile(tokenFile, 'utf8')).trim()}`,
    source: 'in-cluster service account',
  };
}

/** Finds credentials at start, so a misconfiguration stops the bot instead of a restart. */
export async function loadKubeCredentials(
  options: {
    kubeconfig?: string | undefined;
    context?: string | undefined;
    env?: Env;
    serviceAccountDir?: string;
    home?: string;
  } = {},
): Promise<KubeCredentials> {
  const env = options.env ?? process.env;
  if (options.kubeconfig) {
    const files = options.kubeconfig.split(delimiter).filter(Boolean);
    return fromKubeconfig(files, options.context, env);
  }
  const saDir = options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  if (env.KUBERNETES_SERVICE_HOST && (await exists(join(saDir, 'token'))))
    return inCluster(env, saDir);
  const fallback = join(options.home ?? homedir(), '.kube', 'config');
  if (await exists(fallback)) return fromKubeconfig([fallback], options.context, env);
  throw new Error(
    'Kubernetes restarts are configured but no credentials were found: not running in a cluster (KUBERNETES_SERVICE_HOST unset or no service-account token) and no kubeconfig (set KUBECONFIG)',
  );
}
