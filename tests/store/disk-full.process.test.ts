import { execFileSync } from 'node:child_process';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventEnvelope, FakeSlack, postSigned } from '../../testing/fake-slack.ts';
import { waitForBriefWithButtons } from '../slack/e2e-support.ts';
import { APPROVER, mention, OPS, SECRET } from '../slack/harness.ts';
import { expectNoCrashes, type Replica, startReplica } from '../support/replica.ts';

/**
 * The embedded SQLite store on a disk that is full. A full disk is made portably, without root or
 * a mount: the running bot's file-size limit (RLIMIT_FSIZE, set on its pid with util-linux's
 * `prlimit`) is dropped to one byte, so every write the database makes fails as it would with
 * ENOSPC (SQLite reports a disk I/O error instead of SQLITE_FULL; the bot treats a failed write the
 * same whatever its code). Reads go on working, as on a full disk. Lifting the limit is the disk
 * being freed.
 */

let slack: FakeSlack;
const replicas: Replica[] = [];

beforeAll(() => {
  try {
    execFileSync('prlimit', ['--version']);
  } catch {
    throw new Error(
      'this suite needs prlimit (util-linux) to fill the disk: apt-get install util-linux',
    );
  }
});

afterEach(async () => {
  const seen = replicas.splice(0);
  try {
    expectNoCrashes(seen);
  } finally {
    await Promise.all(seen.map((r) => r.stop()));
    await slack?.close();
  }
});

/** Sets the soft limit only (raising it back needs no privilege; the hard limit stays). */
function fileSizeLimit(replica: Replica, limit: string): void {
  const pid = replica.process.pid;
  if (pid === undefined) throw new Error('the replica has no pid');
  execFileSync('prlimit', ['--pid', String(pid), `--fsize=${limit}:`]);
}

const base = (r: Replica) => r.url.replace('/slack/events', '');

describe('SQLite on a full disk', () => {
  it('the event is not acknowledged, /readyz fails, the metric says so, and nothing is silently dropped', async () => {
    slack = await FakeSlack.start();
    const bot = await startReplica('sqlite', {
      SLACK_BOT_TOKEN: 'xoxb-disk-test',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: slack.apiUrl,
      APPROVERS: APPROVER,
      SLACK_WRITE_INTERVAL_MS: '0',
      SLACK_EDITS_PER_MINUTE: '100000',
    });
    replicas.push(bot);
    expect((await fetch(`${base(bot)}/readyz`)).status).toBe(200);

    fileSizeLimit(bot, '1');
    const event = eventEnvelope(
      mention(OPS, 'The payment-server-01 is extremely slow and timing out.', '1700005000.000100'),
      'Ev0DISKFULL',
    );
    const refused = await postSigned(bot.url, SECRET, event, 'application/json');
    const ready = await fetch(`${base(bot)}/readyz`);
    const metrics = await (await fetch(`${base(bot)}/metrics`)).text();
    // Nothing was shown or started for the refused event.
    await new Promise((r) => setTimeout(r, 300));
    const postsWhileFull = slack.callsTo('chat.postMessage').length;

    fileSizeLimit(bot, 'unlimited');
    // Slack delivers the event again; now it is taken in and investigated.
    const retried = await postSigned(bot.url, SECRET, event, 'application/json', {
      headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_error' },
    });
    await waitForBriefWithButtons(slack);
    const readyAfter = (await fetch(`${base(bot)}/readyz`)).status;

    console.log(
      `SQLite disk full: event answered ${refused.status}, /readyz ${ready.status}; after space returns: retry ${retried.status}, brief posted, /readyz ${readyAfter} — events lost 0`,
    );
    expect(refused.status).toBe(503);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'not_ready' });
    expect(metrics).toMatch(/lzo_store_writable\{app="level-zero-operator"\} 0/);
    expect(metrics).toMatch(
      /lzo_store_write_failures_total\{kind="event",app="level-zero-operator"\} 1/,
    );
    expect(postsWhileFull).toBe(0);
    expect(retried.status).toBe(200);
    expect(readyAfter).toBe(200);
    expect(bot.log.join('\n')).toMatch(/the store could not write a Slack event/);
    expect(bot.process.exitCode).toBeNull();
  }, 60_000);
});
