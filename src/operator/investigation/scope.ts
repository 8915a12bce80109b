import type { PlannerDraft } from '../../domain/brief.ts';
import type { ServerInfo } from '../../tools/backends.ts';

/** How many servers one investigation covers; an alert naming fifty hosts gets the first ten. */
export const MAX_SCOPE = 10;

export type Scope = {
  servers: ServerInfo[];
  /** Names in the report that look like server ids but match nothing known. */
  unknown: string[];
  /** Set when the scope was cut to MAX_SCOPE. */
  truncatedFrom: number | null;
  /** Everything the inventory knows, for "known: …" answers. */
  known: readonly ServerInfo[];
  /**
   * Known servers the report names beyond MAX_SCOPE: named in the brief, not investigated.
   * Optional (absent = none) so that scopes built elsewhere stay valid.
   */
  skipped?: readonly string[];
  /**
   * Servers in scope that an alert names only in its description or runbook prose, not in what it
   * is about (title, labels, host fields): investigated as context, never restart targets.
   * Absent = none.
   */
  context?: readonly string[];
};

export type ScopeOptions = {
  /**
   * What an alert is about — its title, labels and host fields — when the report is an alert.
   * Servers named only outside it are context. Absent (a person's report): every server named is
   * a subject.
   */
  subject?: string | null;
};

/** Something shaped like a host name: letters and digits joined by dashes/dots, ending in a digit group. */
const SERVER_LIKE = /^[a-z][a-z0-9]*([-.][a-z0-9]+)*[-.]?\d+[a-z0-9]*$/i;

/** Cloud regions and zones (AWS us-east-1, us-east-1a, us-gov-west-1; Google europe-west1; zones like eu-1). */
const REGION =
  /^(?:(?:us|eu|ap|sa|ca|me|af|il|mx|cn)(?:-gov|-iso[a-z]?)?-(?:north|south|east|west|central|northeast|southeast|northwest|southwest)-\d[a-z]?|(?:us|europe|asia|australia|northamerica|southamerica|me|africa)-[a-z]+\d+(?:-[a-z])?|(?:us|eu|ap|sa|ca|me|af)-\d{1,2}[a-z]?)$/i;

/**
 * A ticket or incident id: a project key in capitals and a number (OPS-1234, JIRA-42, INC-0042),
 * or one capital and a long number, as Dynatrace numbers its problems (P-250312).
 */
const TICKET = /^[A-Z](?:[A-Z0-9]{1,14}-\d+|-\d{4,})$/;
/**
 * An environment-and-region name (prod-eu-1, staging-us-east-1): how clusters and stacks are
 * named, which Alertmanager's default Slack title lists unlabelled among its label values.
 */
const ENVIRONMENT_PREFIX =
  /^(?:prod|production|staging|stage|stg|dev|test|qa|uat|preprod|sandbox)-/i;
/** This bot's own incident ids. */
const INCIDENT_ID = /^INC-[0-9A-F]{8}$/i;
const UUID_LIKE = /^[0-9a-f]{8}-[0-9a-f]{4}-/i;

/**
 * Words after which a name is a region, cluster, namespace, job, ticket or alert name, never a
 * server: `cluster=prod-eu-1`, `region: us-east-1`, `ticket OPS-42`.
 */
const CONTEXT_KEYS = new Set([
  'account',
  'alarm',
  'alertname',
  'az',
  'availability_zone',
  'cluster',
  'cluster_name',
  'datacenter',
  'dc',
  'env',
  'environment',
  'incident',
  'index',
  'issue',
  'job',
  'namespace',
  'ns',
  'project',
  'region',
  'release',
  // Azure resource ids: /subscriptions/<id>/resourceGroups/<name>/providers/….
  'resourcegroup',
  'rule',
  'ruleid',
  'severity',
  'subscription',
  'ticket',
  // A kind, not a name: Graylog's "Type: aggregation-v1", Kubernetes' `kind`.
  'type',
  'kind',
  'version',
  'zone',
]);

/**
 * Whether a key (`cluster`, `kube_cluster_name`, `topology.kubernetes.io/region`) names context.
 * A collection in a resource path counts as its singular (`projects/<id>`, `resourceGroups/<name>`:
 * Google's and Azure's resource names, https://google.aip.dev/122).
 */
