import type { FakeSlack } from '../testing/fake-slack.ts';
import { startFakes } from './fakes.ts';
import type { LatencyFigures } from './figures.ts';
import type { BenchServer } from './fleet.ts';
import type { Progress } from './progress.ts';
import { histogram, histogramFigures, total } from './prometheus.ts';
import { Replica } from './replica.ts';
import type { Settings } from './settings.ts';
import {
  type Ack,
  APPROVER,
  ASKER,
  type Brief,
  STRANGER,
  sendClick,
  sendCommand,
  sendEvent,
} from './slack.ts';
import { summarize } from './stats.ts';

/**
 * The latency phase: one replica on the embedded store, a quiet stream of mentions and /triage
 * commands (each waiting for its brief), then Approve/Deny clicks on briefs that have buttons.
 */

/** One at a time, each started at least `spacingMs` after the previous one started. */
async function paced<T>(
  items: readonly T[],
  spacingMs: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  for (const item of items) {
    const started = Date.now();
    await work(item);
    const rest = started + spacingMs - Date.now();
    if (rest > 0) await new Promise((r) => setTimeout(r, rest));
  }
}

const pad = (n: number) => String(n).padStart(4, '0');

export async function runLatencyPhase(options: {
  settings: Settings;
  servers: readonly BenchServer[];
  fleetFile: string;
  dataDir: string;
  cwd: string;
  progress: Progress;
}): Promise<LatencyFigures> {
  const { settings, servers, progress } = options;
  const fakes = await startFakes({
    latencyMs: settings.latencyMs,
    fleetFile: options.fleetFile,
    writeIntervalMs: settings.writeIntervalMs,
  });
  const { slack, model, ledger } = fakes;
  let replica: Replica | null = null;
  try {
    replica = await Replica.start(
      'latency',
      fakes.env({
        DATA_DIR: options.dataDir,
        // Approvals re-check health quickly; nothing measured waits for it.
        VERIFY_INTERVAL_MS: '200',
      }),
      options.cwd,
    );
    const url = replica.eventsUrl;
    progress.say(`latency: replica on port ${replica.port} (embedded store)`);
    const briefTimeoutMs = Math.max(30_000, settings.latencyMs * 20);
    const acks = { events: [] as Ack[], commands: [] as Ack[], clicks: [] as Ack[] };
    const eventToBrief: number[] = [];
    const eventToFirstBrief: number[] = [];
    const commandToBrief: number[] = [];
    const perMention: { report: string; e2eMs: number }[] = [];
    let missing = 0;
    const serverAt = (i: number) => servers[i % servers.length]?.id ?? 'app-01';

    const mentions = Array.from({ length: settings.mentions }, (_, i) => i);
    await paced(mentions, settings.latencySpacingMs, async (i) => {
      // A channel of its own: Slack paces writes per channel, and one mention must not wait for another's.
      const channel = `C0M${pad(i)}`;
      const ts = `1700001000.${String(i).padStart(6, '0')}`;
      const report = `${serverAt(i)} is slow and timing out, can you check? (req ${i})`;
      const sentAt = Date.now();
      const ack = await sendEvent(
        url,
        { type: 'app_mention', channel, user: 'U0HUMAN', text: `<@UBOT> ${report}`, ts },
        `EvLat${i}`,
      );
      acks.events.push(ack);
      const brief = await ledger.waitForBrief(() => ledger.briefIn(channel, ts), briefTimeoutMs);
      if (!brief) {
        missing += 1;
        return;
      }
      eventToBrief.push(brief.at - sentAt);
      eventToFirstBrief.push(brief.firstAt - sentAt);
      perMention.push({ report, e2eMs: brief.at - sentAt });
    });
    progress.say(`latency: ${settings.mentions} mentions done`);

    const commands = Array.from({ length: settings.commands }, (_, i) => i);
    await paced(commands, settings.latencySpacingMs, async (i) => {
      const channel = `C0T${pad(i)}`;
      const sentAt = Date.now();
      const ack = await sendCommand(url, {
        text: `${serverAt(i + 1)} looks unhealthy`,
        user: ASKER,
        channel,
        responseUrl: slack.responseUrl(`cmd-${i}`),
      });
      acks.commands.push(ack);
      const brief = await ledger.waitForBrief(() => ledger.briefIn(channel, null), briefTimeoutMs);
      if (!brief) {
        missing += 1;
        return;
      }
      commandToBrief.push(brief.at - sentAt);
    });
    progress.say(`latency: ${settings.commands} commands done`);

    const withButtons = ledger
      .briefs()
      .filter((b): b is Brief & { proposalId: string } => b.proposalId !== null)
      .slice(0, settings.clickBriefs);
    let sent = 0;
    let handled = 0;
    for (const [n, brief] of withButtons.entries()) {
      // Handled = the bot answered the clicker or changed the brief: an update of the brief,
      // an ephemeral note to the clicker, or an answer on the response_url.
      const click = async (actionId: 'approve_restart' | 'deny_restart', user: string) => {
        sent += 1;
        const clickedAt = Date.now();
        const responsesBefore = slack.responses.length;
        const ack = await sendClick(url, {
          actionId,
          value: brief.proposalId,
          userId: user,
          channel: brief.channel,
          messageTs: brief.messageTs,
          ...(brief.threadTs ? { threadTs: brief.threadTs } : {}),
          responseUrl: slack.responseUrl(`click-${n}`),
        });
        acks.clicks.push(ack);
        const answered = (s: FakeSlack) =>
          s.responses.length > responsesBefore ||
          s.calls.some(
            (c) =>
              c.at >= clickedAt &&
              ((c.method === 'chat.update' && c.args.ts === brief.messageTs) ||
                (c.method === 'chat.postEphemeral' && c.args.user === user)),
          );
        try {
          await slack.waitFor(answered, 15_000, 'the click to be handled');
          handled += 1;
        } catch {
          progress.say(
            `latency: ${actionId} by ${user} on ${brief.channel}/${brief.messageTs} was not answered within 15 s`,
          );
        }
      };
      await click('approve_restart', STRANGER);
      await click(n % 2 === 0 ? 'approve_restart' : 'deny_restart', APPROVER);
    }
    progress.say(`latency: ${sent} clicks on ${withButtons.length} briefs done`);

    const samples = await replica.metrics();
    const tool = histogramFigures(histogram(samples, 'lzo_tool_seconds'), 1000);
    const toolMean = tool.mean ?? 0;
    const endToEnd = perMention.map(({ report, e2eMs }) => {
      const turns = model.calls.filter((c) => c.report === report).length;
      return e2eMs - turns * settings.latencyMs - toolMean;
    });
    const all = [...acks.events, ...acks.commands, ...acks.clicks];
    const { peakRssBytes } = await replica.stop();
    replica = null;
    return {
      store: 'embedded',
      ack: {
        events: summarize(acks.events.map((a) => a.ms)),
        commands: summarize(acks.commands.map((a) => a.ms)),
        clicks: summarize(acks.clicks.map((a) => a.ms)),
      },
      acksFailed: all.filter((a) => a.status !== 200).length,
      eventToBriefMs: summarize(eventToBrief),
      eventToFirstBriefMs: summarize(eventToFirstBrief),
      commandToBriefMs: summarize(commandToBrief),
      briefsMissing: missing,
      modelMs: histogramFigures(histogram(samples, 'lzo_model_seconds'), 1000),
      toolMs: tool,
      slackMs: histogramFigures(histogram(samples, 'lzo_slack_seconds'), 1000),
      botOverheadMs: histogramFigures(histogram(samples, 'lzo_bot_overhead_seconds'), 1000),
      endToEndOverheadMs: summarize(endToEnd),
      modelTurns: histogramFigures(histogram(samples, 'lzo_model_turns')),
      promptTokens: histogramFigures(histogram(samples, 'lzo_model_prompt_tokens')),
      investigations: total(samples, 'lzo_investigations_total'),
      clicks: { sent, handled },
      peakRssBytes,
    };
  } finally {
    await replica?.stop();
    await fakes.close();
  }
}
