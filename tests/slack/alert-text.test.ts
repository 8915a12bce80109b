import { describe, expect, it } from 'vitest';
import { alertText, plainText } from '../../src/slack/alert-text.ts';
import type { AppMentionEvent, MessageEvent } from '../../src/slack/payloads.ts';

const message = (extra: Partial<MessageEvent>): MessageEvent => ({
  type: 'message',
  channel: 'C0ALERTS',
  ts: '1700000000.000100',
  ...extra,
});

describe('plainText', () => {
  it('drops the bot mention and keeps other mentions as @id', () => {
    expect(plainText('<@UBOT> check <@U0ALICE> and <@W0BOB|bob>', 'UBOT')).toBe(
      'check @U0ALICE and @W0BOB',
    );
    expect(plainText('<@UBOT|lzo> payment-server-01 is down', 'UBOT')).toBe(
      'payment-server-01 is down',
    );
    // Without a bot id every mention is kept.
    expect(plainText('<@UBOT> hi')).toBe('@UBOT hi');
  });

  it('turns channels, groups and broadcasts into words', () => {
    expect(plainText('see <#C0OPS|ops> and <!subteam^S0ONCALL|@oncall>')).toBe(
      'see #ops and @oncall',
    );
    expect(plainText('<!subteam^S0ONCALL> <!here> <!channel> <!everyone>')).toBe(
      '@group @here @channel @everyone',
    );
  });

  it('keeps a link label, or the URL when there is none', () => {
    expect(plainText('<https://grafana.example/d/1|dashboard> and <https://x.example/a?b=1>')).toBe(
      'dashboard and https://x.example/a?b=1',
    );
    expect(plainText('mail <mailto:ops@example.com|ops>')).toBe('mail ops');
  });

  it('decodes Slack entities once, after links, so decoded text cannot become markup', () => {
    expect(plainText('cpu &gt; 90% &amp;&amp; mem &lt; 10%')).toBe('cpu > 90% && mem < 10%');
    expect(plainText('&amp;lt;@U1&amp;gt;')).toBe('&lt;@U1&gt;');
    expect(plainText('&lt;https://evil.example|click&gt;')).toBe('<https://evil.example|click>');
  });

  it('collapses spaces and tabs, keeps line breaks, trims', () => {
    expect(plainText('  a \t  b\nc  ')).toBe('a b\nc');
  });
});

describe('alertText', () => {
  it('uses the message text when that is all there is', () => {
    expect(alertText(message({ text: 'payment-server-01 CPU 98%' }))).toBe(
      'payment-server-01 CPU 98%',
    );
  });

  it('reads an integration message whose words are only in attachments', () => {
    const event = message({
      subtype: 'bot_message',
      bot_id: 'B0GRAFANA',
      text: '',
      attachments: [
        {
          fallback: 'ignored when there is more',
          pretext: '[FIRING:1] HighCPU',
          title: 'payment-server-01',
          text: 'CPU above 90% for 5m',
          fields: [
            { title: 'severity', value: 'critical' },
            { title: 'env', value: 'prod' },
            { value: 'value only' },
          ],
        },
      ],
    });
    expect(alertText(event)).toBe(
      [
        '[FIRING:1] HighCPU',
        'payment-server-01',
        'CPU above 90% for 5m',
        'severity: critical',
        'env: prod',
        'value only',
      ].join('\n'),
    );
  });

  it('falls back to an attachment fallback when it has nothing else', () => {
    const event = message({
      attachments: [{ fallback: 'db-node-02 replication lag' }, { fallback: 'second one' }],
    });
    expect(alertText(event)).toBe('db-node-02 replication lag\nsecond one');
  });

  it('reads section, field, header and context blocks when the text does not carry them', () => {
    const event = message({
      text: 'Alert',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'auth-service-03 down' } },
        {
          type: 'section',
          text: { type: 'mrkdwn', text: 'OutOfMemoryError' },
          fields: [{ type: 'mrkdwn', text: '*Env*: prod' }],
        },
        { type: 'context', elements: [{ type: 'mrkdwn', text: 'from PagerDuty' }] },
      ],
    });
    expect(alertText(event)).toBe(
      ['Alert', 'auth-service-03 down', 'OutOfMemoryError', '*Env*: prod', 'from PagerDuty'].join(
        '\n',
      ),
    );
  });

  it('reads rich text, including a link without a label', () => {
    const event = message({
      blocks: [
        {
          type: 'rich_text',
          elements: [
            {
              type: 'rich_text_section',
              elements: [
                { type: 'text', text: 'search-index-09 failing, see ' },
                { type: 'link', url: 'https://kibana.example/x' },
              ],
            },
          ],
        },
      ],
    });
    // Each rich-text leaf becomes a line of its own (words, not layout, matter to the operator).
    expect(
      alertText(event)
        .split('\n')
        .map((line) => line.trim()),
    ).toEqual(['search-index-09 failing, see', 'https://kibana.example/x']);
  });

  it('does not repeat blocks that only restate the text, nor duplicated parts', () => {
    const event = message({
      text: 'payment-server-01 is slow',
      attachments: [{ text: 'payment-server-01 is slow' }],
      blocks: [
        {
          type: 'rich_text',
          elements: [
            {
              type: 'rich_text_section',
              elements: [{ type: 'text', text: 'payment-server-01 is slow' }],
            },
          ],
        },
      ],
    });
    expect(alertText(event)).toBe('payment-server-01 is slow');
  });

  // `text` arrives escaped (&gt;) while rich_text leaves hold raw characters (>): still one copy.
  it('does not repeat a rich-text message whose text holds an escaped character', () => {
    const event = message({
      text: 'payment-server-01 cpu &gt; 90%',
      blocks: [
        {
          type: 'rich_text',
          elements: [
            {
              type: 'rich_text_section',
              elements: [{ type: 'text', text: 'payment-server-01 cpu > 90%' }],
            },
          ],
        },
      ],
    });
    expect(alertText(event)).toBe('payment-server-01 cpu > 90%');
  });

  it('strips the bot mention from a mention, mention-only leaves nothing', () => {
    const mention = (text: string): AppMentionEvent => ({
      type: 'app_mention',
      channel: 'C0OPS',
      ts: '1.1',
      text,
      blocks: [
        {
          type: 'rich_text',
          elements: [
            {
              type: 'rich_text_section',
              elements: [
                { type: 'user', user_id: 'UBOT' },
                { type: 'text', text: text.replace('<@UBOT>', '') },
              ],
            },
          ],
        },
      ],
    });
    expect(alertText(mention('<@UBOT> db-node-02 is slow'), 'UBOT')).toBe('db-node-02 is slow');
    expect(alertText(mention('<@UBOT>'), 'UBOT')).toBe('');
  });
});
