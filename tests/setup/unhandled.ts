import { afterEach } from 'vitest';

/**
 * Every test file runs with this: a promise that rejects with nobody listening fails the test that
 * was running, by name, with the reason — the same rule the bot's processes live by (they exit on
 * one; see tests/support/replica.ts for how suites check the processes they start).
 */
const unhandled: unknown[] = [];

process.on('unhandledRejection', (reason) => {
  unhandled.push(reason);
});

afterEach(() => {
  if (unhandled.length === 0) return;
  const reasons = unhandled
    .splice(0)
    .map((r) => (r instanceof Error ? (r.stack ?? r.message) : String(r)));
  throw new Error(`unhandled promise rejection(s) during this test:\n${reasons.join('\n---\n')}`);
});
