import type { Action, Category, Escalation, Severity } from '../domain/vocabulary.ts';
import type { Expectation } from '../tools/fleet/format.ts';

/** What one scenario's run produced: the decision and every tool the bot called, approval path included. */
export type Observed = {
  action: Action;
  category: Category;
  severity: Severity;
  escalation: Escalation;
  calledTools: readonly string[];
};

function oneOf<T extends string>(
  field: string,
  actual: T,
  accepted: readonly T[] | undefined,
): string | null {
  if (!accepted || accepted.includes(actual)) return null;
  const wanted = accepted.length === 1 ? String(accepted[0]) : `one of ${accepted.join(', ')}`;
  return `${field}: expected ${wanted}, got ${actual}`;
}

/** Every way the observed run misses the expectation, in plain words; empty when it passes. */
export function score(expect: Expectation, observed: Observed): string[] {
  const failures = [
    oneOf('action', observed.action, expect.action),
    oneOf('category', observed.category, expect.category),
    oneOf('severity', observed.severity, expect.severity),
    oneOf('escalation', observed.escalation, expect.escalation),
  ].filter((f): f is string => f !== null);
  for (const tool of expect.never_call ?? []) {
    if (observed.calledTools.includes(tool)) failures.push(`never_call: ${tool} was called`);
  }
  return failures;
}

/** The four fields of a decision that are scored. */
export const FIELDS = ['action', 'category', 'severity', 'escalation'] as const;
export type Field = (typeof FIELDS)[number];

/** Per field: right, wrong, or null when the scenario expects nothing of it. */
export type FieldChecks = Record<Field, boolean | null>;

export function checkFields(
  expect: Expectation,
  observed: Pick<Observed, Field> | null,
): FieldChecks {
  const check = <T extends string>(accepted: readonly T[] | undefined, actual: T | undefined) =>
    accepted === undefined ? null : actual !== undefined && accepted.includes(actual);
  return {
    action: check(expect.action, observed?.action),
    category: check(expect.category, observed?.category),
    severity: check(expect.severity, observed?.severity),
    escalation: check(expect.escalation, observed?.escalation),
  };
}
