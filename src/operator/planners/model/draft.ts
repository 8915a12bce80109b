import { PlannerDraft } from '../../../domain/brief.ts';
import { describeError } from '../../../domain/errors.ts';
import type { ToolSession } from '../../../tools/session.ts';

/** The JSON inside an answer, with or without a markdown fence or a sentence around it. */
export function extractJson(content: string): string {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(content);
  if (fenced?.[1] !== undefined) return fenced[1].trim();
  const text = content.trim();
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  return !text.startsWith('{') && start >= 0 && end > start ? text.slice(start, end + 1) : text;
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
    json = JSON.parse(extractJson(content));
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
