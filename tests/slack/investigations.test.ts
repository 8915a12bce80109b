import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Intake } from '../../src/operator/intake/intake.ts';
import {
  INVESTIGATE,
  type InvestigationJob,
  InvestigationJobs,
} from '../../src/operator/jobs/investigation-job.ts';
import { JobRunner, type RunnerSettings } from '../../src/operator/jobs/runner.ts';
import type { SlackPresenter } from '../../src/slack/presenter.ts';
import {
  encodeRoute,
  intakeRequest,
  presentationOf,
  type SlackThread,
} from '../../src/slack/thread.ts';
import type { HealthBackend } from '../../src/tools/backends.ts';
import { FakeSlack, type SlackCall } from '../../testing/fake-slack.ts';
import {
  ALERTS,
  gate,
  incidentThread,
  OPS,
  PAYMENT_REPORT,
  type SlackParts,
  type SlackPartsOptions,
  slackParts,
  slackPresenter,
  until,
} from '../support/slack-parts.ts';

let slack: FakeSlack;
let parts: SlackParts;
let workers: JobRunner[];
let presenters: SlackPresenter[];
let held: HeldHealth | null;

beforeAll(async () => {
  slack = await FakeSlack.start();
});
afterAll(async () => {
  await slack.close();
});
beforeEach(() => {
  slack.calls.length = 0;
  slack.responses.length = 0;
  workers = [];
  presenters = [];
  held = null;
});
afterEach(async () => {
  held?.releaseAll();
  for (const w of workers) await w.stop();
  // The full briefs still being posted land in this test, not the next one.
  for (const p of presenters) await p.drained();
  await parts.close();
});

/** Health readings that wait until the test releases them: an investigation the test holds. */
class HeldHealth implements HealthBackend {
  readonly name: string;
  readonly settlesInstantly: boolean;
  readonly waiting: (() => void)[] = [];
  inFlight = 0;
  maxInFlight = 0;
  calls = 0;
  private holding = true;
  private readonly inner: HealthBackend;

  constructor(inner: HealthBackend) {
    this.inner = inner;
    this.name = inner.name;
    this.settlesInstantly = inner.settlesInstantly ?? false;
  }

  async getHealth(serverId: string, signal?: AbortSignal) {
    this.calls += 1;
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.holding) {
        const g = gate();
        this.waiting.push(g.open);
        await g.promise;
      }
      return await this.inner.getHealth(serverId, signal);
    } finally {
      this.inFlight -= 1;
    }
  }

  /** Lets every held reading through, and every later one at once. */
  releaseAll(): void {
    this.holding = false;
    for (const open of this.waiting.splice(0)) open();
  }
}

async function setup(options: SlackPartsOptions & { hold?: boolean } = {}) {
  const { hold, ...rest } = options;
  parts = await slackParts({
    slack,
    ...rest,
    ...(hold
      ? {
          backends: (b) => {
            const health = new HeldHealth(b.health);
            held = health;
            return { ...b, health };
          },
        }
      : {}),
  });
}

function heldHealth(): HeldHealth {
  if (!held) throw new Error('setup({ hold: true }) first');
  return held;
}

/** A replica's job runner with the investigate job, presenting in Slack. */
function worker(settings: Partial<RunnerSettings> & { progressIntervalMs?: number } = {}) {
  const { progressIntervalMs, ...runner } = settings;
  const presenter = slackPresenter(
    parts,
    progressIntervalMs === undefined ? {} : { progressIntervalMs },
  );
  presenters.push(presenter);
  const made = new JobRunner({
    jobs: parts.runtime.store.jobs,
    handlers: {
      [INVESTIGATE]: new InvestigationJobs({
        store: parts.runtime.store,
        operator: parts.runtime.operator,
        presenter,
        metrics: parts.metrics,
      }),
    },
    settings: {
      owner: 'replica-a',
      concurrency: 2,
      leaseMs: 60_000,
      pollMs: 60_000,
      maxAttempts: 3,
      ...runner,
    },
    clock: parts.clock,
    logger: parts.logger,
  });
  workers.push(made);
  return made;
}

