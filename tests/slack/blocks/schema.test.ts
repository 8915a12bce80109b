import { describe, expect, it } from 'vitest';
import { messageProblems } from '../../../src/slack/blocks/schema.ts';

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });

describe('the schema of emitted blocks', () => {
  it('accepts a minimal message', () => {
    expect(messageProblems({ text: 'hi', blocks: [section('hi')] })).toEqual([]);
  });

  it('rejects what Slack would reject', () => {
    expect(messageProblems({ text: 'x', blocks: [section('x'.repeat(3001))] })).not.toEqual([]);
    expect(
      messageProblems({ text: 'x', blocks: Array.from({ length: 51 }, () => section('x')) }),
    ).not.toEqual([]);
    expect(
      messageProblems({
        text: 'x',
        blocks: [{ type: 'header', text: { type: 'plain_text', text: 'x'.repeat(151) } }],
      }),
    ).not.toEqual([]);
    expect(
      messageProblems({
        text: 'x',
        blocks: [{ type: 'section', txt: { type: 'mrkdwn', text: 'x' } }],
      }),
    ).not.toEqual([]);
    expect(
      messageProblems({
        text: 'x',
        blocks: [
          {
            type: 'section',
            fields: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'x' })),
          },
        ],
      }),
    ).not.toEqual([]);
    // Under 50 blocks of 3000 characters each, but over the cumulative size Slack accepts.
    expect(
      messageProblems({
        text: 'x',
        blocks: Array.from({ length: 5 }, () => section('x'.repeat(3000))),
      }),
    ).toEqual([expect.stringContaining('msg_blocks_too_long')]);
  });
});
