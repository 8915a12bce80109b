import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { ACK_DEADLINE_MS, orLate, stored } from '../../acks.ts';
import { plainText } from '../../alert-text.ts';
import { escCut } from '../../blocks/text.ts';
import { SlashCommand } from '../../payloads.ts';
import { postToResponseUrl } from '../../respond.ts';
import { intakeRequest } from '../../thread.ts';
import type { ListenerDeps } from '../deps.ts';

export const TRIAGE_USAGE = [
  '*Usage:* `/triage <what is wrong>` — for example `/triage payment-server-01 is extremely slow and timing out`.',
  'I gather health, logs and recent changes, post an incident brief in this channel, and ask for approval before any restart.',
].join('\n');

export const TRIAGE_NOT_STORED =
  '⚠️ I could not take this in: my database is not accepting writes right now, so nothing is being investigated. Run /triage again in a minute; if it keeps failing, tell whoever runs me (their /readyz is failing).';

export const TRIAGE_REPEATED =
  'ℹ️ This /triage was already taken in (the same request arrived twice); the brief will appear once, in this channel.';

/**
 * `/triage <text>`: taken in first (stored, with the command's trigger_id as its dedupe key, so a
 * replayed request is handled once), then acknowledged with a private "investigating" note; the
 * brief follows in the channel (through the response_url when the bot is not a member). When the
 * store cannot write, the acknowledgement says so instead of promising a brief.
 */
export function triageCommand(deps: ListenerDeps) {
  return async ({ command, ack }: SlackCommandMiddlewareArgs & AllMiddlewareArgs) => {
    const parsed = SlashCommand.safeParse(command);
    if (!parsed.success) {
      await ack({
        response_type: 'ephemeral',
        text: 'Sorry, Slack sent this command in a shape I do not understand.',
      });
      deps.logger.warn(
        { issues: parsed.error.issues },
        'dropped a slash command of unexpected shape',
      );
      return;
    }
    const text = plainText(parsed.data.text);
    if (!text) {
      await ack({ response_type: 'ephemeral', text: TRIAGE_USAGE });
      return;
    }
    const { user_id, channel_id, response_url, trigger_id } = parsed.data;
    const taking = stored(deps, 'command', () =>
      deps.intake.accept(
        intakeRequest({
          origin: 'command',
          text,
          actor: user_id,
          channel: channel_id,
          replyTo: null,
          responseUrl: response_url,
          ...(trigger_id ? { triggerId: trigger_id } : {}),
        }),
      ),
    );
    const investigating = `🔎 Investigating “${escCut(text, 200)}”… the brief will appear in this channel.`;
    const first = await orLate(
      taking.then(
        (result) => result,
        () => 'failed' as const,
      ),
      ACK_DEADLINE_MS,
    );
    if (first === 'failed') {
      await ack({ response_type: 'ephemeral', text: TRIAGE_NOT_STORED });
      return;
    }
    if (first !== 'late') {
      await ack({
        response_type: 'ephemeral',
        text: first.kind === 'duplicate' ? TRIAGE_REPEATED : investigating,
      });
      return;
    }
    // Slow, not failed: acknowledged now, and the truth follows through the response_url if the
    // write fails after all.
    await ack({ response_type: 'ephemeral', text: investigating });
    deps.background(
      taking.catch(() =>
        postToResponseUrl(response_url, {
          response_type: 'ephemeral',
          replace_original: false,
          text: TRIAGE_NOT_STORED,
        }),
      ),
      'a slow /triage intake',
    );
  };
}