/** A job as Intake queues it for a /triage in OPS: the progress message is the thread. */
async function commandJob(report = PAYMENT_REPORT) {
  const intake = new Intake({
    store: parts.runtime.store,
    operator: parts.runtime.operator,
    inventory: parts.runtime.backends.inventory,
    presenter: slackPresenter(parts),
    settings: { source: 'slack', groupWindowMs: 60_000, dedupeTtlMs: 60_000 },
    wake: () => {},
    metrics: parts.metrics,
    logger: parts.logger,
    clock: parts.clock,
  });
  const result = await intake.accept(
    intakeRequest({
      origin: 'command',
      text: report,
      actor: 'U0ASKER',
      channel: OPS,
      replyTo: null,
      responseUrl: slack.responseUrl('cmd'),
    }),
  );
  const thread = result.kind === 'accepted' ? await incidentThread(parts, result.incidentId) : null;
  if (result.kind !== 'accepted' || !thread?.messageTs) throw new Error('not accepted');
  return { ...result, messageTs: thread.messageTs };
}

/** A job queued directly, for an incident opened without Slack. */
async function directJob(payload: { thread: SlackThread | null; responseUrl?: string }) {
  const { thread } = payload;
  const incident = await parts.runtime.operator.open({
    report: PAYMENT_REPORT,
    source: 'slack',
    actor: 'U0ASKER',
    ...(thread ? { presentation: presentationOf(thread) } : {}),
  });
  const full: InvestigationJob = {
    incidentId: incident.id,
    actor: 'U0ASKER',
    route: encodeRoute({
      channel: thread?.channel ?? OPS,
      replyTo: thread?.threadTs ?? null,
      responseUrl: payload.responseUrl ?? null,
    }),
    groupId: null,
  };
  const job = await parts.runtime.store.jobs.enqueue({
    kind: INVESTIGATE,
    payload: full,
    now: parts.clock.now(),
  });
  return { job, incidentId: full.incidentId };
}

const jobState = async (id: string) => (await parts.runtime.store.jobs.get(id))?.state;
const finished = (id: string) => async () =>
  ['done', 'failed'].includes((await jobState(id)) ?? '');

type Element = { type?: string; action_id?: string; value?: string };
function buttons(call: SlackCall | undefined): Element[] {
  const blocks = Array.isArray(call?.args.blocks)
    ? (call.args.blocks as Record<string, unknown>[])
    : [];
  return blocks
    .filter((b) => b.type === 'actions')
    .flatMap((b) => (Array.isArray(b.elements) ? (b.elements as Element[]) : []))
    .filter((e) => e.action_id === 'approve_restart' || e.action_id === 'deny_restart');
}

