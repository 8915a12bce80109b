import { describe, expect, it } from 'vitest';
import {
  lenientJson,
  parseJson,
} from '../../../../src/operator/decision/planners/model/json-text.ts';

describe('lenient JSON', () => {
  it('escapes raw control characters inside strings and drops commas before a closing bracket', () => {
    expect(parseJson('{"a": "line one\nline two\tend", "b": [1, 2,],\n}')).toEqual({
      a: 'line one\nline two\tend',
      b: [1, 2],
    });
  });

  it('leaves strings alone: commas, brackets and escapes inside them are the model’s words', () => {
    const text = '{"a": "x, }", "b": "say \\"hi,]\\"", "c": "\\\\"}';
    expect(lenientJson(text)).toBe(text);
    expect(parseJson(text)).toEqual({ a: 'x, }', b: 'say "hi,]"', c: '\\' });
  });

  it('still refuses what is not JSON, with the parser’s own error', () => {
    expect(() => parseJson('{"a": 1')).toThrow(SyntaxError);
    expect(() => parseJson("{'a': 1}")).toThrow(SyntaxError);
  });
});