function isContextKey(key: string): boolean {
  return key
    .toLowerCase()
    .split(/[._/-]/)
    .some(
      (part) =>
        CONTEXT_KEYS.has(part) || (part.endsWith('s') && CONTEXT_KEYS.has(part.slice(0, -1))),
    );
}

type Token = { text: string; start: number };

/** A URL (any scheme) or a bare path with a query string: words inside are never names. */
// The scheme is bounded: unbounded, it is retried from every word start of a long dashed name
// (a-a-a-…) to its end, quadratic in the report's length.
const URL_PATTERN =
  /\b[a-z][a-z0-9+.-]{0,31}:\/\/[^\s<>"'`)\]|]+|(?<![\w/])\/[\w.~%/-]*\?[^\s<>"'`)\]|]*/gi;

/** The host of a URL, when it has one. */
function urlHost(url: string): string | null {
  const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/\s]*@)?(\[[^\]]+\]|[^/:?#\s]+)/i.exec(url);
  return m?.[1] ?? null;
}

function tokensOf(text: string): Token[] {
  const out: Token[] = [];
  for (const m of text.matchAll(/[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9]/g)) {
    out.push({ text: m[0].replace(/\.+$/, ''), start: m.index });
  }
  return out;
}

/** The text with every URL blanked out (same length, so positions hold), and the URLs' hosts. */
function withoutUrls(text: string): { text: string; hosts: string[] } {
  const hosts: string[] = [];
  const blanked = text.replace(URL_PATTERN, (url) => {
    const host = urlHost(url);
    if (host) hosts.push(host);
    return ' '.repeat(url.length);
  });
  return { text: blanked, hosts };
}

/**
 * The key a token is the value of (`cluster=x`, `region: x`, `ticket x`, JSON's `"project_id": "x"`,
 * a resource path's `projects/x`), lowercased, or null.
 */
function keyBefore(text: string, start: number): string | null {
  const before = text.slice(Math.max(0, start - 40), start);
  const m =
    /([A-Za-z_][A-Za-z0-9_./-]*)["']?\s*(?:=\s*["']?|:\s*["']?|\s+)$|([A-Za-z_][A-Za-z0-9_]*)\/$/.exec(
      before,
    );
  const key = m?.[1] ?? m?.[2];
  return key ? key.toLowerCase() : null;
}

/** Why an unknown, server-shaped name is something else (a region, a ticket, a cluster), or null. */
function notAServer(token: Token, text: string): boolean {
  const t = token.text;
  if (REGION.test(t) || TICKET.test(t) || INCIDENT_ID.test(t) || UUID_LIKE.test(t)) return true;
  if (/cluster/i.test(t)) return true;
  if (ENVIRONMENT_PREFIX.test(t) && REGION.test(t.replace(ENVIRONMENT_PREFIX, ''))) return true;
  const key = keyBefore(text, token.start);
  return key !== null && isContextKey(key);
}

/** Lookups from the names people and alerting systems write to the servers they mean. */
class Names {
  private readonly byId = new Map<string, ServerInfo>();
  /** The first DNS label of FQDN ids (web-01 for web-01.prod.example.com), when unique. */
  private readonly byShort = new Map<string, ServerInfo | null>();
  private readonly byService = new Map<string, ServerInfo[]>();

  constructor(known: readonly ServerInfo[]) {
    for (const s of known) {
      const id = s.id.toLowerCase();
      this.byId.set(id, s);
      const short = shortName(id);
      if (short !== id) this.byShort.set(short, this.byShort.has(short) ? null : s);
      if (s.service) {
        const key = s.service.toLowerCase();
        this.byService.set(key, [...(this.byService.get(key) ?? []), s]);
      }
    }
  }

  /**
   * The server a whole name means: its id; a short name for a server known by its FQDN; an FQDN
   * for a server known by its short name; a Kubernetes pod name for its Deployment or DaemonSet.
   * Two different FQDNs never match each other.
   */
  server(name: string): ServerInfo | null {
    const key = name.toLowerCase();
    const exact = this.byId.get(key);
    if (exact) return exact;
    const short = shortName(key);
    if (short !== key) return this.byId.get(short) ?? null;
    const byShort = this.byShort.get(key);
    if (byShort) return byShort;
    const workload = workloadOfPod(key);
    if (workload) return this.byId.get(workload) ?? null;
    // The kubelet writes a pod as `<pod>_<namespace>` (its events: "… in pod web-7c9d8f6b5d-x2kqz_shop(<uid>)").
    const kubelet = KUBELET_POD.exec(key);
    return kubelet?.[1] ? this.server(kubelet[1]) : null;
  }

