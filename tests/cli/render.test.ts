import { describe, expect, it } from 'vitest';
import { forTerminal } from '../../src/cli/common.ts';
import { renderBrief, renderCard } from '../../src/cli/render.ts';
import { sampleBrief } from '../support/brief.ts';

/** No colours: whatever escape is in the output came from the brief's text. */
const noPaint = (_style: unknown, text: string) => text;

describe('the brief in a terminal', () => {
  it('prints no escape sequence or bidi override that came from a report, a log line or a model', () => {
    const brief = sampleBrief('INC-0000TERM');
    const evil =
      'payment-server-01 \u001b]0;pwned\u0007 \u001b[2J\u001b[8mhidden\u001b[0m \u001b]8;;https://evil.example\u001b\\runbook\u001b]8;;\u001b\\ invoice\u202Etxt.exe \u009b31m';
    brief.report = evil;
    brief.summary = evil;
    brief.facts = [{ text: evil, evidence: ['E1'] }];
    brief.nextActions = [evil];
    for (const out of [renderBrief(brief, noPaint), renderCard(brief, noPaint)]) {
      for (const c of ['\u001b', '\u0007', '\u009b', '\u202E']) expect(out).not.toContain(c);
      expect(out).toContain('invoicetxt.exe');
    }
  });

  it('keeps tabs, newlines and every non-string value as they are', () => {
    expect(forTerminal({ a: 'x\ty\nz', n: 3, b: [true, null] })).toEqual({
      a: 'x\ty\nz',
      n: 3,
      b: [true, null],
    });
  });
});
