import type { LineSignalId } from '../types.ts';

/**
 * One way real software words a problem: a pattern over one line of text and the signal it
 * raises. Patterns are written from the wording the software itself prints (each family's file
 * names its source), never from one incident's phrasing. They run on lines capped at 500
 * characters, have no global flag, and avoid nested quantifiers, so matching stays linear.
 */
export type Term = {
  signal: LineSignalId;
  pattern: RegExp;
  /** The line does not count when this also matches (a 403 at a client's own request, a RESOLVED alert). */
  unless?: RegExp;
  /**
   * Latency terms: the line counts only when the duration the pattern captures is at least this
   * long. The pattern names the number `value` and, optionally, its `unit` (ms, s, us…);
   * `unit` on the term is the default when the pattern captures none.
   */
  slowerThanMs?: number;
  unit?: 'ms' | 's';
  /** Counted terms: the number the pattern captures as `value` must be at least / at most this. */
  atLeast?: number;
  atMost?: number;
  /**
   * Lines that mean something only in numbers (one failed login is a typo, dozens are an attack):
   * the signal rises only when enough lines of the same tally match. See TALLIES in detect.ts.
   */
  tally?: 'failed_logins';
};

/** The wording of one family of software, with where it comes from. */
export type Vocabulary = {
  family: string;
  terms: readonly Term[];
};

/** Several patterns for one signal, written once. */
export function terms(
  signal: LineSignalId,
  patterns: readonly RegExp[],
  extra: Omit<Term, 'signal' | 'pattern'> = {},
): Term[] {
  return patterns.map((pattern) => ({ signal, pattern, ...extra }));
}
