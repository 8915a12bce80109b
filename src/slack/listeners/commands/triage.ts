import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { plainText } from '../../alert-text.ts';
import { SlashCommand } from '../../payloads.ts';
import { intakeRequest } from '../../thread.ts';
import type { ListenerDeps } from '../deps.ts';

export const TRIAGE_USAGE = [
  '*Usage:* `/triage <what is wrong>` — for example `/triage payment-server-01 is extremely slow and timing out`.',
  'I gather health, logs and recent changes, post an incident brief in this channel, and ask for approval before any restart.',
].join('\n');

/**
 * `/triage <text>`: acknowledged at once with a private "investigating" note; the brief follows in
 * the channel (through the response_url when the bot is not a member).
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
    await ack({
      response_type: 'ephemeral',
      text: `🔎 Investigating “${text.slice(0, 200)}”… the brief will appear in this channel.`,
    });
    await deps.intake.accept(
      intakeRequest({
        origin: 'command',
        text,
        actor: parsed.data.user_id,
        channel: parsed.data.channel_id,
        replyTo: null,
        responseUrl: parsed.data.response_url,
      }),
    );
  };
}
