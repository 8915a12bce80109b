import type {
  BenchResult,
  CeilingFigures,
  CorrelatedFigures,
  HistogramFigures,
  LatencyFigures,
  StormFigures,
  Target,
} from './figures.ts';

/** The targets of the benchmark, checked on the figures, and the report printed on stdout. */

export const TARGET_LIMITS = {
  firstBriefP50Ms: 500,
  stormAckP99Ms: 100,
  botOverheadMs: 100,
  alertsLost: 0,
  investigationsPerServer: 2,
  parentBriefP99Ms: 3_000,
  ceilingPerMin: 30_000,
  peakRssBytes: 250 * 1024 * 1024,
  minPostGapMs: 900,
} as const;

const STORE_NAME = { postgres: 'PostgreSQL', embedded: 'embedded store' } as const;

function stormLabel(storm: StormFigures): string {
  return `${STORE_NAME[storm.store]}, ${storm.replicas} replica${storm.replicas === 1 ? '' : 's'}`;
}

export function buildTargets(
  latency: LatencyFigures | null,
  storms: { postgres: StormFigures | null; embedded: StormFigures | null },
  webhooks: { correlated: CorrelatedFigures | null; ceiling: CeilingFigures | null } = {
    correlated: null,
    ceiling: null,
  },
): Target[] {
  const targets: Target[] = [];
  const ran = [storms.postgres, storms.embedded].filter((s): s is StormFigures => s !== null);
  const notRun = (name: string, figure: string, limit: string, unit: string, why: string) =>
    targets.push({ name, figure, limit, value: null, unit, pass: null, note: why });

  const ackName = 'ack p99 during the storm';
  const ackLimit = `< ${TARGET_LIMITS.stormAckP99Ms} ms`;
  if (ran.length === 0) notRun(ackName, 'storm ack p99', ackLimit, 'ms', 'no storm ran');
  for (const s of ran)
    targets.push({
      name: ackName,
      figure: `storm ack p99 (${stormLabel(s)})`,
      limit: ackLimit,
      value: s.ackMs.p99,
      unit: 'ms',
      pass: s.ackMs.p99 !== null && s.ackMs.p99 < TARGET_LIMITS.stormAckP99Ms,
      note: s.alertsNotAcked > 0 ? `${s.alertsNotAcked} alerts were not acked at all` : null,
    });

  const overheadName = 'bot overhead per investigation';
  const overheadLimit = `< ${TARGET_LIMITS.botOverheadMs} ms`;
  if (!latency)
    notRun(
      overheadName,
      'mean lzo_bot_overhead_seconds (latency phase)',
      overheadLimit,
      'ms',
      'the latency phase did not run',
    );
  else
    targets.push({
      name: overheadName,
      figure: 'mean lzo_bot_overhead_seconds (latency phase)',
      limit: overheadLimit,
      value: latency.botOverheadMs.mean,
      unit: 'ms',
      pass:
        latency.botOverheadMs.mean !== null &&
        latency.botOverheadMs.mean < TARGET_LIMITS.botOverheadMs,
      note: `${hist(latency.botOverheadMs)}; end to end p50 ${fmtMs(latency.endToEndOverheadMs.p50)}, p99 ${fmtMs(latency.endToEndOverheadMs.p99)}`,
    });

  const firstName = 'first brief, independent of model latency';
  const firstLimit = `p50 < ${TARGET_LIMITS.firstBriefP50Ms} ms`;
  if (!latency)
    notRun(firstName, 'mention → first brief', firstLimit, 'ms', 'the latency phase did not run');
  else
    targets.push({
      name: firstName,
      figure: 'mention → first brief (latency phase)',
      limit: firstLimit,
      value: latency.eventToFirstBriefMs.p50,
      unit: 'ms',
      pass:
        latency.eventToFirstBriefMs.p50 !== null &&
        latency.eventToFirstBriefMs.p50 < TARGET_LIMITS.firstBriefP50Ms,
      note: `final brief ${pct(latency.eventToBriefMs)}, model ${hist(latency.modelMs)}`,
    });

  const lostName = '0 alerts lost';
  if (ran.length === 0) notRun(lostName, 'alerts lost', '= 0', 'alerts', 'no storm ran');
  for (const s of ran)
    targets.push({
      name: lostName,
      figure: `alerts lost (${stormLabel(s)})`,
      limit: '= 0',
      value: s.lost.total,
      unit: 'alerts',
      pass: s.lost.total === TARGET_LIMITS.alertsLost,
      note: s.lost.details.length ? s.lost.details.join('; ') : null,
    });

  const invName = 'investigations ≤ 2 × distinct servers';
  if (ran.length === 0) notRun(invName, 'investigations run', '≤ 2 × servers', '', 'no storm ran');
  for (const s of ran) {
    const limit = TARGET_LIMITS.investigationsPerServer * s.distinctServers;
    targets.push({
      name: invName,
      figure: `investigations run (${stormLabel(s)})`,
      limit: `≤ ${limit} (2 × ${s.distinctServers})`,
      value: s.investigations,
      unit: 'investigations',
      pass: s.investigations <= limit,
      note: null,
    });
  }
  targets.push(...webhookTargets(webhooks.correlated, webhooks.ceiling));
  return targets;
}

