import {
  ApiException,
  AppsV1Api,
  type ConfigurationOptions,
  CoreV1Api,
  Observable,
  type RequestContext,
  type ResponseContext,
} from '@kubernetes/client-node';
import { z } from 'zod';
import { ToolError, type ToolErrorCode } from '../errors.ts';
import { clip, codeForStatus, HTTP_LIMITS, statusText, tryJson } from '../http.ts';
import type { KubeAccess } from './config.ts';

/**
 * One place where calls to the Kubernetes API get a deadline, honour the caller's signal, and
 * fail as a ToolError that says what was asked, what Kubernetes answered and what to fix. The
 * clients themselves are client-node's CoreV1Api and AppsV1Api.
 */

export type KubeClients = { core: CoreV1Api; apps: AppsV1Api; access: KubeAccess };

export function kubeClients(access: KubeAccess): KubeClients {
  return {
    core: access.kubeConfig.makeApiClient(CoreV1Api),
    apps: access.kubeConfig.makeApiClient(AppsV1Api),
    access,
  };
}

/** What a call asks, in RBAC's words: a verb on a resource, in a namespace or the cluster. */
export type KubeAsk = {
  verb: 'get' | 'list' | 'patch';
  /** RBAC resource, with subresource: pods, pods/log, events, replicasets, deployments, nodes. */
  resource: string;
  /** Absent for cluster-scoped resources (nodes). */
  namespace?: string;
  name?: string;
  /** What a failure means for the caller's action when it is not known whether it took effect. */
  outcome?: string;
  /** What it means when Kubernetes refused it or it never left (4xx, refused connection); default `outcome`. */
  ifRefused?: string;
};

/**
 * Kubernetes' error body (meta/v1 Status), e.g. for a 403:
 * {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods is forbidden:
 * User \"system:serviceaccount:ops:lzo\" cannot list resource \"pods\" in API group \"\" in the
 * namespace \"shop\"","reason":"Forbidden","details":{"kind":"pods"},"code":403}
 * (shape: the Kubernetes API reference, Status v1 meta; message: apiserver's forbiddenMessage).
 */
export const KubeStatus = z.object({
  kind: z.literal('Status'),
  status: z.string().optional(),
  message: z.string().optional(),
  reason: z.string().optional(),
  details: z
    .object({
      name: z.string().optional(),
      group: z.string().optional(),
      kind: z.string().optional(),
    })
    .optional(),
  code: z.number().optional(),
});
export type KubeStatus = z.infer<typeof KubeStatus>;

/** Parses a Status object from an error body, or null when the body is something else. */
export function parseStatus(body: unknown): KubeStatus | null {
  const parsed = KubeStatus.safeParse(typeof body === 'string' ? tryJson(body) : body);
  return parsed.success ? parsed.data : null;
}

/**
 * The authorizer's denial, as the API server words it (k8s.io/apiserver, endpoints/handlers/
 * responsewriters, forbiddenMessage): `User "u" cannot VERB resource "RES" in API group "G" in the
 * namespace "NS"`, or `… at the cluster scope`.
 */
const DENIAL =
  /cannot (\S+) resource "([^"]+)" in API group "([^"]*)"(?: in the namespace "([^"]+)"| at the cluster scope)/;

/**
 * A 403 as the fact an operator acts on: "the bot's Role lacks `list pods` in namespace shop", or
 * "the bot's ClusterRole lacks `get nodes`" for a cluster-scoped resource.
 */
export function forbiddenFact(status: KubeStatus | null, ask: KubeAsk): string {
  const m = status?.message ? DENIAL.exec(status.message) : null;
  const verb = m?.[1] ?? ask.verb;
  const resource = m?.[2] ?? ask.resource;
  const group = m?.[3] ?? '';
  const namespace = m ? m[4] : ask.namespace;
  const what = `\`${verb} ${resource}${group ? ` (API group ${group})` : ''}\``;
  return namespace
    ? `the bot's Role lacks ${what} in namespace ${namespace}`
    : `the bot's ClusterRole lacks ${what}`;
}

function describeAsk(ask: KubeAsk): string {
  const object = ask.name ? `${ask.resource.replace(/s(\/.*)?$/, '')} ${ask.name}` : ask.resource;
  const where = ask.namespace ? ` in namespace ${ask.namespace}` : '';
  return `${ask.verb} ${object}${where}`;
}

function networkCode(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    if (typeof current === 'object' && current !== null) {
      const code = (current as { code?: unknown }).code;
      if (typeof code === 'string') return code;
      current = (current as { cause?: unknown }).cause;
    }
  }
  return error instanceof Error ? error.message : String(error);
}

const TLS = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/i;

/** A request middleware that hands the caller's signal to the HTTP request (undici's fetch). */
function withSignal(signal: AbortSignal, sent: { value: boolean }): ConfigurationOptions {
  return {
    middleware: [
      {
        pre: (context: RequestContext) => {
          context.setSignal(signal);
          sent.value = true;
          return new Observable(Promise.resolve(context));
        },
        post: (context: ResponseContext) => new Observable(Promise.resolve(context)),
      },
    ],
    middlewareMergeStrategy: 'append',
  };
}