  service(name: string): ServerInfo[] | null {
    return this.byService.get(name.toLowerCase()) ?? null;
  }

  /**
   * A known id embedded in a compound name, at separator boundaries: the EC2 instance id in
   * `awsec2-i-0abc123def4567890-High-CPUUtilization`, the host in `payment-server-01-high-cpu`,
   * the service in `orders-db-CPUUtilization-High`. Only names specific enough not to be ordinary
   * words count: ids with a digit in them, services of several words.
   */
  embedded(name: string): ServerInfo[] {
    // A name that is itself shaped like a host (web-node-99) is another server, not a known one
    // with a prefix (node-99): only what it starts with may be a known id (payment-server-01-cpu-90).
    const prefixOnly = SERVER_LIKE.test(name);
    const starts = [0];
    const ends: number[] = [];
    for (let i = 0; i < name.length; i++) {
      if (/[-_./]/.test(name[i] ?? '')) {
        ends.push(i);
        starts.push(i + 1);
      }
    }
    ends.push(name.length);
    if (starts.length > 16) return [];
    const found: ServerInfo[] = [];
    for (const start of prefixOnly ? [0] : starts) {
      for (const end of ends) {
        if (end <= start || (start === 0 && end === name.length)) continue;
        const piece = name.slice(start, end).toLowerCase();
        // A server id with a digit in it, or a service of several words (orders-db): specific
        // enough not to be an ordinary word inside a longer name.
        const servers = /\d/.test(piece)
          ? [this.byId.get(piece)].filter((s) => s !== undefined)
          : /[-_]/.test(piece)
            ? (this.byService.get(piece) ?? [])
            : [];
        if (piece.length < 4) continue;
        for (const s of servers) if (!found.includes(s)) found.push(s);
      }
    }
    return found;
  }
}

/**
 * Kubernetes names a Deployment's pods `<deployment>-<pod-template-hash>-<5 random>` and a
 * DaemonSet's or ReplicaSet's `<name>-<5 random>`, both drawn from the API machinery's
 * "safe" alphabet (k8s.io/apimachinery/pkg/util/rand: no vowels, no 0, 1 or 3), so an ordinary
 * word or a host number (web-01) never looks like one.
 */
const POD_OF_DEPLOYMENT =
  /^(.+)-[bcdfghjklmnpqrstvwxz2456789]{6,10}-[bcdfghjklmnpqrstvwxz2456789]{5}$/;
const POD_OF_SET = /^(.+)-[bcdfghjklmnpqrstvwxz2456789]{5}$/;
/**
 * A pod as the kubelet names it in events and logs, `<name>_<namespace>` (kubelet's format.Pod,
 * pkg/kubelet/util/format/pod.go); neither part holds an underscore.
 */
const KUBELET_POD = /^([a-z0-9][a-z0-9.-]*)_[a-z0-9][a-z0-9-]*$/;

/** The workload a pod name belongs to (payments-api for payments-api-7c9d8f6b5d-x2kqz), or null. */
function workloadOfPod(name: string): string | null {
  return POD_OF_DEPLOYMENT.exec(name)?.[1] ?? POD_OF_SET.exec(name)?.[1] ?? null;
}

/** The first label of a host name (not of an IP address). */
function shortName(name: string): string {
  if (/^\d+(\.\d+){3}$/.test(name) || !name.includes('.')) return name;
  return name.slice(0, name.indexOf('.'));
}

/** A name-shaped run of Latin, Greek and Cyrillic letters: where look-alike letters hide. */
const NAME_RUN = /[A-Za-z0-9\u0370-\u03FF\u0400-\u04FF][A-Za-z0-9\u0370-\u03FF\u0400-\u04FF._-]*/gu;
const LOOK_ALIKE_LETTER = /[\u0370-\u03FF\u0400-\u04FF]/u;

