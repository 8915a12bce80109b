import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { plainText } from '../../alert-text.ts';
import { SlashCommand } from '../../payloads.ts';
import { postToResponseUrl } from '../../respond.ts';
import { intakeRequest } from '../../thread.ts';
import type { ListenerDeps } from '../deps.ts';

export const TRIAGE_USAGE = [
  '*Usage:* `/triage <what is wrong>` — for example `/triage payment-server-01 is extremely slow and timing out`.',
  'I gather health, logs and recent changes, post an incident brief in this channel, and ask for approval before any restart.',
  '`/triage list` — open incidents, restarts awaiting approval and the last actions · `/triage status INC-…` — one incident now · `/triage postmortem INC-…` — a postmortem draft in its thread.',
].join('\n');

const INCIDENT_ID = /^INC-[0-9A-F]{8}$/i;

/** The subcommands; anything else is a report to triage, as always. */
type Subcommand =
  | { kind: 'list' }
  | { kind: 'status'; incidentId: string }
  | { kind: 'postmortem'; incidentId: string }
  | { kind: 'help' };

export function subcommandOf(text: string): Subcommand | null {
  const [verb, arg, ...rest] = text.trim().split(/\s+/);
  const word = verb?.toLowerCase();
  if (rest.length > 0) return null;
  if (word === 'help' && !arg) return { kind: 'help' };
  if (word === 'list' && !arg) return { kind: 'list' };
  if ((word === 'status' || word === 'postmortem') && arg && INCIDENT_ID.test(arg))
    return { kind: word, incidentId: arg.toUpperCase() };
  return null;
}

/**
 * `/triage <text>`: acknowledged at once with a private "investigating" note; the brief follows in
 * the channel (through the response_url when the bot is not a member). `/triage list`,
 * `/triage status INC-…` and `/triage postmortem INC-…` answer from the record instead.
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
    const sub = subcommandOf(text);
    if (sub) {
      await subcommand(sub, parsed.data, ack, deps);
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

type Ack = SlackCommandMiddlewareArgs['ack'];

async function subcommand(
  sub: Subcommand,
  command: SlashCommand,
  ack: Ack,
  deps: ListenerDeps,
): Promise<void> {
  switch (sub.kind) {
    case 'help':
      await ack({ response_type: 'ephemeral', text: TRIAGE_USAGE });
      return;
    case 'list': {
      const message = await deps.surfaces.listMessage(command.user_id);
      await ack({ response_type: 'ephemeral', ...message });
      return;
    }
    case 'status': {
      const message = await deps.surfaces.statusMessage(sub.incidentId);
      await ack(
        message
          ? { response_type: 'ephemeral', ...message }
          : {
              response_type: 'ephemeral',
              text: `No incident ${sub.incidentId} in this installation.`,
            },
      );
      return;
    }
    case 'postmortem': {
      await ack({
        response_type: 'ephemeral',
        text: `📝 Drafting the postmortem of ${sub.incidentId}; it will appear in the incident's thread.`,
      });
      let said: string | null = null;
      try {
        const draft = await deps.postmortems.post(sub.incidentId, command.user_id, 'command');
        if (!draft)
          said = `${sub.incidentId} has no brief yet (unknown, or still being investigated).`;
      } catch (error) {
        deps.logger.warn({ err: error, incident: sub.incidentId }, 'could not post a postmortem');
        said = `Could not post the postmortem of ${sub.incidentId}: ${error instanceof Error ? error.message : String(error)}`;
      }
      if (said)
        await postToResponseUrl(command.response_url, {
          text: said,
          response_type: 'ephemeral',
          replace_original: false,
        }).catch((error) => deps.logger.warn({ err: error }, 'could not answer the command'));
      return;
    }
  }
}
