import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { BenchResult } from '../../bench/figures.ts';

const RUN = resolve(import.meta.dirname, '../../bench/run.ts');
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'lzo-bench-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `node bench/run.ts …` as a child process; never rejects, so the test can look at a failure. */
async function bench(args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [RUN, ...args], {
      cwd: resolve(import.meta.dirname, '../..'),
      timeout: 150_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('npm run bench', () => {
  it('a quick run (latency phase and a small storm on the embedded store) writes every figure', async () => {
    const file = join(dir, 'quick.json');
    // A smaller storm than --quick's, to keep the test short: the drain is paced by Slack's write rate.
    const smallStorm = ['--alerts', '30', '--duration-s', '3', '--servers', '3'];
    const { code, stdout, stderr } = await bench([
      '--quick',
      '--skip-postgres',
      ...smallStorm,
      '--json',
      file,
    ]);
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/^Latency — 1 replica, embedded store$/m);
    expect(stdout).toMatch(/^Storm — embedded store, 1 replica$/m);
    expect(stdout).toMatch(/^Targets$/m);

    // The schema checks every figure's type: counts are whole numbers ≥ 0, times are ms ≥ 0.
    const result = BenchResult.parse(JSON.parse(readFileSync(file, 'utf8')));
    expect(result.command).toMatch(/bench\/run\.ts --quick --skip-postgres --alerts 30 /);
    expect(result.settings).toMatchObject({ latencyMs: 50, alerts: 30, durationS: 3, servers: 3 });

    const latency = result.latency;
    if (!latency) throw new Error('no latency figures');
    expect(latency.ack.events.count).toBe(result.settings.mentions);
    expect(latency.ack.commands.count).toBe(result.settings.commands);
    expect(latency.ack.clicks.count).toBeGreaterThan(0);
    for (const s of [latency.ack.events, latency.ack.commands, latency.eventToBriefMs]) {
      expect(s.p50).toBeTypeOf('number');
      expect(s.p99).toBeTypeOf('number');
    }
    expect(latency.acksFailed).toBe(0);
    expect(latency.briefsMissing).toBe(0);
    expect(latency.eventToBriefMs.count).toBe(result.settings.mentions);
    expect(latency.botOverheadMs.mean).toBeTypeOf('number');
    expect(latency.modelMs.mean).toBeTypeOf('number');
    expect(latency.toolMs.mean).toBeTypeOf('number');
    // The scripted model answers in exactly two turns: a tool call, then the draft.
    expect(latency.modelTurns.mean).toBe(2);
    expect(latency.investigations).toBe(result.settings.mentions + result.settings.commands);
    expect(latency.peakRssBytes).toBeGreaterThan(0);

    expect(result.storm.postgres).toBeNull();
    const storm = result.storm.embedded;
    if (!storm) throw new Error('no embedded storm figures');
    expect(storm.alertsSent).toBe(30);
    expect(storm.alertsAcked).toBe(30);
    expect(storm.lost.total).toBe(0);
    expect(storm.distinctServers).toBe(3);
    expect(storm.investigations).toBeGreaterThanOrEqual(storm.distinctServers);
    expect(storm.intake.accepted + storm.intake.grouped).toBe(storm.alertsAcked);
    expect(storm.ackMs.p99).toBeTypeOf('number');
    expect(storm.slackWrites.maxPerChannelPerSecond).toBeGreaterThan(0);
    expect(storm.replicaFigures).toHaveLength(1);
    expect(storm.replicaFigures[0]?.peakRssBytes).toBeGreaterThan(0);

    // Every target is reported with a verdict; none is asserted here (the figures are the check).
    expect(result.targets.map((t) => t.name)).toEqual([
      'ack p99 during the storm',
      'bot overhead per investigation',
      'first brief, independent of model latency',
      '0 alerts lost',
      'investigations ≤ 2 × distinct servers',
      // The webhook phases run on PostgreSQL: skipped here, their targets say so.
      'first alert → parent brief p99',
      'Slack new messages per storm',
      'ceiling',
    ]);
    expect(result.correlated).toBeNull();
    expect(result.ceiling).toBeNull();
    for (const t of result.targets) {
      if (
        ['first alert → parent brief p99', 'Slack new messages per storm', 'ceiling'].includes(
          t.name,
        )
      )
        expect(t).toMatchObject({ pass: null, note: expect.stringMatching(/did not run/) });
      else expect(t.pass).toBeTypeOf('boolean');
    }
  }, 150_000);

  it('names a bad flag and exits 2 without starting anything', async () => {
    const { code, stderr } = await bench(['--alerts', 'many']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--alerts must be a whole number/);
    expect(stderr).toMatch(/Usage: npm run bench/);
  });
});
