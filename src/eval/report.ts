import type { EvalSummary, ScenarioResult } from './run.ts';
import { FIELDS, type Field } from './score.ts';

type Paint = (style: 'green' | 'red' | 'bold' | 'dim', text: string) => string;
const plain: Paint = (_style, text) => text;

/** The summary line README and CI cite; its wording is fixed. */
export function summaryLine(summary: Pick<EvalSummary, 'total' | 'passed'>): string {
  return `${summary.passed}/${summary.total} scenarios passed`;
}

const COLUMNS = ['id', 'action', 'category', 'severity', 'escalation', 'result'] as const;

function cells(r: ScenarioResult): string[] {
  return [
    r.id,
    r.action ?? '-',
    r.category ?? '-',
    r.severity ?? '-',
    r.escalation ?? '-',
    r.passed ? 'pass' : 'FAIL',
  ];
}

/** Right out of scored, for one field or for the whole verdict. */
export type Tally = { right: number; scored: number };

export type Accuracy = {
  byField: Record<Field, Tally>;
  /** All four fields right, among scenarios that expect all four. */
  verdict: Tally;
  /** Per expected category (the first one a scenario accepts), the same measures. */
  byCategory: {
    category: string;
    scenarios: number;
    passed: number;
    verdict: Tally;
    fields: Record<Field, Tally>;
  }[];
};

function tallyOf(results: readonly ScenarioResult[], field: Field): Tally {
  const scored = results.filter((r) => r.checks[field] !== null);
  return { right: scored.filter((r) => r.checks[field]).length, scored: scored.length };
}

function verdictOf(results: readonly ScenarioResult[]): Tally {
  const scored = results.filter((r) => FIELDS.every((f) => r.checks[f] !== null));
  return {
    right: scored.filter((r) => FIELDS.every((f) => r.checks[f])).length,
    scored: scored.length,
  };
}

const fieldsOf = (results: readonly ScenarioResult[]) =>
  Object.fromEntries(FIELDS.map((f) => [f, tallyOf(results, f)])) as Record<Field, Tally>;

/** Accuracy per field, for the whole verdict, and per expected category. */
export function accuracy(summary: EvalSummary): Accuracy {
  const groups = new Map<string, ScenarioResult[]>();
  for (const r of summary.results) {
    const key = r.expectedCategory ?? '(none)';
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return {
    byField: fieldsOf(summary.results),
    verdict: verdictOf(summary.results),
    byCategory: [...groups]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([category, results]) => ({
        category,
        scenarios: results.length,
        passed: results.filter((r) => r.passed).length,
        verdict: verdictOf(results),
        fields: fieldsOf(results),
      })),
  };
}

const percent = (t: Tally) =>
  t.scored === 0 ? '-' : `${((100 * t.right) / t.scored).toFixed(1)} %`;
const cell = (t: Tally) => (t.scored === 0 ? '-' : `${t.right}/${t.scored} ${percent(t)}`);

function grid(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** The accuracy block of the table: per field, whole verdict, then per expected category. */
export function formatAccuracy(summary: EvalSummary): string[] {
  const a = accuracy(summary);
  return [
    'accuracy by field',
    ...grid(
      ['field', 'right'],
      [...FIELDS.map((f) => [f, cell(a.byField[f])]), ['verdict (all four)', cell(a.verdict)]],
    ).map((l) => `  ${l}`),
    '',
    'accuracy by expected category',
    ...grid(
      ['category', 'scenarios', 'passed', 'verdict', ...FIELDS],
      a.byCategory.map((c) => [
        c.category,
        String(c.scenarios),
        String(c.passed),
        percent(c.verdict),
        ...FIELDS.map((f) => percent(c.fields[f])),
      ]),
    ).map((l) => `  ${l}`),
  ];
}

/** A table a person reads in a terminal: one row per scenario, failure reasons under failed rows. */
export function formatTable(summary: EvalSummary, paint: Paint = plain): string {
  const rows = summary.results.map(cells);
  const widths = COLUMNS.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const out = [paint('bold', line(COLUMNS)), paint('dim', line(widths.map((w) => '-'.repeat(w))))];
  summary.results.forEach((r, i) => {
    const text = line(rows[i] ?? []);
    out.push(r.passed ? text.replace(/pass$/, paint('green', 'pass')) : paint('red', text));
    for (const failure of r.failures) out.push(`    ${failure}`);
    if (r.fallbackReason)
      out.push(paint('dim', `    (rules planner answered: ${r.fallbackReason})`));
  });
  out.push('', ...formatAccuracy(summary));
  out.push('', paint('bold', summaryLine(summary)));
  return `${out.join('\n')}\n`;
}

/** The machine-readable form: exactly these keys, so scripts can rely on them. */
export function toJson(summary: EvalSummary): string {
  return `${JSON.stringify(
    {
      total: summary.total,
      passed: summary.passed,
      scenarios: summary.results.map((r) => ({
        id: r.id,
        passed: r.passed,
        action: r.action,
        category: r.category,
        severity: r.severity,
        escalation: r.escalation,
        failures: r.failures,
      })),
    },
    null,
    2,
  )}\n`;
}