const MIB = 1024 * 1024;

/** The correlated storm's and the ceiling's targets (issue: alerts as they really arrive). */
function webhookTargets(c: CorrelatedFigures | null, k: CeilingFigures | null): Target[] {
  const out: Target[] = [];
  const none = (name: string, figure: string, limit: string, unit: string, why: string) =>
    out.push({ name, figure, limit, value: null, unit, pass: null, note: why });
  if (!c) {
    for (const name of ['first alert → parent brief p99', 'Slack new messages per storm'])
      none(name, name, '—', '', 'the correlated storm did not run');
  } else {
    const p99 = c.firstAlertToParentBriefMs.p99;
    out.push({
      name: 'first alert → parent brief p99',
      figure: `correlated storm, each storm server's first alert → the parent brief, p99 (n=${c.firstAlertToParentBriefMs.count})`,
      limit: `< ${TARGET_LIMITS.parentBriefP99Ms} ms`,
      value: p99,
      unit: 'ms',
      pass: p99 !== null && p99 < TARGET_LIMITS.parentBriefP99Ms,
      note: `storm's own: ${fmtMs(c.stormFirstAlertToParentBriefMs)}; ${c.stormParentBriefs} parent brief(s) for ${c.stormServers} servers; ${c.escalations} escalations`,
    });
    out.push({
      name: 'Slack new messages per storm',
      figure: 'correlated storm, new messages in the webhook channel',
      limit: `≤ ${c.slack.limit} (${c.causes} causes + ${c.slack.counters} counters)`,
      value: c.slack.newMessages,
      unit: 'messages',
      pass: c.slack.newMessages <= c.slack.limit,
      note: `${c.folded} of ${c.incidents} incidents folded; ${c.stormSummaryEdits} summary edits`,
    });
    out.push({
      name: '0 alerts lost',
      figure: 'alerts lost (correlated storm, webhooks)',
      limit: '= 0',
      value: c.lost.total,
      unit: 'alerts',
      pass: c.lost.total === 0 && c.alertsNotAcked === 0,
      note: c.lost.details.length ? c.lost.details.join('; ') : null,
    });
  }
  if (!k) {
    none('ceiling', 'webhook alerts a minute', '—', '', 'the ceiling phase did not run');
  } else {
    const peak = Math.max(0, ...k.peakRssAtCeilingBytes);
    const after = Math.max(0, ...k.peakRssBytes);
    out.push({
      name: 'ceiling',
      figure: `webhook alerts a minute with ack p99 < ${TARGET_LIMITS.stormAckP99Ms} ms and 0 lost (${k.replicas} replicas, PostgreSQL)`,
      limit: `≥ ${TARGET_LIMITS.ceilingPerMin.toLocaleString('en-US')}`,
      value: k.ceilingPerMin,
      unit: 'alerts/min',
      pass: k.ceilingPerMin !== null && k.ceilingPerMin >= TARGET_LIMITS.ceilingPerMin,
      note: `stopped: ${k.stopReason}`,
    });
    out.push({
      name: 'peak RSS per replica',
      figure: 'ceiling phase, VmHWM of the busiest replica up to the ceiling',
      limit: `< ${TARGET_LIMITS.peakRssBytes / MIB} MiB`,
      value: Math.round((peak / MIB) * 10) / 10,
      unit: 'MiB',
      pass: peak > 0 && peak < TARGET_LIMITS.peakRssBytes,
      note: after > peak ? `${Math.round(after / MIB)} MiB after the step beyond it` : null,
    });
    out.push({
      name: "Slack's pace kept",
      figure: 'ceiling phase, shortest gap between two new messages in one channel',
      limit: `≥ ${TARGET_LIMITS.minPostGapMs} ms`,
      value: k.minPostGapMs,
      unit: 'ms',
      pass: k.minPostGapMs === null || k.minPostGapMs >= TARGET_LIMITS.minPostGapMs,
      note: null,
    });
  }
  return out;
}

