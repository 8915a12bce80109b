import { expect } from 'vitest';
import type { IncidentBrief, PlannerDraft } from '../../../../../src/domain/brief.ts';
import { restartDraft } from '../../../../../testing/drafts.ts';
import type { FakeReply, RecordedRequest } from '../../../../../testing/fake-openai.ts';
import type { Message } from '../harness.ts';

/**
 * Building blocks for replaying providers' response shapes. Each test that uses them names the
 * source of the shape it reproduces (provider docs, server source, a public issue).
 */

let counter = 0;

/** A chat completion body around one assistant message, in the shape each test spells out. */
export function chatBody(
  message: Record<string, unknown>,
  finish: string | null = 'stop',
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  counter++;
  return {
    id: `chatcmpl-${counter}`,
    object: 'chat.completion',
    created: 1_760_000_000,
    model: 'fake-model',
    choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: finish }],
    usage: { prompt_tokens: 900, completion_tokens: 60, total_tokens: 960 },
    ...extra,
  };
}

export const ok = (body: unknown, headers: Record<string, string> = {}): FakeReply => ({
  status: 200,
  headers,
  body,
});

export const fail = (
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): FakeReply => ({
  status,
  headers,
  body,
});

/** The draft a careful model gives for the payment seed (E1 health, E2 logs). */
export const PAYMENT_DRAFT: PlannerDraft = restartDraft();
export const PAYMENT_JSON = JSON.stringify(PAYMENT_DRAFT);

/** The tool call most tests make: 20 lines of payment-server-01's logs (not the prefetch's 50). */
export const LOGS_ARGS = { server_id: 'payment-server-01', lines: 20 };

/** A standard OpenAI tool call. */
export function fnCall(id: string, name = 'fetch_recent_logs', args: unknown = LOGS_ARGS) {
  return { id, type: 'function', function: { name, arguments: JSON.stringify(args) } };
}

export function messages(request: RecordedRequest): Message[] {
  return request.body.messages;
}

export function assistantMessages(request: RecordedRequest): Array<Record<string, unknown>> {
  return request.body.messages.filter((m) => m.role === 'assistant') as unknown as Array<
    Record<string, unknown>
  >;
}

export function hasTools(request: RecordedRequest): boolean {
  return Array.isArray(request.body.tools) && request.body.tools.length > 0;
}

/** The model's answer was used: the planner is the model, and it proposed the seed's restart. */
export function expectModelAnswer(brief: IncidentBrief): void {
  expect(brief.planner).toMatchObject({ planner: 'openai', fallbackReason: null });
  expect(brief.action).toBe('restart');
}

/** The planner's own fetch_recent_logs call produced evidence E4 (E1–E3 are the prefetch). */
export function expectToolRan(brief: IncidentBrief): void {
  expect(brief.evidence.find((e) => e.id === 'E4')?.source.tool).toBe('fetch_recent_logs');
}

/** The rules planner answered, and the brief says why in words matching `reason`. */
export function expectFallback(brief: IncidentBrief, reason: RegExp): void {
  expect(brief.planner.planner).toBe('rules');
  expect(brief.planner.fallbackReason).toMatch(reason);
}
