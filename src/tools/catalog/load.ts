import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import type { z } from 'zod';
import { errorCode } from '../../domain/errors.ts';
import type { Environment } from '../../domain/vocabulary.ts';
import type { Runbook } from '../backends.ts';
import { FileFormatError } from '../fleet/load.ts';
import {
  ANNOTATIONS,
  BackstageComponent,
  BackstageEntity,
  type CatalogService,
  Environment as EnvironmentSchema,
  kubernetesName,
  kubernetesNamespace,
  OnCall,
  OwnCatalogFile,
  type OwnRunbook,
  RestartAnnotation,
  type RestartPolicy,
  ServerIdSchema,
  signalName,
} from './format.ts';

type Env = Record<string, string | undefined>;

function issues(error: z.ZodError, where: (path: PropertyKey[]) => string): string[] {
  return error.issues.map((i) => `${where(i.path)}: ${i.message}`);
}

function yamlDocuments(text: string, file: string): unknown[] {
  const docs = parseAllDocuments(text, { prettyErrors: true });
  // parseAllDocuments returns an EmptyStream (not an array) for an empty file.
  if (!Array.isArray(docs)) throw new FileFormatError(file, ['the file is empty']);
  const problems = docs.flatMap((d, i) =>
    d.errors.map(
      (e) =>
        `YAML syntax${docs.length > 1 ? ` in document ${i + 1}` : ''}: ${e.message.split('\n')[0]}`,
    ),
  );
  if (problems.length > 0) throw new FileFormatError(file, problems);
  return docs.map((d) => d.toJS() as unknown).filter((d) => d !== null && d !== undefined);
}

function isBackstage(docs: unknown[]): boolean {
  return docs.some(
    (d) =>
      typeof d === 'object' &&
      d !== null &&
      'apiVersion' in d &&
      typeof d.apiVersion === 'string' &&
      d.apiVersion.startsWith('backstage.io/'),
  );
}

/** Every server belongs to exactly one service, or scope and ownership would be a guess. */
function duplicateServers(services: readonly CatalogService[]): string[] {
  const owner = new Map<string, string>();
  const problems: string[] = [];
  for (const s of services) {
    for (const server of s.servers) {
      const first = owner.get(server);
      if (first && first !== s.name)
        problems.push(`server "${server}" is listed under both ${first} and ${s.name}`);
      owner.set(server, s.name);
    }
  }
  return problems;
}

function ownRunbook(r: OwnRunbook, service: string | null): Runbook {
  return typeof r === 'string'
    ? { url: r, title: null, signals: [], checks: [], service }
    : { url: r.url, title: r.title ?? null, signals: r.signals, checks: r.checks, service };
}

/** A service's own runbooks first, then the catalog-wide ones; the key only when there are some. */
function withRunbooks(service: CatalogService, own: Runbook[], shared: Runbook[]): CatalogService {
  const runbooks = [...own, ...shared];
  return runbooks.length ? { ...service, runbooks } : service;
}

function parseOwn(data: unknown, file: string, env: Env): CatalogService[] {
  if (Array.isArray(data))
    throw new FileFormatError(file, [
      'a catalog is a map with a services: key (or Backstage catalog-info.yaml documents), not a list',
    ]);
  const result = OwnCatalogFile.safeParse(data);
  if (!result.success)
    throw new FileFormatError(
      file,
      issues(result.error, (p) => (p.length ? p.map(String).join('.') : 'the file')),
    );
  const problems: string[] = [];
  const services = Object.entries(result.data.services).map(([name, s]): CatalogService => {
    let key: string | null = s.pagerduty?.routing_key ?? null;
    const keyEnv = s.pagerduty?.routing_key_env;
    if (keyEnv) {
      key = env[keyEnv]?.trim() || null;
      if (!key)
        problems.push(
          `services.${name}.pagerduty.routing_key_env: environment variable ${keyEnv} is not set`,
        );
    }
    const service: CatalogService = {
      name,
      team: s.team ?? null,
      onCall: s.on_call ?? null,
      pagerdutyRoutingKey: key,
      dependencies: s.dependencies,
      environment: s.environment ?? result.data.environment,
      servers: s.servers,
      restart: {
        allowed: s.restart.allowed,
        via: s.restart.via ?? null,
        kubernetes: s.restart.kubernetes ?? null,
      },
    };
    return withRunbooks(
      service,
      s.runbooks.map((r) => ownRunbook(r, name)),
      result.data.runbooks.map((r) => ownRunbook(r, null)),
    );
  });
  problems.push(...duplicateServers(services));
  if (problems.length > 0) throw new FileFormatError(file, problems);
  return services;
}