describe('queued investigations presented in Slack (JobRunner, InvestigationJobs, SlackPresenter)', () => {
  it('runs a queued job to a brief that replaces the progress message, with the restart buttons', async () => {
    await setup();
    const { jobId, incidentId, messageTs } = await commandJob();
    worker().start();
    await until(finished(jobId), 'the job');
    expect(await jobState(jobId)).toBe('done');

    const updates = slack.callsTo('chat.update');
    expect(updates.length).toBeGreaterThan(0);
    for (const u of updates) expect(u.args).toMatchObject({ channel: OPS, ts: messageTs });
    const brief = updates.at(-1);
    const [proposal] = await parts.runtime.store.proposals.forIncident(incidentId);
    expect(proposal?.serverId).toBe('payment-server-01');
    expect(buttons(brief)).toEqual([
      expect.objectContaining({ action_id: 'approve_restart', value: proposal?.id }),
      expect.objectContaining({ action_id: 'deny_restart', value: proposal?.id }),
    ]);
    expect(JSON.stringify(brief?.args.blocks)).toContain('<@U0APPROVER>');
    // One progress post (by the intake), and the full brief in its thread: the brief is an update.
    await slack.waitFor((f) => f.callsTo('chat.postMessage').length >= 2, 5_000, 'the full brief');
    const [progressPost, full, ...more] = slack.callsTo('chat.postMessage');
    expect(more).toEqual([]);
    expect(full?.args).toMatchObject({ channel: OPS, thread_ts: messageTs });
    expect(String(full?.args.text)).toMatch(/^Full brief: /);
    expect(progressPost?.args.thread_ts).toBeUndefined();
    const investigations = await parts.metrics.registry.getSingleMetricAsString(
      'lzo_investigations_total',
    );
    expect(investigations).toMatch(/action="restart".* 1$/m);
  });

  it('an escalation brief has no buttons and the escalation goes to the escalation channel', async () => {
    await setup();
    const { jobId } = await commandJob("Search isn't working. Can you check search-index-09?");
    worker().start();
    await until(finished(jobId), 'the job');
    expect(buttons(slack.callsTo('chat.update').at(-1))).toEqual([]);
    // The progress post, the escalation, and the full brief in the incident's thread.
    await slack.waitFor((f) => f.callsTo('chat.postMessage').length >= 3, 5_000, 'the full brief');
    expect(slack.callsTo('chat.postMessage').map((c) => c.args.channel)).toEqual([
      OPS,
      'C0ESCAL',
      OPS,
    ]);
    expect(String(slack.callsTo('chat.postMessage')[2]?.args.text)).toMatch(/^Full brief: /);
  });

  it('updates the progress message as evidence arrives while an investigation is slow, then the brief replaces it', async () => {
    await setup({ hold: true });
    const { jobId, messageTs } = await commandJob();
    worker({ progressIntervalMs: 50 }).start();
    // Health is held: logs and changes are in, the server is known, and that shows.
    await slack.waitFor(
      (f) =>
        f
          .callsTo('chat.update')
          .some((c) => /payment-server-01/.test(String(c.args.text)) && c.args.ts === messageTs),
      5_000,
      'a progress update',
    );
    const progress = slack.callsTo('chat.update').find((c) => c.args.ts === messageTs);
    expect(JSON.stringify(progress?.args.blocks)).toMatch(/logs ✓/);
    expect(buttons(progress)).toEqual([]);
    heldHealth().releaseAll();
    await until(finished(jobId), 'the job');
    const brief = slack.callsTo('chat.update').at(-1);
    expect(brief?.args.ts).toBe(messageTs);
    expect(buttons(brief)).toHaveLength(2);
  });

  it('makes no progress edit when the brief is ready before the first progress interval', async () => {
    await setup();
    const { jobId } = await commandJob();
    worker({ progressIntervalMs: 60_000 }).start();
    await until(finished(jobId), 'the job');
    // One edit: the brief. Edits are budgeted per workspace; a quick brief needs no progress edit.
    expect(slack.callsTo('chat.update')).toHaveLength(1);
    expect(buttons(slack.callsTo('chat.update')[0])).toHaveLength(2);
  });

  it('never waits on Slack to start: with no progress message, the brief itself is posted in the thread', async () => {
    await setup();
    const thread = { channel: ALERTS, threadTs: '1700000000.000900', messageTs: null };
    const { job, incidentId } = await directJob({ thread });
    worker().start();
    await until(finished(job.id), 'the job');
    await slack.waitFor((f) => f.callsTo('chat.postMessage').length >= 2, 5_000, 'the full brief');
    const posts = slack.callsTo('chat.postMessage');
    // The brief, then the full brief in the same thread.
    expect(posts).toHaveLength(2);
    expect(posts[0]?.args).toMatchObject({ channel: ALERTS, thread_ts: thread.threadTs });
    expect(posts[1]?.args).toMatchObject({ channel: ALERTS, thread_ts: thread.threadTs });
    expect(buttons(posts[0])).toHaveLength(2);
    expect(slack.callsTo('chat.update')).toEqual([]);
    expect(await incidentThread(parts, incidentId)).toEqual({
      ...thread,
      messageTs: String(posts[0]?.result?.ts),
    });
  });

  it('a progress message that lands while the brief is posted: the brief moves onto it and its copy is removed', async () => {
    await setup();
    const thread = { channel: ALERTS, threadTs: '1700000000.000950', messageTs: null };
    const { job, incidentId } = await directJob({ thread });
    // The intake's progress message wins the race just before the worker's brief is recorded.
    const incidents = parts.runtime.store.incidents;
    const original = incidents.claimPresentation.bind(incidents);
    let raced = false;
    incidents.claimPresentation = async (id, presentation) => {
      if (!raced && id === incidentId) {
        raced = true;
        await original(id, presentationOf({ ...thread, messageTs: '1700000000.000951' }));
      }
      return original(id, presentation);
    };
    worker().start();
    await until(finished(job.id), 'the job');
    const brief = slack.callsTo('chat.update').at(-1);
    expect(brief?.args.ts).toBe('1700000000.000951');
    expect(buttons(brief)).toHaveLength(2);
    // The worker's copy (the first post) is removed; the full brief follows in the thread.
    const [posted] = slack.callsTo('chat.postMessage');
    expect(slack.callsTo('chat.delete').map((c) => c.args.ts)).toEqual([posted?.result?.ts]);
  });

  it('answers through the response_url when there is no thread', async () => {
    await setup();
    const { job } = await directJob({ thread: null, responseUrl: slack.responseUrl('cmd') });
    worker().start();
    await until(finished(job.id), 'the job');
    expect(await jobState(job.id)).toBe('done');
    expect(slack.calls).toEqual([]);
    expect(slack.responses).toHaveLength(1);
    expect(slack.responses[0]).toMatchObject({
      path: '/response/cmd',
      body: { response_type: 'in_channel', replace_original: false },
    });
    expect(JSON.stringify(slack.responses[0]?.body.blocks)).toContain('approve_restart');
  });

  it('gives up a job over maxAttempts with a message, and marks it failed', async () => {
    await setup();
    const { jobId, incidentId, messageTs } = await commandJob();
    // A replica took it and died: its lease runs out.
    await parts.runtime.store.jobs.claim({ owner: 'dead', now: parts.clock.now(), leaseMs: 1_000 });
    parts.clock.advanceMs(1_000);
    worker({ maxAttempts: 1 }).start();
    // The job is marked failed first, then the message goes out.
    await slack.waitFor((f) => f.callsTo('chat.update').length === 1, 5_000, 'the message');
    expect(await parts.runtime.store.jobs.get(jobId)).toMatchObject({
      state: 'failed',
      attempts: 2,
      error: 'it failed 1 times',
    });
    const [update] = slack.callsTo('chat.update');
    expect(update?.args).toMatchObject({ channel: OPS, ts: messageTs, blocks: [] });
    expect(String(update?.args.text)).toBe(
      `⚠️ The investigation of ${incidentId} was given up: it failed 1 times. Nothing was restarted. Investigate by hand or run /triage again.`,
    );
    expect(await parts.runtime.store.proposals.forIncident(incidentId)).toEqual([]);
  });

  it('leaves a failed attempt to be retried after its lease, and gives up on the last one', async () => {
    await setup();
    const thread = { channel: OPS, threadTs: '5.000001', messageTs: '5.000001' };
    const job = await parts.runtime.store.jobs.enqueue({
      kind: INVESTIGATE,
      payload: {
        incidentId: 'no-such-incident',
        actor: 'U0ASKER',
        route: encodeRoute({
          channel: thread.channel,
          replyTo: thread.threadTs,
          responseUrl: null,
        }),
        groupId: null,
      } satisfies InvestigationJob,
      now: parts.clock.now(),
    });
    const sut = worker({ maxAttempts: 2, leaseMs: 10_000 });
    sut.start();
    await until(async () => (await parts.runtime.store.jobs.get(job.id))?.attempts === 1, 'try 1');
    await until(() => sut.busy === 0, 'attempt 1 over');
    expect(await jobState(job.id)).toBe('running');
    expect(slack.calls).toEqual([]);

    parts.clock.advanceMs(10_000);
    sut.wake();
    await slack.waitFor((f) => f.callsTo('chat.postMessage').length === 1, 5_000, 'the message');
    expect(await parts.runtime.store.jobs.get(job.id)).toMatchObject({
      state: 'failed',
      attempts: 2,
      error: 'incident no-such-incident does not exist',
    });
    // With no incident there is no message of ours to replace: it is said in the thread.
    const [said] = slack.callsTo('chat.postMessage');
    expect(said?.args).toMatchObject({ channel: OPS, thread_ts: '5.000001' });
    expect(String(said?.args.text)).toContain(
      'was given up: incident no-such-incident does not exist',
    );
  });

  it('fails a job with an invalid payload or an unknown kind, and goes on with the next', async () => {
    await setup();
    const store = parts.runtime.store;
    const now = parts.clock.now();
    const invalid = await store.jobs.enqueue({ kind: INVESTIGATE, payload: { nope: 1 }, now });
    const unknown = await store.jobs.enqueue({ kind: 'reindex', payload: {}, now });
    const { jobId } = await commandJob();
    worker({ concurrency: 1 }).start();
    await until(finished(jobId), 'the good job');
    expect(await store.jobs.get(invalid.id)).toMatchObject({
      state: 'failed',
      error: expect.stringMatching(/^invalid payload: /),
    });
    expect(await store.jobs.get(unknown.id)).toMatchObject({
      state: 'failed',
      error: 'unknown job kind reindex',
    });
    expect(await jobState(jobId)).toBe('done');
  });

  it('never runs more than `concurrency` investigations at once', async () => {
    await setup({ hold: true });
    const jobs = [];
    for (let i = 0; i < 5; i++) jobs.push((await commandJob()).jobId);
    const sut = worker({ concurrency: 2 });
    sut.start();
    const h = heldHealth();

    await until(() => h.waiting.length === 2, 'two investigations');
    expect(sut.busy).toBe(2);
    const states = await Promise.all(jobs.map(jobState));
    expect(states.filter((s) => s === 'running')).toHaveLength(2);
    expect(states.filter((s) => s === 'queued')).toHaveLength(3);

    // Let them through one at a time: each finished job makes room for exactly one more.
    for (let released = 0; released < 5; released++) {
      h.waiting.shift()?.();
      const expected = Math.min(2, 5 - released - 1);
      await until(() => h.waiting.length === expected && sut.busy === expected, 'the next one');
      expect(h.maxInFlight).toBe(2);
    }
    for (const id of jobs) await until(finished(id), 'every job');
    expect(h.calls).toBe(5);
    expect(h.maxInFlight).toBe(2);
  });

  it('keeps renewing the lease of a job it is working on', async () => {
    await setup({ hold: true });
    const { jobId } = await commandJob();
    worker({ leaseMs: 150 }).start();
    const h = heldHealth();
    await until(() => h.waiting.length === 1, 'the investigation');
    parts.clock.advanceMs(1_000);
    const renewedUntil = new Date(parts.clock.now().getTime() + 150).toISOString();
    await until(
      async () => (await parts.runtime.store.jobs.get(jobId))?.leaseExpiresAt === renewedUntil,
      'a renewal',
    );
    // So another replica cannot take it over while it runs.
    expect(
      await parts.runtime.store.jobs.claim({ owner: 'b', now: parts.clock.now(), leaseMs: 150 }),
    ).toBeNull();
  });

  it('stop() waits for the running investigations and takes no new work', async () => {
    await setup({ hold: true });
    const { jobId } = await commandJob();
    const sut = worker();
    sut.start();
    const h = heldHealth();
    await until(() => h.waiting.length === 1, 'the investigation');

    let stopped = false;
    const stopping = sut.stop().then(() => {
      stopped = true;
    });
    const second = await commandJob();
    sut.wake();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(stopped).toBe(false);

    h.releaseAll();
    await stopping;
    expect(await jobState(jobId)).toBe('done');
    expect(buttons(slack.callsTo('chat.update').at(-1))).toHaveLength(2);
    expect(await jobState(second.jobId)).toBe('queued');
  });

  // A past bug: stop() snapshotted `inFlight` while a claim was still being awaited in pump(), so
  // it resolved with an investigation still running, against a store about to be closed.
  it('stop() right after a wake does not leave a claimed job running behind it', async () => {
    await setup();
    const { jobId } = await commandJob();
    const sut = worker();
    sut.start();
    await sut.stop();
    expect(sut.busy).toBe(0);
    expect(await jobState(jobId)).not.toBe('running');
  });
});
