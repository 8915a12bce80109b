import type { EvalSummary, ScenarioResult } from './run.ts';

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
