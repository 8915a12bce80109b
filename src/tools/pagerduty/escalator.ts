import { z } from 'zod';
import type { IncidentBrief } from '../../domain/brief.ts';
import type { Clock } from '../../domain/clock.ts';
import type { Severity } from '../../domain/vocabulary.ts';
import type { EscalationReceipt, EscalationTicket, Escalator } from '../backends.ts';
import { ToolError } from '../errors.ts';
import {
  clip,
  displayUrl,
  type FetchLike,
  type HttpAnswer,
  httpCall,
  retryAfterMs,
  statusError,
  tryJson,
} from '../http.ts';

/** PagerDuty's severities for ours: sev0 pages as critical, sev3 as info. */
export const PAGERDUTY_SEVERITY: Record<Severity, 'critical' | 'error' | 'warning' | 'info'> = {
  sev0: 'critical',
  sev1: 'error',
  sev2: 'warning',
  sev3: 'info',
};

export const PAGERDUTY_LIMITS = {
  summaryChars: 1024,
  sourceChars: 255,
  /** The Events API refuses events over 512 KB; stay well under. */
  eventBytes: 400_000,
  links: 5,
  /** One retry for 429/5xx/unreachable: a page matters, but the bot must not hang on it. */
  attempts: 2,
  retryDelayMs: 1_000,
  maxRetryDelayMs: 5_000,
} as const;

export type PagerDutyOptions = {
  /** PAGERDUTY_EVENTS_URL. */
  eventsUrl: string;
  /** PAGERDUTY_ROUTING_KEY: used when the catalog names none for the service. */
  defaultRoutingKey: string | null;
  /** The catalog's routing key for a service. */
  routingKeyFor: (service: string) => string | null;
  /** The catalog's service of a server, for briefs whose ownership names none. */
  serviceOf: (serverId: string) => string | null;
  fetch?: FetchLike;
  clock: Clock;
  timeoutMs?: number;
};

const Accepted = z.object({
  status: z.string(),
  message: z.string().optional(),
  dedup_key: z.string().optional(),
});
const Rejected = z.object({
  status: z.string().optional(),
  message: z.string().optional(),
  errors: z.array(z.string()).optional(),
});