/**
 * Names that mix Latin letters with Greek or Cyrillic ones (pаyment-server-01 with a Cyrillic
 * а): never a known server, reported whole and said to be so, and blanked out so that their
 * Latin pieces are not read as names of their own.
 */
function withoutLookAlikes(text: string): { text: string; lookAlikes: string[] } {
  const lookAlikes: string[] = [];
  const blanked = text.replace(NAME_RUN, (run) => {
    if (!/[A-Za-z]/.test(run) || !LOOK_ALIKE_LETTER.test(run)) return run;
    lookAlikes.push(`${run} (Latin mixed with look-alike Greek or Cyrillic letters)`);
    return ' '.repeat(run.length);
  });
  return { text: blanked, lookAlikes };
}

const ACRONYM = /^[A-Z]{2,5}$/;

/** Every known server a text names, in order, and the server-shaped names that match nothing. */
function namesIn(report: string, names: Names): { found: ServerInfo[]; unknown: string[] } {
  const urls = withoutUrls(report);
  const { text, lookAlikes } = withoutLookAlikes(urls.text);
  const { hosts } = urls;
  const found = new Map<string, ServerInfo>();
  const unknown: string[] = [...new Set(lookAlikes)];
  const take = (s: ServerInfo) => found.set(s.id, s);
  const tokens = tokensOf(text);
  // A value the alert itself labels as context (`"project_id": "acme-prod-1234"`) is that wherever
  // else it appears unlabelled (Google's summary "CPU utilization for acme-prod-1234 vm-3 …").
  const labelledContext = new Set<string>();
  for (const token of tokens) {
    const key = keyBefore(text, token.start);
    if (key && isContextKey(key)) labelledContext.add(token.text.toLowerCase());
  }
  for (const token of tokens) {
    const server = names.server(token.text);
    if (server) {
      take(server);
      continue;
    }
    // An acronym in capitals (API, DNS, SMTP) is a word of the alert's own vocabulary ("API check"),
    // not a service written in lower case.
    const service = ACRONYM.test(token.text) ? null : names.service(token.text);
    if (service) {
      // `release: payments@2.4.1`, `job=payments` name a release or a job, not the service's servers.
      const key = keyBefore(text, token.start);
      if (!(key && isContextKey(key))) for (const s of service) take(s);
      continue;
    }
    const embedded = names.embedded(token.text);
    if (embedded.length) {
      for (const s of embedded) take(s);
      continue;
    }
    const t = token.text;
    if (
      SERVER_LIKE.test(t) &&
      /[a-z]/i.test(t) &&
      /-/.test(t) &&
      !unknown.includes(t) &&
      !labelledContext.has(t.toLowerCase()) &&
      !notAServer(token, text)
    ) {
      unknown.push(t);
    }
  }
  // A URL's host may name a known server (an uptime check of https://web-01.example.com/health);
  // nothing else in a URL is read, and an unknown host is not reported.
  for (const host of hosts) {
    const server = names.server(host);
    if (server) take(server);
  }
  return { found: [...found.values()], unknown };
}

/**
 * Finds the servers a report names: by server id (or its short name / FQDN), by an id embedded
 * in a compound name, or by service name (all of its servers). A name that looks like a server but
 * is not known is reported, never guessed at; regions, clusters, tickets and words inside URLs are
 * not names. With a subject (an alert's title, labels, host fields), servers named only outside it
 * are context: investigated, never restarted.
 */
export function resolveScope(
  report: string,
  known: readonly ServerInfo[],
  options: ScopeOptions = {},
): Scope {
  const names = new Names(known);
  const all = namesIn(report, names);
  const subject = options.subject ? namesIn(options.subject, names) : null;
  const subjects = new Set((subject?.found ?? all.found).map((s) => s.id));
  // What the alert is about comes first, so a cut to MAX_SCOPE keeps it.
  const ordered = [
    ...(subject?.found ?? []),
    ...all.found.filter((s) => !subject?.found.some((f) => f.id === s.id)),
  ];
  const unknown = [...new Set([...(subject?.unknown ?? []), ...all.unknown])];
  const servers = ordered.slice(0, MAX_SCOPE);
  return {
    servers,
    unknown,
    truncatedFrom: ordered.length > MAX_SCOPE ? ordered.length : null,
    known,
    skipped: ordered.slice(MAX_SCOPE).map((s) => s.id),
    context: servers.filter((s) => !subjects.has(s.id)).map((s) => s.id),
  };
}