/** "group:default/payments-team" → "payments-team": the name a human says. */
export function entityName(ref: string): string {
  return ref.replace(/^[^:/]+:/, '').replace(/^[^/]+\//, '');
}

/** Backstage lifecycles are not environments; production is the only one that says where it runs. */
function environmentOf(lifecycle: string | undefined): Environment {
  return lifecycle === 'experimental' ? 'dev' : 'prod';
}

function parseComponent(
  doc: unknown,
  where: string,
  env: Env,
  problems: string[],
): CatalogService | null {
  const parsed = BackstageComponent.safeParse(doc);
  if (!parsed.success) {
    problems.push(
      ...issues(parsed.error, (p) => `${where} → ${p.length ? p.map(String).join('.') : 'entity'}`),
    );
    return null;
  }
  const c = parsed.data;
  const a = c.metadata.annotations;
  const at = (annotation: string) => `${where} → metadata.annotations["${annotation}"]`;
  const check = <T>(schema: z.ZodType<T>, value: string | undefined, annotation: string) => {
    if (value === undefined) return undefined;
    const r = schema.safeParse(value.trim());
    if (r.success) return r.data;
    problems.push(`${at(annotation)}: ${r.error.issues[0]?.message ?? 'invalid'}`);
    return undefined;
  };

  const servers = (a[ANNOTATIONS.servers] ?? c.metadata.name)
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((s) => check(ServerIdSchema, s, ANNOTATIONS.servers))
    .filter((s): s is string => s !== undefined);

  const restartMode = check(RestartAnnotation, a[ANNOTATIONS.restart], ANNOTATIONS.restart);
  const namespace = check(
    kubernetesNamespace,
    a[ANNOTATIONS.kubernetesNamespace],
    ANNOTATIONS.kubernetesNamespace,
  );
  const deploymentAnnotation = a[ANNOTATIONS.kubernetesDeployment]
    ? ANNOTATIONS.kubernetesDeployment
    : ANNOTATIONS.kubernetesId;
  const deployment = check(kubernetesName, a[deploymentAnnotation], deploymentAnnotation);
  if (restartMode === 'kubernetes' && (!namespace || !deployment))
    problems.push(
      `${at(ANNOTATIONS.restart)}: kubernetes needs ${ANNOTATIONS.kubernetesNamespace} and ${ANNOTATIONS.kubernetesId} (or ${ANNOTATIONS.kubernetesDeployment})`,
    );
  const restart: RestartPolicy = {
    allowed: restartMode !== 'never',
    via:
      restartMode === undefined || restartMode === 'never' || restartMode === 'allowed'
        ? null
        : restartMode,
    kubernetes: namespace && deployment ? { namespace, deployment } : null,
  };

  let key = a[ANNOTATIONS.pagerdutyKey]?.trim() || null;
  const keyEnv = a[ANNOTATIONS.pagerdutyKeyEnv]?.trim();
  if (!key && keyEnv) {
    key = env[keyEnv]?.trim() || null;
    if (!key)
      problems.push(
        `${at(ANNOTATIONS.pagerdutyKeyEnv)}: environment variable ${keyEnv} is not set`,
      );
  }

  const service: CatalogService = {
    name: c.metadata.name,
    team: c.spec.owner ? entityName(c.spec.owner) : null,
    onCall: check(OnCall, a[ANNOTATIONS.onCall], ANNOTATIONS.onCall) ?? null,
    pagerdutyRoutingKey: key,
    dependencies: c.spec.dependsOn.map(entityName),
    environment:
      check(EnvironmentSchema, a[ANNOTATIONS.environment], ANNOTATIONS.environment) ??
      environmentOf(c.spec.lifecycle),
    servers,
    restart,
  };
  return withRunbooks(service, backstageRunbooks(c, where, problems), []);
}

const isHttpUrl = (value: string) => {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
};

const lines = (text: string | undefined) =>
  (text ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

/**
 * Runbooks of a component: `level-zero.io/runbook` (or a `metadata.links` entry of type runbook)
 * for the service, `level-zero.io/runbook.<signal id>` for one signature, each with its checks from
 * `level-zero.io/runbook-checks[.<signal id>]`, one per line.
 */
function backstageRunbooks(c: BackstageComponent, where: string, problems: string[]): Runbook[] {
  const a = c.metadata.annotations;
  const service = c.metadata.name;
  const found: Runbook[] = [];
  const prefix = `${ANNOTATIONS.runbook}.`;
  for (const [key, value] of Object.entries(a)) {
    if (!key.startsWith(prefix)) continue;
    const signal = key.slice(prefix.length);
    const at = `${where} → metadata.annotations["${key}"]`;
    const valid = signalName.safeParse(signal);
    if (!valid.success) {
      problems.push(`${at}: ${valid.error.issues[0]?.message ?? 'invalid signal id'}`);
      continue;
    }
    if (!isHttpUrl(value.trim())) {
      problems.push(`${at}: must be an http(s) URL`);
      continue;
    }
    found.push({
      url: value.trim(),
      title: null,
      signals: [signal],
      checks: lines(a[`${ANNOTATIONS.runbookChecks}.${signal}`]),
      service,
    });
  }
  const general =
    a[ANNOTATIONS.runbook]?.trim() ??
    c.metadata.links.find((l) => l.type === 'runbook' || /runbook/i.test(l.title ?? ''))?.url;
  if (general !== undefined) {
    if (isHttpUrl(general))
      found.push({
        url: general,
        title: c.metadata.links.find((l) => l.url === general)?.title ?? null,
        signals: [],
        checks: lines(a[ANNOTATIONS.runbookChecks]),
        service,
      });
    else
      problems.push(
        `${where} → metadata.annotations["${ANNOTATIONS.runbook}"]: must be an http(s) URL`,
      );
  }
  return found;
}

function parseBackstage(docs: unknown[], file: string, env: Env): CatalogService[] {
  const problems: string[] = [];
  const services: CatalogService[] = [];
  docs.forEach((doc, i) => {
    const entity = BackstageEntity.safeParse(doc);
    if (!entity.success) {
      problems.push(
        `document ${i + 1}: not a Backstage entity (${entity.error.issues[0]?.path.join('.') || 'entity'}: ${entity.error.issues[0]?.message})`,
      );
      return;
    }
    // Systems, APIs, Groups, Resources… describe the organisation, not what runs.
    if (entity.data.kind.toLowerCase() !== 'component') return;
    const name =
      typeof doc === 'object' &&
      doc !== null &&
      'metadata' in doc &&
      typeof doc.metadata === 'object' &&
      doc.metadata !== null &&
      'name' in doc.metadata
        ? ` "${String(doc.metadata.name)}"`
        : '';
    const service = parseComponent(doc, `document ${i + 1} (Component${name})`, env, problems);
    if (service) services.push(service);
  });
  if (problems.length === 0 && services.length === 0)
    problems.push('no kind: Component entities found; the catalog needs at least one');
  const names = new Set<string>();
  for (const s of services) {
    if (names.has(s.name)) problems.push(`Component "${s.name}" is defined twice`);
    names.add(s.name);
  }
  problems.push(...duplicateServers(services));
  if (problems.length > 0) throw new FileFormatError(file, problems);
  return services;
}

/** Our catalog format or Backstage catalog-info.yaml, told apart by apiVersion: backstage.io/…. */
export function parseCatalog(text: string, file: string, env: Env): CatalogService[] {
  const docs = yamlDocuments(text, file);
  if (docs.length === 0) throw new FileFormatError(file, ['the file is empty']);
  if (isBackstage(docs)) return parseBackstage(docs, file, env);
  if (docs.length > 1)
    throw new FileFormatError(file, [
      'several YAML documents but none is a Backstage entity (apiVersion: backstage.io/v1alpha1); our format is one document with a services: map',
    ]);
  return parseOwn(docs[0], file, env);
}

export async function loadCatalog(file: string, env: Env): Promise<CatalogService[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = errorCode(error);
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(error);
    throw new FileFormatError(file, [`cannot read it: ${why} (CATALOG_FILE)`]);
  }
  return parseCatalog(text, file, env);
}
