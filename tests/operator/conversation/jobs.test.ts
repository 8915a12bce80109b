import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/logger.ts';
import type { FollowUpAnswer } from '../../../src/operator/conversation/answers.ts';
import {
  Conversation,
  FOLLOW_UP,
  FollowUpJobs,
} from '../../../src/operator/conversation/conversation.ts';
import { FollowUpModel } from '../../../src/operator/conversation/model.ts';
import type { ChatModel } from '../../../src/operator/decision/planners/model/chat-model.ts';
import { Postmortems } from '../../../src/operator/postmortem/postmortems.ts';
import { testRuntime } from '../../support/runtime.ts';

const PLACE = 'slack:C0OPS:1700000000.000100';

async function setUp(model: ChatModel | null = null) {
  const runtime = await testRuntime();
  const answers: FollowUpAnswer[] = [];
  const refreshed: string[] = [];
  const presenter = {
    answer: async (_incident: string, _route: string, a: FollowUpAnswer) => {
      answers.push(a);
    },
    refresh: async (incidentId: string) => {
      refreshed.push(incidentId);
    },
  };
  const posted: string[] = [];
  const postmortems = new Postmortems({
    store: runtime.store,
    presenter: { postmortem: async (id) => void posted.push(id) },
    clock: runtime.clock,
  });
  const jobs = new FollowUpJobs({
    store: runtime.store,
    operator: runtime.operator,
    toolbox: runtime.toolbox,
    escalator: runtime.escalator,
    presenter,
    postmortems,
    model: model
      ? new FollowUpModel({ chatModel: model, callTimeoutMs: 1000, clock: runtime.clock })
      : null,
    clock: runtime.clock,
    logger: silentLogger(),
  });
  let woken = 0;
  const conversation = new Conversation({
    store: runtime.store,
    wake: () => {
      woken += 1;
    },
    dedupeTtlMs: 60_000,
    clock: runtime.clock,
  });
  const investigation = await runtime.operator.investigate({
    report: 'The payment-server-01 is extremely slow and timing out.',
    source: 'slack',
    actor: 'U0HUMAN',
    presentation: { place: PLACE, message: null },
  });
  /** Accepts a follow-up and runs its job, as a runner would. */
  const ask = async (text: string, eventId = text) => {
    const accepted = await conversation.accept({
      text,
      actor: 'U0HUMAN',
      place: PLACE,
      route: 'route',
      dedupeKeys: [`event:${eventId}`],
    });
    if (accepted.kind !== 'accepted') return accepted;
    const job = await runtime.store.jobs.claim({
      owner: 't',
      now: runtime.clock.now(),
      leaseMs: 1000,
    });
    if (!job || job.kind !== FOLLOW_UP) throw new Error('no follow-up job');
    await jobs.run(job);
    return accepted;
  };
  return {
    runtime,
    answers,
    refreshed,
    posted,
    ask,
    investigation,
    woken: () => woken,
    conversation,
  };
}

describe('follow-up jobs', () => {
  it('only an incident’s thread is a follow-up, and a retried delivery is answered once', async () => {
    const t = await setUp();
    expect(
      await t.conversation.accept({
        text: 'status',
        actor: 'U1',
        place: 'slack:C0OPS:1700000000.000999',
        route: 'r',
        dedupeKeys: ['event:other'],
      }),
    ).toEqual({ kind: 'not_a_follow_up' });
    expect(await t.ask('status', 'Ev1')).toMatchObject({ kind: 'accepted' });
    expect(await t.ask('status', 'Ev1')).toEqual({ kind: 'duplicate' });
    expect(t.answers).toHaveLength(1);
    expect(t.woken()).toBe(1);
    await t.runtime.close();
  });

  it('escalate sends the package through the escalation path and updates the brief', async () => {
    const t = await setUp();
    await t.ask('escalate');
    expect(t.answers[0]?.text).toMatch(
      /^Escalated to local record .*at page_l1, with the package: impact, \d+ timeline entries, \d+ facts, ownership, 1 action taken\.$/,
    );
    expect(t.runtime.escalator).toBeDefined();
    expect(t.refreshed).toEqual([t.investigation.brief.incidentId]);
    const sent = await t.runtime.store.audit.list({ events: ['escalation.sent'] });
    expect(sent[0]).toMatchObject({ actor: 'U0HUMAN' });
    await t.runtime.close();
  });

  it('what changed, postmortem, and a free question without a model (the rules help)', async () => {
    const t = await setUp();
    await t.ask('what changed?');
    expect(t.answers[0]?.text).toMatch(/No recorded change: .*\[E\d+\]|Recent changes/);
    expect(t.answers[0]?.cited.length).toBeGreaterThan(0);
    await t.ask('postmortem');
    expect(t.posted).toEqual([t.investigation.brief.incidentId]);
    expect(t.answers[1]?.text).toMatch(/Posted a postmortem draft .* open questions/);
    await t.ask('is the pool too small?');
    expect(t.answers[2]).toMatchObject({ intent: 'help', by: 'rules' });
    expect(t.answers[2]?.text).toMatch(/In this thread I answer/);
    await t.runtime.close();
  });

  it('a model that fails is answered for by the rules, and says why', async () => {
    const failing: ChatModel = {
      model: 'broken',
      complete: async () => {
        throw new Error('503 upstream unavailable');
      },
    };
    const t = await setUp(failing);
    await t.ask('is the pool too small?');
    expect(t.answers[0]).toMatchObject({ by: 'rules' });
    expect(t.answers[0]?.text).toMatch(/The model could not answer \(503 upstream unavailable\)/);
    const [audited] = await t.runtime.store.audit.list({ events: ['followup.answered'] });
    expect(audited).toMatchObject({ details: { intent: 'help', by: 'rules' } });
    await t.runtime.close();
  });

  it('"also check" an unknown server adds nothing and says which servers exist', async () => {
    const t = await setUp();
    await t.ask('also check zebra-server-77');
    expect(t.answers[0]?.text).toMatch(
      /^Nothing added: no server named "zebra-server-77"; known: /,
    );
    expect(t.refreshed).toEqual([]);
    expect(await t.runtime.store.audit.list({ events: ['incident.reassessed'] })).toEqual([]);
    await t.runtime.close();
  });
});