/**
 * Host-like fields of an alert (`Host: web-01`, `instance=web-01:9100`): what it is about, with
 * its title. Keys as alerting systems write them.
 */
// Beyond the usual: Nagios' Address ($HOSTADDRESS$), Wazuh's Agent "(003) - web-01" (integrations/
// slack.py), a Kubernetes event's involved object, Dynatrace's process group.
const HOST_KEYS =
  /^(?:host|hostname|host_name|address|host_address|ip|ip_address|instance|instanceid|instance_id|server|server_name|server_id|node|nodename|node_name|pod|pod_name|deployment|kube_deployment|service|service_name|resource|entity|target|machine|device|vm|container|agent|agent_name|object|involvedobject|involved_object|process_group)$/i;

/** A labelled line that is prose about the alert, not its title: description, summary, runbook. */
const PROSE_FIELD =
  /^[\s\-•*]*(?:description|summary|message|details?|annotations|runbook(?:_url)?|notes?|comment)\b/i;

/**
 * The subject of an alert's text: its title (the first line, and the second unless that is
 * labelled prose — some integrations lead with their own name) and every host-like field
 * (`Host: web-01`, `instance=web-01:9100`, `Resource: Instance i-0abc…`). For alerts posted as
 * text, where no labels say what the alert is about.
 */
export function alertSubject(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  const title = lines.slice(0, 1);
  const second = lines[1];
  if (second && !PROSE_FIELD.test(second)) title.push(second);
  const fields: string[] = [];
  for (const line of lines) {
    if (PROSE_FIELD.test(line)) continue;
    // The value may follow markup: `*pod:* \`web-7c9d…\`` (the community Alertmanager Slack template).
    for (const m of line.matchAll(
      /(?:^|[\s,{(•*_-])([A-Za-z_][A-Za-z0-9_. ]{0,24}?)\s*[:=][\s"'`*]*([^,;"'`*}]+)/g,
    )) {
      // `host.name`, `beat.hostname`, `Host name`, `k8s.pod.name`: the last part is the key, or the
      // last two when the last is only `name` or `id`.
      const parts = (m[1] ?? '').trim().replace(/\s+/g, '_').split('.');
      const last = parts.at(-1) ?? '';
      const lastTwo = parts.length > 1 ? `${parts.at(-2)}_${last}` : last;
      const key = /^(?:name|id)$/i.test(last) && HOST_KEYS.test(lastTwo) ? lastTwo : last;
      const value = m[2]?.trim();
      if (HOST_KEYS.test(key) && value) fields.push(value.slice(0, 120));
    }
  }
  return [...title, ...fields].join('\n');
}

/** "a, b, c and 12 more": a long inventory cut to a readable list. */
export function listKnown(known: readonly ServerInfo[], max = 20): string {
  const names = known.map((s) => s.id).sort();
  const more = names.length > max ? ` and ${names.length - max} more` : '';
  return `${names.slice(0, max).join(', ')}${more}`;
}

/** What to tell a user whose report names no known server: never a guess. */
export function describeOutOfScope(scope: Scope): string {
  const which = scope.unknown.map((u) => `"${u}"`).join(', ');
  return scope.unknown.length
    ? `no server named ${which}; known: ${listKnown(scope.known)}`
    : `the report names no known server or service; known: ${listKnown(scope.known)}`;
}

/** The draft for a report that names nothing known: say so plainly and do nothing. */
export function outOfScopeDraft(scope: Scope): PlannerDraft {
  const what = describeOutOfScope(scope);
  return {
    title: scope.unknown.length
      ? `Unknown server: ${scope.unknown.join(', ')}`.slice(0, 150)
      : 'No server named in the report',
    summary: `Nothing investigated: ${what}.`,
    category: 'unknown',
    severity: 'sev3',
    action: 'monitor',
    restartServer: null,
    facts: [],
    hypotheses: [],
    safeChecks: [],
    nextActions: ['Re-run triage naming a known server id or service'],
    impact: `Unknown: ${what}`,
  };
}
