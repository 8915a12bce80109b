import { describe, expect, it } from 'vitest';
import { md } from '../../../src/slack/blocks/markdown.ts';
import {
  cut,
  cutMrkdwn,
  esc,
  link,
  mention,
  plain,
  slackDate,
} from '../../../src/slack/blocks/text.ts';

describe('text helpers', () => {
  it('escapes exactly Slack’s control characters', () => {
    expect(esc('a & b <!channel> <@U1> > c')).toBe('a &amp; b &lt;!channel&gt; &lt;@U1&gt; &gt; c');
    expect(esc('*bold* _it_ `code`')).toBe('*bold* _it_ `code`');
  });

  it('cuts with …, never through a surrogate pair, a <…> token or an entity', () => {
    expect(cut('abcdef', 4)).toBe('abc…');
    expect(cut('ab🔥cd', 4)).toBe('ab…');
    expect(cutMrkdwn('see <@U0123456> now', 10)).toBe('see…');
    expect(cutMrkdwn('a &amp; b', 4)).toBe('a…');
    expect(cutMrkdwn('short', 10)).toBe('short');
  });

  it('mentions users, groups and channels by id, and nothing else', () => {
    expect(mention('U0APPROVER')).toBe('<@U0APPROVER>');
    expect(mention('W0123')).toBe('<@W0123>');
    expect(mention('S0123')).toBe('<!subteam^S0123>');
    expect(mention('C0123')).toBe('<#C0123>');
    expect(mention('SRE')).toBe('SRE');
    expect(mention('cli:alice')).toBe('cli:alice');
    expect(mention('<!channel>')).toBe('&lt;!channel&gt;');
  });

  it('formats dates for every reader’s time zone with a UTC fallback', () => {
    expect(slackDate('2025-03-01T09:30:00.000Z')).toBe(
      '<!date^1740821400^{date_short_pretty} {time}|2025-03-01 09:30 UTC>',
    );
    expect(slackDate('2025-03-01T09:30:00.000Z', 'time')).toBe(
      '<!date^1740821400^{time}|09:30 UTC>',
    );
    expect(slackDate('not a date <x>')).toBe('not a date &lt;x&gt;');
  });

  it('links only http(s), with nothing that could end the token early', () => {
    expect(link('https://a.example/x?q=1|2', 'open <b>')).toBe(
      '<https://a.example/x?q=1%7C2|open &lt;b&gt;>',
    );
    expect(link('javascript:alert(1)', 'open')).toBe('open javascript:alert(1)');
    expect(link('not a url', 'open')).toBe('open not a url');
  });

  it('drops bidi overrides and zero-width characters from untrusted text, plain text included', () => {
    const spoof = 'invoice\u202Etxt.exe \u2066x\u2069 pay\u200Bment\uFEFF';
    for (const out of [esc(spoof), md(spoof), plain(spoof, 100).text])
      expect(out).not.toMatch(/[\u202A-\u202E\u2066-\u2069\uFEFF]|ment\u200B|pay\u200B/);
    expect(esc(spoof)).toBe('invoicetxt.exe x payment');
    expect(esc('a\u0000b\u0007c \u001b[31mred\u009b\tend\n')).toBe('abc [31mred\tend\n');
    // Emoji sequences keep their zero-width joiner.
    expect(esc('👩\u200D💻')).toBe('👩\u200D💻');
  });

  it('disarms broadcast words in mrkdwn and markdown', () => {
    for (const out of [esc('@channel @here @Everyone'), md('@channel @here @Everyone')])
      expect(out).not.toMatch(/@(?:channel|here|everyone)\b/i);
    expect(esc('@channel').replaceAll('\u200B', '')).toBe('@channel');
  });

  it('a bare URL in the markdown block is not auto-linked, and still reads the same', () => {
    const urls = 'see https://evil.example/x and www.evil.example or mailto:a@evil.example';
    const out = md(urls);
    for (const bare of ['https://evil', 'www.evil', 'mailto:a']) expect(out).not.toContain(bare);
    expect(out.replaceAll('\u200B', '')).toBe(urls);
  });
});