// --- formatting ---

const number = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

export function fmtMs(value: number | null): string {
  if (value === null) return '—';
  if (value >= 10_000) return `${number.format(value / 1000)} s`;
  return `${value < 10 ? value.toFixed(1) : number.format(Math.round(value))} ms`;
}

function fmtBytes(value: number | null): string {
  if (value === null) return '—';
  return `${number.format(value / 1024 / 1024)} MiB`;
}

function pct(s: { p50: number | null; p99: number | null; count: number }) {
  return `p50 ${fmtMs(s.p50)} · p99 ${fmtMs(s.p99)} (n=${s.count})`;
}

/** Percentiles from a histogram, as the bucket they fall in: exact about what the buckets can say. */
function hist(h: HistogramFigures): string {
  const at = (bucket: HistogramFigures['p50Bucket']) => {
    if (!bucket) return '—';
    if (bucket.le === null) return `> ${fmtMs(bucket.gt)}`;
    return bucket.gt === 0 ? `≤ ${fmtMs(bucket.le)}` : `${fmtMs(bucket.gt)}–${fmtMs(bucket.le)}`;
  };
  return `mean ${fmtMs(h.mean)} · p50 ${at(h.p50Bucket)} · p99 ${at(h.p99Bucket)} (n=${h.count})`;
}

/** A histogram of counts (tokens): the mean is exact, percentiles are bucket bounds. */
function tokens(h: HistogramFigures): string {
  const bound = (b: HistogramFigures['p50Bucket']) =>
    b ? (b.le === null ? `> ${number.format(b.gt)}` : `≤ ${number.format(b.le)}`) : '—';
  const mean = h.mean === null ? '—' : number.format(Math.round(h.mean));
  return `mean ${mean} · p50 ${bound(h.p50Bucket)} · p99 ${bound(h.p99Bucket)} (n=${h.count})`;
}

