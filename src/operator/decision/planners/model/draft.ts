import { PlannerDraft } from '../../../../domain/brief.ts';
import { describeError } from '../../../../domain/errors.ts';
import type { ToolSession } from '../../../../tools/session.ts';
import type { AnswerFormat } from './chat-model.ts';
import {
  fencedBlocks,
  isRecord,
  jsonSpans,
  parseJson,
  tryJson,
  withoutReasoning,
} from './json-text.ts';

const DRAFT_KEYS = Object.keys(PlannerDraft.shape);

/** How much a JSON value looks like a draft: the number of draft fields it has. */
function draftLikeness(value: unknown): number {
  return isRecord(value) ? DRAFT_KEYS.filter((k) => k in value).length : -1;
}

/**
 * The JSON inside an answer: with or without a markdown fence or prose around it, ignoring
 * reasoning blocks (whose text may contain braces), and preferring, among several objects (an
 * example before the real answer), the one most like a draft, the last on a tie.
 */
export function extractJson(content: string): string {
  const text = withoutReasoning(content).trim();
  if (tryJson(text) !== undefined) return text;
  const candidates = [...fencedBlocks(text), ...jsonSpans(text)];
  let best: { text: string; score: number } | null = null;
  for (const candidate of candidates) {
    const score = draftLikeness(tryJson(candidate));
    if (score >= 0 && (best === null || score >= best.score)) best = { text: candidate, score };
  }
  if (best) return best.text;
  // Nothing parses: hand back the likeliest text, so the parse error names what is wrong with it.
  return candidates.at(-1) ?? text;
}

/** The final answer's shape, for models that can be held to a schema (structured output). */
export const DRAFT_FORMAT: AnswerFormat = {
  name: 'incident_brief',
  description: 'the draft incident brief, citing evidence ids',
  schema: PlannerDraft,
};

/**
 * A draft wrapped in one key (`{"incident_brief": {…}}`, `{"brief": {…}}`): models echo the schema's
 * name around the answer. Only a wrapper with no draft field of its own is unwrapped.
 */
function unwrapDraft(value: unknown): unknown {
  if (!isRecord(value) || draftLikeness(value) > 0) return value;
  const keys = Object.keys(value);
  const inner = keys.length === 1 && keys[0] !== undefined ? value[keys[0]] : undefined;
  return draftLikeness(inner) > 0 ? inner : value;
}

export type DraftCheck = { ok: true; draft: PlannerDraft } | { ok: false; problems: string[] };

/** The model's final answer as a draft, or every reason it cannot be one. */
export function checkDraft(
  content: string | null,
  session: Pick<ToolSession, 'evidence' | 'find'>,
): DraftCheck {
  if (!content?.trim()) return { ok: false, problems: ['the answer was empty; send the JSON'] };
  let json: unknown;
  try {
    json = unwrapDraft(parseJson(extractJson(content)));
  } catch (error) {
    return { ok: false, problems: [`the answer is not valid JSON (${describeError(error)})`] };
  }
  const parsed = PlannerDraft.safeParse(json);
  if (!parsed.success)
    return {
      ok: false,
      problems: parsed.error.issues.map((i) => `${i.path.join('.') || 'answer'}: ${i.message}`),
    };
  const draft = parsed.data;
  const problems: string[] = [];
  const known = session.evidence.map((e) => e.id);
  draft.facts.forEach((fact, i) => {
    for (const id of fact.evidence)
      if (!session.find(id))
        problems.push(
          `facts.${i}.evidence: ${id} does not exist (evidence ids: ${known.join(', ') || 'none'})`,
        );
  });
  if (draft.action === 'restart' && !draft.restartServer?.trim())
    problems.push('restartServer: required when action is "restart" (the server id to restart)');
  if (problems.length) return { ok: false, problems };
  return {
    ok: true,
    draft: draft.action === 'restart' ? draft : { ...draft, restartServer: null },
  };
}
