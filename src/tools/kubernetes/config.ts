import { access } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { z } from 'zod';
import { errorCode } from '../../domain/errors.ts';
import { FileFormatError } from '../fleet/load.ts';

/**
 * Kubernetes access through the official client (@kubernetes/client-node): kubeconfig parsing,
 * contexts, client certificates, exec credential plugins and the in-cluster service account are
 * the library's. What stays here is the order in which the bot looks, and turning a
 * misconfiguration into a start-up error that names the file and the entry to fix.
 */

/** Where the kubelet mounts a pod's service-account token, CA and namespace. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export type KubeAccess = {
  kubeConfig: KubeConfig;
  /** Where the credentials came from, for messages: "kubeconfig /x (context prod)". */
  source: string;
  /** The API server's origin, for messages (never with credentials). */
  server: string;
};

export type KubeAccessOptions = {
  /** KUBECONFIG: one file or a list separated by the platform's path delimiter. */
  kubeconfig?: string | undefined;
  /** KUBERNETES_CONTEXT: overrides the kubeconfig's current-context. */
  context?: string | undefined;
  /** The process environment, for in-cluster discovery (KUBERNETES_SERVICE_HOST). */
  env: Readonly<Record<string, string | undefined>>;
  /**
   * A path prefix in front of the service-account directory (client-node's loadFromCluster
   * pathPrefix), so tests can lay out a fake mount.
   */
  serviceAccountRoot?: string;
  home?: string;
};

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).split('\n')[0] ?? '';
}

const ServerUrl = z.url({ protocol: /^https?$/ });

function loadFile(file: string): KubeConfig {
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(file);
  } catch (error) {
    const code = errorCode(error);
    throw new FileFormatError(file, [
      code !== 'unknown_error'
        ? `cannot read this kubeconfig (KUBECONFIG): ${code}`
        : `not a valid kubeconfig: ${firstLine(error)}`,
    ]);
  }
  return kc;
}

/**
 * Several kubeconfig files merge as kubectl merges them: the first file to define a name wins,
 * and the first current-context set wins. (client-node's mergeConfig refuses duplicates instead.)
 */
function merge(files: string[]): KubeConfig {
  const [first, ...rest] = files;
  if (!first) throw new Error('KUBECONFIG: no kubeconfig file given');
  const merged = loadFile(first);
  for (const file of rest) {
    const next = loadFile(file);
    for (const c of next.clusters) if (!merged.getCluster(c.name)) merged.addCluster(c);
    for (const u of next.users) if (!merged.getUser(u.name)) merged.addUser(u);
    for (const x of next.contexts) if (!merged.getContextObject(x.name)) merged.addContext(x);
    if (!merged.currentContext && next.currentContext)
      merged.setCurrentContext(next.currentContext);
  }
  return merged;
}

/** Checks at start what the library would otherwise discover at the first request. */
async function validate(kc: KubeConfig, where: string, context: string | undefined) {
  if (context) {
    if (!kc.getContextObject(context))
      throw new FileFormatError(where, [
        `context "${context}" (KUBERNETES_CONTEXT) is not defined (known: ${kc.contexts.map((c) => c.name).join(', ') || 'none'})`,
      ]);
    kc.setCurrentContext(context);
  }
  const name = kc.getCurrentContext();
  if (!name)
    throw new FileFormatError(where, [
      'no current-context: set one with kubectl config use-context, or set KUBERNETES_CONTEXT',
    ]);
  const ctx = kc.getContextObject(name);
  if (!ctx)
    throw new FileFormatError(where, [
      `current-context "${name}" is not defined (known: ${kc.contexts.map((c) => c.name).join(', ') || 'none'})`,
    ]);
  const cluster = kc.getCluster(ctx.cluster);
  if (!cluster)
    throw new FileFormatError(where, [
      `context "${name}" names cluster "${ctx.cluster}", which is not defined`,
    ]);
  if (!ServerUrl.safeParse(cluster.server).success)
    throw new FileFormatError(where, [
      `cluster "${cluster.name}": server must be an http(s) URL (it is "${cluster.server}")`,
    ]);
  if (cluster.server.startsWith('http://') && !cluster.skipTLSVerify)
    throw new FileFormatError(where, [
      `cluster "${cluster.name}": plain http:// is refused unless insecure-skip-tls-verify: true is set (client-node's rule); use the API server's https:// address`,
    ]);
  if (ctx.user && !kc.getUser(ctx.user))
    throw new FileFormatError(where, [
      `context "${name}" names user "${ctx.user}", which is not defined`,
    ]);
  const user = ctx.user ? kc.getUser(ctx.user) : null;
  const files: Array<[string, string | undefined]> = [
    [`cluster "${cluster.name}" certificate-authority`, cluster.caFile],
    [`user "${user?.name}" client-certificate`, user?.certFile],
    [`user "${user?.name}" client-key`, user?.keyFile],
  ];
  for (const [field, file] of files)
    if (file && !(await exists(file)))
      throw new FileFormatError(where, [`${field}: cannot read ${file} (ENOENT)`]);
  return { context: name, server: new URL(cluster.server).origin };
}

/**
 * Finds credentials at start, so a misconfiguration stops the bot instead of a restart: KUBECONFIG
 * (files merged), else the in-cluster service account, else ~/.kube/config. (client-node's own
 * loadFromDefault prefers ~/.kube/config to the service account and falls back to
 * http://localhost:8080 when it finds nothing; a bot must not guess a cluster.)
 */
export async function loadKubeAccess(options: KubeAccessOptions): Promise<KubeAccess> {
  const { env } = options;
  if (options.kubeconfig) {
    const files = options.kubeconfig.split(delimiter).filter(Boolean);
    const where = files.join(delimiter);
    const kc = merge(files);
    const { context, server } = await validate(kc, where, options.context);
    return { kubeConfig: kc, source: `kubeconfig ${where} (context ${context})`, server };
  }
  const root = options.serviceAccountRoot ?? '';
  if (env.KUBERNETES_SERVICE_HOST && (await exists(`${root}${SERVICE_ACCOUNT_DIR}/token`))) {
    const kc = new KubeConfig();
    // The library re-reads the token file (bound tokens rotate) at most once a minute.
    kc.loadFromCluster(root);
    const server = kc.getCurrentCluster()?.server ?? '';
    return {
      kubeConfig: kc,
      source: 'in-cluster service account',
      server: ServerUrl.safeParse(server).success ? new URL(server).origin : server,
    };
  }
  const fallback = join(options.home ?? homedir(), '.kube', 'config');
  if (await exists(fallback)) {
    const kc = loadFile(fallback);
    const { context, server } = await validate(kc, fallback, options.context);
    return { kubeConfig: kc, source: `kubeconfig ${fallback} (context ${context})`, server };
  }
  throw new Error(
    'Kubernetes is configured but no credentials were found: not running in a cluster (KUBERNETES_SERVICE_HOST unset or no service-account token) and no kubeconfig (set KUBECONFIG)',
  );
}
