import type { FakeSlack, SlackCall } from '../../testing/fake-slack.ts';

type Block = { type: string; block_id?: string; elements?: Record<string, unknown>[] };

export function blocksOf(call: SlackCall): Block[] {
  return Array.isArray(call.args.blocks) ? (call.args.blocks as Block[]) : [];
}

/** The text a call puts on screen: its fallback text and every string inside its blocks. */
export function shown(call: SlackCall): string {
  return `${String(call.args.text ?? '')}\n${JSON.stringify(call.args.blocks ?? [])}`;
}

/** The restart decision's buttons (Approve, Deny) a call puts on screen. */
export function buttonsOf(call: SlackCall): Record<string, unknown>[] {
  return allButtonsOf(call).filter(
    (b) => b.action_id === 'approve_restart' || b.action_id === 'deny_restart',
  );
}

/** Every button, the Full brief one included. */
export function allButtonsOf(call: SlackCall): Record<string, unknown>[] {
  return blocksOf(call)
    .filter((b) => b.type === 'actions')
    .flatMap((b) => b.elements ?? []);
}

/**
 * The write that put the brief with restart buttons on screen: the chat.update of a progress
 * message, or the brief posted itself (an alert's, answered without a progress message).
 */
export function briefWithButtons(slack: FakeSlack): SlackCall | undefined {
  return slack.calls.find(
    (c) =>
      (c.method === 'chat.update' || c.method === 'chat.postMessage') && buttonsOf(c).length > 0,
  );
}

export async function waitForBriefWithButtons(
  slack: FakeSlack,
): Promise<{ call: SlackCall; proposalId: string }> {
  await slack.waitFor(
    (s) => briefWithButtons(s) !== undefined,
    10_000,
    'a brief with restart buttons',
  );
  const call = briefWithButtons(slack);
  const approve = call ? buttonsOf(call).find((b) => b.action_id === 'approve_restart') : undefined;
  if (!call || typeof approve?.value !== 'string') throw new Error('no approve button');
  return { call, proposalId: approve.value };
}

export function postsTo(slack: FakeSlack, channel: string): SlackCall[] {
  return slack.callsTo('chat.postMessage').filter((c) => c.args.channel === channel);
}

/** Calls whose text on screen matches. */
export function callsShowing(slack: FakeSlack, method: string, pattern: RegExp): SlackCall[] {
  return slack.callsTo(method).filter((c) => pattern.test(shown(c)));
}

/** New messages other than the full brief the bot posts in each incident's thread. */
export function postsBesidesFullBriefs(slack: FakeSlack): SlackCall[] {
  return slack
    .callsTo('chat.postMessage')
    .filter((c) => !String(c.args.text ?? '').startsWith('Full brief: '));
}
