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
  '`/triage list` — open incidents, restarts awaiting approval and the last actions · `/triage status INC-…` — one incident now · `/triage postmortem INC-…` — a postmortem draft in its thread.',
].join('\n');

export const TRIAGE_NOT_STORED =
  '⚠️ I could not take this in: my database is not accepting writes right now, so nothing is being investigated. Run /triage again in a minute; if it keeps failing, tell whoever runs me (their /readyz is failing).';

export const TRIAGE_REPEATED =
  'ℹ️ This /triage was already taken in (the same request arrived twice); the brief will appear once, in this channel.';

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
 * `/triage <text>`: taken in first (stored, with the command's trigger_id as its dedupe key, so a
 * replayed request is handled once), then acknowledged with a private "investigating" note; the
 * brief follows in the channel (through the response_url when the bot is not a member). When the
 * store cannot write, the acknowledgement says so instead of promising a brief. `/triage list`,
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

type Ack = SlackCommandMiddlewareArgs['ack'];

/** A subcommand's answer, or the truth when the record could not be read. */
async function answered(
  ack: Ack,
  deps: ListenerDeps,
  read: () => Promise<Parameters<Ack>[0]>,
): Promise<void> {
  let answer: Parameters<Ack>[0];
  try {
    answer = await read();
  } catch (error) {
    deps.logger.warn({ err: error }, 'could not read the record for a /triage subcommand');
    answer = {
      response_type: 'ephemeral',
      text: '⚠️ I could not read my records just now (the database did not answer). Try again in a minute.',
    };
  }
  await ack(answer);
}

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
    case 'list':
      await answered(ack, deps, async () => ({
        response_type: 'ephemeral',
        ...(await deps.surfaces.listMessage(command.user_id)),
      }));
      return;
    case 'status':
      await answered(ack, deps, async () => {
        const message = await deps.surfaces.statusMessage(sub.incidentId);
        return message
          ? { response_type: 'ephemeral', ...message }
          : {
              response_type: 'ephemeral',
              text: `No incident ${sub.incidentId} in this installation.`,
            };
      });
      return;
    case 'postmortem': {
      await ack({
        response_type: 'ephemeral',
        text: `📝 Drafting the postmortem of ${sub.incidentId}; it will appear in the incident's thread.`,
      });
      // After the acknowledgement (Slack answers only once the listener returns in HTTP mode).
      deps.background(postmortem(sub.incidentId, command, deps), 'a postmortem draft');
      return;
    }
  }
}

async function postmortem(incidentId: string, command: SlashCommand, deps: ListenerDeps) {
  let said: string | null = null;
  try {
    const draft = await deps.postmortems.post(incidentId, command.user_id, 'command');
    if (!draft) said = `${incidentId} has no brief yet (unknown, or still being investigated).`;
  } catch (error) {
    deps.logger.warn({ err: error, incident: incidentId }, 'could not post a postmortem');
    said = `Could not post the postmortem of ${incidentId}: ${error instanceof Error ? error.message : String(error)}`;
  }
  if (said)
    await postToResponseUrl(command.response_url, {
      text: said,
      response_type: 'ephemeral',
      replace_original: false,
    }).catch((error) => deps.logger.warn({ err: error }, 'could not answer the command'));
}