function rows(lines: [string, string][]): string[] {
  const width = Math.max(...lines.map(([k]) => k.length));
  return lines.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`);
}

function latencySection(l: LatencyFigures): string[] {
  return [
    `Latency — 1 replica, embedded store`,
    ...rows([
      ['ack, events (mentions)', pct(l.ack.events)],
      ['ack, /triage commands', pct(l.ack.commands)],
      ['ack, button clicks', pct(l.ack.clicks)],
      ['requests not acked 200', String(l.acksFailed)],
      ['mention → first brief (preliminary)', pct(l.eventToFirstBriefMs)],
      ['mention → final brief', pct(l.eventToBriefMs)],
      ['/triage → brief posted', pct(l.commandToBriefMs)],
      ['briefs missing', String(l.briefsMissing)],
      ['model time / investigation', hist(l.modelMs)],
      ['tool time / investigation', hist(l.toolMs)],
      ['Slack time / investigation', hist(l.slackMs)],
      ['bot overhead / investigation', hist(l.botOverheadMs)],
      [
        'bot overhead + Slack time, end to end',
        `mean ${fmtMs(l.endToEndOverheadMs.mean)} · ${pct(l.endToEndOverheadMs)}`,
      ],
      [
        'model turns / investigation',
        `mean ${l.modelTurns.mean === null ? '—' : l.modelTurns.mean.toFixed(2)} (n=${l.modelTurns.count})`,
      ],
      ['prompt tokens / investigation', tokens(l.promptTokens)],
      ['investigations', String(l.investigations)],
      ['clicks handled', `${l.clicks.handled}/${l.clicks.sent}`],
      ['peak RSS', fmtBytes(l.peakRssBytes)],
    ]),
  ];
}

function stormSection(s: StormFigures): string[] {
  const lostDetail = s.lost.total ? ` — ${s.lost.details.join('; ')}` : '';
  return [
    `Storm — ${stormLabel(s)}`,
    ...rows([
      ['alerts sent / acked', `${s.alertsSent} / ${s.alertsAcked} (${s.alertsNotAcked} not acked)`],
      [
        'alerts lost',
        `${s.lost.total} (not accepted nor grouped: ${s.lost.atIntake}; incident without brief: ${s.lost.withoutBrief})${lostDetail}`,
      ],
      [
        'intake (alerts)',
        `accepted ${s.intake.accepted} · grouped ${s.intake.grouped} · duplicate ${s.intake.duplicate} · ignored ${s.intake.ignored}`,
      ],
      [
        'investigations run',
        `${s.investigations} for ${s.distinctServers} distinct servers (most incidents for one server: ${s.maxIncidentsPerServer})`,
      ],
      ['ack latency', pct(s.ackMs)],
      [
        'Slack writes / channel / s',
        `new messages max ${s.slackWrites.maxPostsPerChannelPerSecond} (shortest gap ${fmtMs(s.slackWrites.minPostGapMs)}) · all writes max ${s.slackWrites.maxPerChannelPerSecond} (${s.slackWrites.busiestChannel ?? '—'}) · ${s.slackWrites.total} writes · ${s.slackWrites.rateLimited} rate-limited`,
      ],
      [
        'Slack calls by method',
        Object.entries(s.slackWrites.byMethod)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([method, n]) => `${method} ${n}`)
          .join(' · '),
      ],
      ['alert → brief', pct(s.alertToBriefMs)],
      [
        'drain (last alert → last brief)',
        `${fmtMs(s.drainMs)}${s.drainTimedOut ? ' (timed out waiting)' : ''}`,
      ],
      ['Slack time / investigation', hist(s.slackMs)],
      ['bot overhead / investigation', hist(s.botOverheadMs)],
      ['model calls in flight (max)', String(s.modelMaxInFlight)],
      [
        'peak RSS',
        s.replicaFigures.map((r) => `${r.name} ${fmtBytes(r.peakRssBytes)}`).join(' · '),
      ],
      [
        'errors / warnings logged',
        s.replicaFigures.map((r) => `${r.name} ${r.logErrors}/${r.logWarnings}`).join(' · '),
      ],
      ['generator lag', `p99 ${fmtMs(s.sendLagMs.p99)} · max ${fmtMs(s.sendLagMs.max)}`],
    ]),
    ...s.replicaFigures.flatMap((r) => [
      ...(r.exitedEarly ? [`  ! ${r.name} ${r.exitedEarly} before the bench stopped it`] : []),
      ...r.errorMessages.map((m) => `  ! ${r.name} logged error: ${m}`),
    ]),
  ];
}

function correlatedSection(c: CorrelatedFigures): string[] {
  return [
    `Correlated storm — webhooks, ${c.replicas} replicas, PostgreSQL: ${c.alertsSent} alerts about ${c.stormServers} servers sharing one dependency + ${c.noiseServers} noise servers`,
    ...rows([
      [
        'alerts sent / acked 202',
        `${c.alertsSent} / ${c.alertsAcked} (${c.alertsNotAcked} not acked)`,
      ],
      ['alerts lost', `${c.lost.total}${c.lost.total ? ` — ${c.lost.details.join('; ')}` : ''}`],
      [
        'intake (webhook alerts)',
        `accepted ${c.intake.accepted} · grouped ${c.intake.grouped} · duplicate ${c.intake.duplicate} · resolved ${c.intake.resolved}`,
      ],
      [
        'incidents',
        `${c.incidents} opened, ${c.folded} folded into a parent; ${c.stormParentBriefs} brief(s) for the storm; ${c.escalations} escalations`,
      ],
      ['ack latency', pct(c.ackMs)],
      [
        'first alert → parent brief',
        `${pct(c.firstAlertToParentBriefMs)} · the storm's: ${fmtMs(c.stormFirstAlertToParentBriefMs)}`,
      ],
      [
        'Slack new messages (webhook channel)',
        `${c.slack.newMessages} (target ≤ ${c.causes} causes + ${c.slack.counters} counters = ${c.slack.limit}) · escalation channel ${c.slack.escalationMessages} · summary edits ${c.stormSummaryEdits}`,
      ],
      [
        'new messages / channel / s',
        `max ${c.slack.maxPostsPerChannelPerSecond} (shortest gap ${fmtMs(c.slack.minPostGapMs)}) · ${c.slack.rateLimited} rate-limited`,
      ],
      [
        'Slack calls by method',
        Object.entries(c.slack.byMethod)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([m, n]) => `${m} ${n}`)
          .join(' · '),
      ],
      ['bot overhead / investigation', hist(c.botOverheadMs)],
      [
        'peak RSS',
        c.replicaFigures.map((r) => `${r.name} ${fmtBytes(r.peakRssBytes)}`).join(' · '),
      ],
      [
        'errors / warnings logged',
        c.replicaFigures.map((r) => `${r.name} ${r.logErrors}/${r.logWarnings}`).join(' · '),
      ],
      ['generator lag', `p99 ${fmtMs(c.sendLagMs.p99)} · max ${fmtMs(c.sendLagMs.max)}`],
    ]),
    ...c.replicaFigures.flatMap((r) =>
      r.errorMessages.map((m) => `  ! ${r.name} logged error: ${m}`),
    ),
  ];
}

