import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { describeError } from '../../../domain/errors.ts';
import { redact } from '../../../tools/redact.ts';
import { ACK_DEADLINE_MS, orLate } from '../../acks.ts';
import { decisionHeadline } from '../../blocks/decision.ts';
import type { ClickSite } from '../../decisions.ts';
import { BriefViewMetadata, ButtonClick } from '../../payloads.ts';
import type { ListenerDeps } from '../deps.ts';

type ClickArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

export const CLICK_NOT_STORED =
  '⚠️ Your click was not recorded: my database is not accepting writes right now. Nothing was restarted or denied. Try again in a minute.';

type Surface = NonNullable<ClickSite['surface']>;

function surfaceOf(click: ButtonClick): Surface {
  if (click.container?.type === 'view' || click.view)
    return click.view?.type === 'home' ? 'home' : 'modal';
  return click.container?.is_ephemeral ? 'ephemeral' : 'message';
}

function siteOf(click: ButtonClick, surface: Surface): ClickSite {
  return {
    user: click.user.id,
    team: click.team?.id ?? click.user.team_id ?? null,
    channel: click.channel?.id ?? click.container?.channel_id ?? null,
    messageTs: click.message?.ts ?? click.container?.message_ts ?? null,
    threadTs: click.message?.thread_ts ?? click.container?.thread_ts ?? null,
    responseUrl: click.response_url ?? null,
    surface,
    ...(surface === 'modal' ? { viewIncident: incidentOfView(click) } : {}),
  };
}

function incidentOfView(click: ButtonClick): string | null {
  try {
    return BriefViewMetadata.parse(JSON.parse(click.view?.private_metadata ?? '')).incidentId;
  } catch {
    return null;
  }
}

/**
 * Approve and Deny, wherever the buttons are — the brief, the Full brief modal, App Home, a
 * `/triage list` answer: one approval path, one set of rules. A click is acknowledged once the
 * decision is recorded (approval, denial or refusal written), not before; the restart, its
 * re-check and any escalation go on after the acknowledgement, and a modal or App Home then shows
 * the outcome in place. When the store cannot record the click, the clicker is told so — nothing
 * was done — rather than left with a button that seemed to work.
 */
function decide(verb: 'approve' | 'deny', deps: ListenerDeps) {
  return async ({ ack, body }: ClickArgs) => {
    const parsed = ButtonClick.safeParse(body);
    const action = parsed.data?.actions[0];
    if (!parsed.success || !action) {
      await ack();
      deps.logger.warn(
        { issues: parsed.error?.issues },
        'dropped a button click of unexpected shape',
      );
      return;
    }
    const click = parsed.data;
    const surface = surfaceOf(click);
    const site = siteOf(click, surface);
    let wasRecorded = false;
    let recorded = () => {};
    const isRecorded = new Promise<'recorded'>((resolve) => {
      recorded = () => {
        wasRecorded = true;
        resolve('recorded');
      };
    });
    const work = deps.decisions.click(verb, action.value, site, { onRecorded: recorded });
    const first = await orLate(
      Promise.race([
        isRecorded,
        work.then(
          () => 'done' as const,
          (error: unknown) => ({ error }),
        ),
      ]),
      ACK_DEADLINE_MS,
    );
    if (typeof first === 'object' && !wasRecorded) {
      // Nothing was recorded: the click changed nothing, and its clicker learns that now.
      deps.readiness.failed('click', first.error);
      await ack();
      await deps.decisions
        .clickFailed(site, CLICK_NOT_STORED)
        .catch((error: unknown) => deps.logger.warn({ err: error }, 'could not tell the clicker'));
      return;
    }
    if (first !== 'late') deps.readiness.succeeded();
    await ack();
    deps.background(
      work.then(
        async (outcome) => {
          // A modal or App Home shows the outcome in place.
          const notice = decisionHeadline(outcome);
          if (surface === 'modal' && click.view) {
            const incidentId =
              ('proposal' in outcome ? outcome.proposal.incidentId : null) ?? incidentOfView(click);
            if (incidentId) await deps.surfaces.refreshModal(click.view.id, incidentId, notice);
          }
          if (surface === 'home') await deps.surfaces.publishHome(click.user.id, notice);
        },
        async (error: unknown) => {
          deps.logger.error({ err: error, proposal: action.value }, 'a restart decision failed');
          await deps.decisions.clickFailed(
            site,
            wasRecorded
              ? `⚠️ Your ${verb === 'approve' ? 'approval' : 'denial'} was recorded, but what follows it failed: ${redact(describeError(error))}. If a restart had started, its outcome will be posted in the thread once it is known.`
              : CLICK_NOT_STORED,
          );
        },
      ),
      `a ${verb} click`,
    );
  };
}

/** The Approve button (`approve_restart`): only APPROVERS may; it restarts once, then re-checks health. */
export const approveRestart = (deps: ListenerDeps) => decide('approve', deps);

/** The Deny button (`deny_restart`): records who and when, then escalates with the brief. */
export const denyRestart = (deps: ListenerDeps) => decide('deny', deps);