function clipTo(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The escalation package as custom_details; cut down when it would not fit in an event. */
function details(ticket: EscalationTicket, full: boolean): Record<string, unknown> {
  const b = ticket.brief;
  const pkg = b.escalationPackage;
  const take = <T>(list: readonly T[], n: number) => (full ? list : list.slice(0, n));
  return {
    incident_id: b.incidentId,
    reason: ticket.reason,
    escalation: b.escalation,
    category: b.category,
    severity: b.severity,
    summary: b.summary,
    report: b.report,
    servers: b.servers,
    environment: b.environment,
    impact: pkg.impact,
    timeline: take(pkg.timeline, 20),
    evidence: take(pkg.evidence, 10),
    ownership: pkg.ownership,
    actions_taken: take(pkg.actionsTaken, 20),
    policy_notes: take(b.policyNotes, 5),
    ...(full ? {} : { truncated: 'the full package is in the incident thread' }),
  };
}

function links(brief: IncidentBrief): Array<{ href: string; text: string }> {
  const seen = new Set<string>();
  const out: Array<{ href: string; text: string }> = [];
  for (const e of brief.evidence) {
    const href = e.source.link;
    if (!href || seen.has(href)) continue;
    seen.add(href);
    out.push({
      href,
      text: `${e.id} ${e.source.tool}(${e.source.subject}) via ${e.source.backend}`,
    });
  }
  return out.slice(0, PAGERDUTY_LIMITS.links);
}

/**
 * Escalation to PagerDuty through the Events API v2: one trigger event per incident (the dedup key
 * is the incident id, so a re-escalation updates the same PagerDuty incident instead of paging
 * twice), routed by the catalog's key for the service or PAGERDUTY_ROUTING_KEY.
 */
export class PagerDutyEscalator implements Escalator {
  readonly name = 'pagerduty';
  private readonly options: PagerDutyOptions;
  private readonly url: URL;
  private readonly target: string;
  private readonly fetch: FetchLike;
  private readonly clock: Clock;

  constructor(options: PagerDutyOptions) {
    this.options = options;
    this.url = new URL(options.eventsUrl);
    this.target = `PagerDuty Events API at ${displayUrl(this.url)}`;
    this.fetch = options.fetch ?? globalThis.fetch;
    this.clock = options.clock;
  }

  private event(ticket: EscalationTicket, routingKey: string, service: string | null) {
    const b = ticket.brief;
    const team = b.escalationPackage.ownership.team;
    const event = {
      routing_key: routingKey,
      event_action: 'trigger',
      dedup_key: ticket.incidentId,
      payload: {
        summary: clipTo(`[${b.severity}] ${b.title}`, PAGERDUTY_LIMITS.summaryChars),
        source: clipTo(
          b.servers.join(', ') || service || 'level-zero-operator',
          PAGERDUTY_LIMITS.sourceChars,
        ),
        severity: PAGERDUTY_SEVERITY[b.severity],
        timestamp: this.clock.now().toISOString(),
        ...(service ? { component: service } : {}),
        ...(team ? { group: team } : {}),
        class: b.category,
        custom_details: details(ticket, true),
      },
      links: links(b),
      client: 'Level Zero Operator',
    };
    if (Buffer.byteLength(JSON.stringify(event)) <= PAGERDUTY_LIMITS.eventBytes) return event;
    return { ...event, payload: { ...event.payload, custom_details: details(ticket, false) } };
  }

  async send(ticket: EscalationTicket, signal?: AbortSignal): Promise<EscalationReceipt> {
    const b = ticket.brief;
    const service =
      b.escalationPackage.ownership.service ??
      (b.servers[0] ? this.options.serviceOf(b.servers[0]) : null);
    const routingKey =
      (service ? this.options.routingKeyFor(service) : null) ?? this.options.defaultRoutingKey;
    if (!routingKey)
      throw new ToolError(
        'refused',
        `no PagerDuty routing key for ${service ? `service ${service}` : 'this incident'}: set pagerduty for it in the catalog or PAGERDUTY_ROUTING_KEY; nobody was paged`,
      );
    const body = JSON.stringify(this.event(ticket, routingKey, service));

    let answer: HttpAnswer | null = null;
    let lastError: unknown = null;
    for (let attempt = 1; attempt <= PAGERDUTY_LIMITS.attempts; attempt++) {
      try {
        answer = await httpCall({
          fetch: this.fetch,
          url: this.url,
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body,
          signal,
          ...(this.options.timeoutMs ? { timeoutMs: this.options.timeoutMs } : {}),
          target: this.target,
          hint: 'check PAGERDUTY_EVENTS_URL and outbound network access',
        });
        lastError = null;
      } catch (error) {
        answer = null;
        lastError = error;
        // A timeout may have delivered the event; the dedup key makes a retry harmless.
        if (!(error instanceof ToolError) || signal?.aborted) break;
      }
      const retriable = answer === null || answer.status === 429 || answer.status >= 500;
      if (!retriable || attempt === PAGERDUTY_LIMITS.attempts) break;
      const asked = answer ? retryAfterMs(answer.headers) : null;
      const wait =
        asked === null
          ? PAGERDUTY_LIMITS.retryDelayMs
          : Math.min(asked, PAGERDUTY_LIMITS.maxRetryDelayMs);
      await this.clock.sleep(wait);
    }
    if (!answer) {
      const message = lastError instanceof Error ? lastError.message : String(lastError);
      throw new ToolError(
        lastError instanceof ToolError ? lastError.code : 'unavailable',
        `${message}; the page is not confirmed`,
        { cause: lastError },
      );
    }

    const json = tryJson(answer.text);
    if (answer.status === 202 || answer.status === 200) {
      const accepted = Accepted.safeParse(json);
      return {
        target: `PagerDuty (${service ? `service ${service}` : 'default routing key'})`,
        ref: (accepted.success ? accepted.data.dedup_key : undefined) ?? ticket.incidentId,
      };
    }
    const rejected = Rejected.safeParse(json);
    const said = rejected.success
      ? [rejected.data.message, ...(rejected.data.errors ?? [])].filter(Boolean).join(': ')
      : answer.text;
    if (answer.status === 400)
      throw new ToolError(
        'invalid_arguments',
        `PagerDuty rejected the event (400${said ? `: ${clip(said)}` : ''}): check the routing key for ${service ?? 'this incident'} (catalog or PAGERDUTY_ROUTING_KEY); nobody was paged`,
      );
    throw statusError(this.target, answer, said, {
      rate_limited: 'PagerDuty is rate-limiting events for this routing key; nobody was paged',
      unavailable: 'PagerDuty failed on its side; the page is not confirmed',
      unauthorized:
        'check PAGERDUTY_EVENTS_URL (the Events API needs no token, only a routing key); nobody was paged',
      forbidden: 'check PAGERDUTY_EVENTS_URL and the routing key; nobody was paged',
      not_found:
        'check PAGERDUTY_EVENTS_URL (default https://events.pagerduty.com/v2/enqueue); nobody was paged',
    });
  }
}
