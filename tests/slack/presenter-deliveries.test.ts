import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeRoute } from '../../src/slack/thread.ts';
import {
  ALERTS,
  PAYMENT_REPORT,
  type SlackParts,
  slackParts,
  slackPresenter,
} from '../support/slack-parts.ts';
import { shown } from './e2e-support.ts';

let parts: SlackParts;
beforeEach(async () => {
  parts = await slackParts();
});
afterEach(async () => {
  await parts.close();
});

describe('SlackPresenter deliveries', () => {
  it('a final brief right behind the preliminary one edits it: one message, nothing deleted', async () => {
    const presenter = slackPresenter(parts);
    const investigation = await parts.runtime.operator.investigate({
      report: PAYMENT_REPORT,
      source: 'webhook',
      actor: 'alertmanager:x',
    });
    const id = investigation.brief.incidentId;
    const route = encodeRoute({ channel: ALERTS, replyTo: null, responseUrl: null, alert: true });
    // The preliminary brief is shown, never awaited; the final one follows at once.
    const first = presenter.preliminary(id, route, investigation.brief);
    await presenter.brief(id, route, investigation);
    await first;
    const posts = parts.slack.callsTo('chat.postMessage').filter((c) => /"header"/.test(shown(c)));
    expect(posts).toHaveLength(1);
    expect(parts.slack.callsTo('chat.delete')).toEqual([]);
    expect(parts.slack.callsTo('chat.update').map((c) => c.args.ts)).toEqual([
      posts[0]?.result?.ts,
    ]);
  });
});
