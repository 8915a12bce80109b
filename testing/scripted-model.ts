import { z } from 'zod';
import type { PlannerDraft } from '../src/domain/brief.ts';
import { escalateDraft, restartDraft } from './drafts.ts';
import { type FakeReply, finalReply, type RecordedRequest, toolCallReply } from './fake-openai.ts';

/**
 * The scripted model of the benchmark. Every investigation takes two turns: a tool call
 * (fetch_recent_logs for the server in scope), then a final draft consistent with the evidence —
 * restart for a saturated or hung server, escalate on a dependency failure, monitor otherwise.
 * It decides from each request's own messages, so concurrent investigations get their own answers.
 */

const EvidenceItem = z
  .object({
    id: z.string(),
    source: z.object({ tool: z.string(), subject: z.string() }).loose(),
    data: z.object({ kind: z.string() }).loose(),
  })
  .loose();
type EvidenceItem = z.infer<typeof EvidenceItem>;

const HealthData = z
  .object({ kind: z.literal('health'), cpu: z.number(), memory: z.number() })
  .loose();
const LogsData = z.object({ kind: z.literal('logs'), lines: z.array(z.string()) }).loose();
const ToolResult = z
  .object({ evidence_id: z.string(), kind: z.string(), lines: z.array(z.string()).optional() })
  .loose();

export type InvestigationView = {
  report: string;
  /** Server ids in scope, in order. */
  servers: string[];
  evidence: EvidenceItem[];
  /** Results of the model's own tool calls. */
  toolResults: z.infer<typeof ToolResult>[];
};

function between(text: string, open: string, close: string): string | null {
  const start = text.indexOf(open);
  const end = text.indexOf(close, start + open.length);
  return start < 0 || end < 0 ? null : text.slice(start + open.length, end).trim();
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** What the bot told the model: the report, the servers in scope, the evidence so far. */
export function readInvestigation(request: RecordedRequest): InvestigationView | null {
  const opening = request.body.messages.find(
    (m) => m.role === 'user' && typeof m.content === 'string' && m.content.includes('<evidence>'),
  );
  if (!opening || typeof opening.content !== 'string') return null;
  const text = opening.content;
  const servers: string[] = [];
  const scope = between(text, 'Servers in scope', '\n\n') ?? '';
  for (const line of scope.split('\n')) {
    const id = /^- (\S+)/.exec(line.trim())?.[1];
    if (id) servers.push(id);
  }
  // The tags also appear in the instructions above them; the data's own tags stand on their own lines.
  const rawEvidence = parseJson(between(text, '\n<evidence>\n', '\n</evidence>') ?? '[]');
  const evidence = (Array.isArray(rawEvidence) ? rawEvidence : []).flatMap((item) => {
    const parsed = EvidenceItem.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  });
  const toolResults = request.body.messages.flatMap((m) => {
    if (m.role !== 'tool' || typeof m.content !== 'string') return [];
    const parsed = ToolResult.safeParse(parseJson(m.content));
    return parsed.success ? [parsed.data] : [];
  });
  const report = between(text, '\n<report>\n', '\n</report>') ?? '';
  return { report, servers, evidence, toolResults };
}

const DEPENDENCY = /connection refused|unreachable|dependency/i;
const HUNG = /hung|not responding|unresponsive/i;

/** The draft a careful model would write from this evidence. */
export function draftFor(view: InvestigationView): PlannerDraft {
  const draft = decide(view);
  // A fact must cite evidence; one whose evidence is missing is left out rather than invented.
  return { ...draft, facts: draft.facts.filter((f) => f.evidence.length > 0) };
}

function decide(view: InvestigationView): PlannerDraft {
  const server = view.servers[0];
  if (!server)
    return escalateDraft({
      title: 'No known server named in the report',
      summary: 'The report names no server the inventory knows; nothing to act on.',
      category: 'unknown',
      severity: 'sev3',
      action: 'monitor',
      facts: [],
      hypotheses: [],
      safeChecks: ['Ask the reporter which server they mean'],
      nextActions: ['Re-run the triage with a known server id'],
      impact: 'Unknown; no server was identified.',
    });
  const mine = view.evidence.filter((e) => e.source.subject === server);
  const healthItem = mine.find((e) => e.data.kind === 'health');
  const logsItem = mine.find((e) => e.data.kind === 'logs');
  const health = HealthData.safeParse(healthItem?.data);
  const lines = [
    ...(LogsData.safeParse(logsItem?.data).data?.lines ?? []),
    ...view.toolResults.flatMap((r) => r.lines ?? []),
  ];
  const cite = (item: EvidenceItem | undefined) => (item ? [item.id] : []);
  const healthFacts = healthItem
    ? [
        {
          text: `${server} reports cpu ${health.data?.cpu ?? '?'}%, memory ${health.data?.memory ?? '?'}%`,
          evidence: cite(healthItem),
        },
      ]
    : [];
  const dependency = lines.find((l) => DEPENDENCY.test(l));
  if (dependency)
    return escalateDraft({
      title: `${server}: dependency unreachable`,
      summary: `${server} cannot reach a dependency; a restart will not help, escalating.`,
      facts: [...healthFacts, { text: `logs show: ${dependency}`, evidence: cite(logsItem) }],
      hypotheses: [{ text: 'The dependency is down or unreachable', confidence: 'high' }],
      safeChecks: [`Check the dependency's health from ${server}`],
      nextActions: ['Engage the owning team of the dependency'],
      impact: `Requests served by ${server} are failing.`,
    });
  const saturated = (health.data?.cpu ?? 0) >= 90 || (health.data?.memory ?? 0) >= 90;
  const hung = lines.find((l) => HUNG.test(l));
  if (saturated || hung)
    return restartDraft({
      title: `${server}: resource saturation, hung process`,
      summary: `${server} is saturated${hung ? ' and hung' : ''}; a restart is proposed.`,
      restartServer: server,
      facts: [
        ...healthFacts,
        ...(hung ? [{ text: `logs show: ${hung}`, evidence: cite(logsItem) }] : []),
      ],
      impact: `Requests to ${server} are slow and timing out.`,
    });
  return escalateDraft({
    title: `${server}: no problem found`,
    summary: `Health and logs of ${server} look normal.`,
    category: 'unknown',
    severity: 'sev3',
    action: 'monitor',
    facts: healthFacts,
    hypotheses: [],
    safeChecks: [`Watch ${server}'s dashboards for a recurrence`],
    nextActions: ['Monitor'],
    impact: 'No impact found.',
  });
}

export type ModelCall = { report: string; arrivedAt: number; final: boolean };

/** The step the fake OpenAI server answers every request with, and the log of what it answered. */
export class ScriptedModel {
  readonly calls: ModelCall[] = [];

  readonly step = (request: RecordedRequest): FakeReply => {
    const view = readInvestigation(request);
    const arrivedAt = Date.now();
    const offersTools = Array.isArray(request.body.tools) && request.body.tools.length > 0;
    const server = view?.servers[0];
    if (view && server && offersTools && view.toolResults.length === 0) {
      this.calls.push({ report: view.report, arrivedAt, final: false });
      // 100 lines, not the prefetch's 50, so it is not refused as an identical repeat.
      return toolCallReply([
        { name: 'fetch_recent_logs', args: { server_id: server, lines: 100 } },
      ]);
    }
    this.calls.push({ report: view?.report ?? '', arrivedAt, final: true });
    return finalReply(
      view ? draftFor(view) : escalateDraft({ action: 'monitor', facts: [], severity: 'sev3' }),
    );
  };
}