export type KubeCallOptions = { signal?: AbortSignal | undefined; timeoutMs?: number };

/**
 * Runs one client-node call within a deadline. `run` receives the per-request options to pass as
 * the call's last argument. Every failure is a ToolError:
 * 401 → unauthorized, 403 → forbidden with the missing verb named, 404 → not_found, 400 →
 * invalid_arguments quoting Kubernetes, timeouts, unreachable, TLS and credential failures.
 */
export async function kubeCall<T>(
  access: KubeAccess,
  ask: KubeAsk,
  run: (options: ConfigurationOptions) => Promise<T>,
  options: KubeCallOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? HTTP_LIMITS.timeoutMs;
  const timeout = AbortSignal.timeout(timeoutMs);
  const parent = options.signal;
  const signal = parent ? AbortSignal.any([parent, timeout]) : timeout;
  const api = `the Kubernetes API at ${access.server}`;
  const asked = describeAsk(ask);
  const outcome = ask.outcome ? `; ${ask.outcome}` : '';
  const refused = ask.ifRefused ? `; ${ask.ifRefused}` : outcome;
  if (signal.aborted)
    throw new ToolError('timeout', `${asked} was not sent: out of time${refused}`);
  const sent = { value: false };
  // Credential plugins run before the request exists, beyond the signal's reach: race them too.
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([run(withSignal(signal, sent)), aborted]);
  } catch (error) {
    if (error instanceof ToolError) throw error;
    if (timeout.aborted)
      throw new ToolError(
        'timeout',
        `${api} did not answer (${asked}) within ${timeoutMs} ms${outcome}`,
        { cause: error },
      );
    if (parent?.aborted)
      throw new ToolError('timeout', `the request to ${api} (${asked}) was cancelled${outcome}`, {
        cause: error,
      });
    if (error instanceof ApiException)
      throw statusFailure(
        access,
        ask,
        error,
        error.code >= 400 && error.code < 500 ? refused : outcome,
      );
    if (!sent.value)
      throw new ToolError(
        'unauthorized',
        `could not get credentials for ${api} from ${access.source} (${clip(String(error instanceof Error ? error.message : error))})${execHint(access)}${refused}`,
        { cause: error },
      );
    const code = networkCode(error);
    if (error instanceof SyntaxError || !/^[A-Z_]+$/.test(code))
      throw new ToolError(
        'unavailable',
        `${api} answered ${asked} with something that is not a Kubernetes object (${clip(code)})${outcome}`,
        { cause: error },
      );
    throw new ToolError(
      'unavailable',
      TLS.test(code)
        ? `${api} failed TLS verification (${code}): check the cluster's certificate-authority in ${access.source}${refused}`
        : `${api} is unreachable (${code}): check the cluster address in ${access.source}${code === 'ECONNREFUSED' ? refused : outcome}`,
      { cause: error },
    );
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

function execHint(access: KubeAccess): string {
  const command = (access.kubeConfig.getCurrentUser()?.exec as { command?: unknown } | undefined)
    ?.command;
  return typeof command === 'string'
    ? `: the kubeconfig's credential plugin "${command}" failed; check that it is installed and logged in`
    : '';
}

function statusFailure(
  access: KubeAccess,
  ask: KubeAsk,
  error: ApiException<unknown>,
  outcome: string,
): ToolError {
  const status = parseStatus(error.body);
  const said = clip(status?.message ?? (typeof error.body === 'string' ? error.body : ''));
  const quote = said ? ` ("${said}")` : '';
  const code = codeForStatus(error.code);
  return new ToolError(code, statusMessage(access, ask, status, code, error.code, quote, outcome), {
    cause: error,
  });
}

function statusMessage(
  access: KubeAccess,
  ask: KubeAsk,
  status: KubeStatus | null,
  code: ToolErrorCode,
  httpStatus: number,
  quote: string,
  outcome: string,
): string {
  const asked = describeAsk(ask);
  switch (code) {
    case 'unauthorized':
      return `Kubernetes rejected the bot's credentials (401 Unauthorized)${quote}: the token or client certificate from ${access.source} is invalid or expired${outcome}`;
    case 'forbidden':
      return `${forbiddenFact(status, ask)}: Kubernetes answered ${asked} with 403 Forbidden${quote}; grant it to the bot (deploy/kubernetes/rbac.yaml)${outcome}`;
    case 'not_found':
      return `${asked}: not found (404)${quote}${outcome}`;
    case 'rate_limited':
      return `Kubernetes is throttling the bot (429)${quote}${outcome || '; try again shortly'}`;
    case 'conflict':
      return `Kubernetes reported a conflict on ${asked} (409)${quote}: another change is in progress; try again${outcome}`;
    default:
      return `the Kubernetes API at ${access.server} answered ${asked} with ${statusText(httpStatus)}${quote}${outcome}`;
  }
}