function ceilingSection(k: CeilingFigures): string[] {
  return [
    `Ceiling — webhook alerts, ${k.replicas} replicas, PostgreSQL`,
    ...rows(
      k.steps.map((s) => [
        `${s.ratePerMin.toLocaleString('en-US')} alerts/min × ${s.seconds} s`,
        `${s.passed ? 'pass' : 'FAIL'} · ack p50 ${fmtMs(s.ackMs.p50)} · p99 ${fmtMs(s.ackMs.p99)} · ${s.acked}/${s.sent} acked · ${s.lost} lost · shortest post gap ${fmtMs(s.minPostGapMs)} · RSS ${s.peakRssBytes.map(fmtBytes).join(' / ')} · generator lag p99 ${fmtMs(s.sendLagMs.p99)}${s.failures.length ? ` — ${s.failures.join('; ')}` : ''}`,
      ]),
    ),
    `  ceiling: ${k.ceilingPerMin === null ? 'no step passed' : `${k.ceilingPerMin.toLocaleString('en-US')} alerts/min`} (${k.stopReason})`,
  ];
}

function targetLine(t: Target): string {
  const verdict = t.pass === null ? 'n/a ' : t.pass ? 'PASS' : 'FAIL';
  const value =
    t.value === null ? 'not measured' : t.unit === 'ms' ? fmtMs(t.value) : `${t.value} ${t.unit}`;
  return `  ${verdict}  ${t.figure}: ${value} (target ${t.limit})${t.note ? ` — ${t.note}` : ''}`;
}

export function renderReport(result: BenchResult): string {
  const s = result.settings;
  const m = s.machine;
  const out = [
    `Level Zero Operator benchmark — ${result.when}`,
    `  command: ${result.command} (code ${s.revision})`,
    `  machine: ${m.cpus} × ${m.cpuModel}, ${fmtBytes(m.memoryBytes)} RAM, Node ${m.node}, ${m.platform}`,
    `  model latency ${s.latencyMs} ms per call · Slack writes to one channel spaced ${s.writeIntervalMs ?? 1000} ms${s.writeIntervalMs === null ? ' (the default)' : ''} · latency phase ${s.mentions} mentions, ${s.commands} /triage, one at a time ≥ ${s.latencySpacingMs} ms apart · storm ${s.alerts} alerts over ${s.durationS} s naming ${s.servers} servers, ${s.replicas} replicas on PostgreSQL, 1 on the embedded store`,
    '',
  ];
  if (result.latency) out.push(...latencySection(result.latency), '');
  else out.push('Latency — not run', '');
  for (const storm of [result.storm.postgres, result.storm.embedded])
    if (storm) out.push(...stormSection(storm), '');
  if (result.correlated) out.push(...correlatedSection(result.correlated), '');
  if (result.ceiling) out.push(...ceilingSection(result.ceiling), '');
  out.push('Targets', ...result.targets.map(targetLine));
  return `${out.join('\n')}\n`;
}
