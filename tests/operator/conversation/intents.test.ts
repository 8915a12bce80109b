import { describe, expect, it } from 'vitest';
import { LOG_LINES, parseIntent } from '../../../src/operator/conversation/intents.ts';

describe('follow-up intents, read by rules', () => {
  const kind = (text: string) => parseIntent(text).kind;

  it('reads each intent the way people ask for it', () => {
    const cases: [string, ReturnType<typeof kind>][] = [
      ['also check db-node-02', 'widen'],
      ['Also look at auth-service-03 please', 'widen'],
      ['check search-index-09 too', 'widen'],
      ['what about payments?', 'widen'],
      ['show 50 more log lines of payment-server-01', 'logs'],
      ['more logs', 'logs'],
      ['give me older log lines for db-node-02', 'logs'],
      ['what changed?', 'changes'],
      ['any recent deploys?', 'changes'],
      ['why not restart?', 'why_not_restart'],
      ["why didn't you restart it", 'why_not_restart'],
      ['why no restart for payment-server-01', 'why_not_restart'],
      ['escalate', 'escalate'],
      ['please escalate this', 'escalate'],
      ['page the on-call', 'escalate'],
      ['status', 'status'],
      ["what's the status?", 'status'],
      ['postmortem', 'postmortem'],
      ['draft the post-mortem please', 'postmortem'],
      ['help', 'help'],
      ['is the database the root cause?', 'question'],
      ['how many users are affected', 'question'],
    ];
    for (const [text, expected] of cases) expect(kind(text), text).toBe(expected);
  });

  it('takes the number of log lines asked for, capped, with a default', () => {
    expect(parseIntent('show 20 more log lines of x')).toMatchObject({ kind: 'logs', lines: 20 });
    expect(parseIntent('show 5000 more log lines')).toMatchObject({ lines: LOG_LINES.max });
    expect(parseIntent('more logs please')).toMatchObject({ lines: LOG_LINES.default });
  });

  it('"why not restart" is not read as a request to restart or to widen', () => {
    expect(kind('why not restart payment-server-01?')).toBe('why_not_restart');
    expect(kind('restart payment-server-01 now')).toBe('question');
  });
});
