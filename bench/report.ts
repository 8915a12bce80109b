import type {
  BenchResult,
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
} as const;

const STORE_NAME = { postgres: 'PostgreSQL', embedded: 'embedded store' } as const;

function stormLabel(storm: StormFigures): string {
  return `${STORE_NAME[storm.store]}, ${storm.replicas} replica${storm.replicas === 1 ? '' : 's'}`;
}

export function buildTargets(
  latency: LatencyFigures | null,
  storms: { postgres: StormFigures | null; embedded: StormFigures | null },
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
  return targets;
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
  out.push('Targets', ...result.targets.map(targetLine));
  return `${out.join('\n')}\n`;
}
