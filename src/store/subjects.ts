import type { Assessment } from '../domain/brief.ts';

/**
 * What an assessment is about, as the store indexes it for "seen before": the servers in its scope,
 * its service, and every server or service a signal was seen on. Similar incidents are looked up by
 * these, so a lookup reads a few rows instead of every assessment of the last months.
 */
export function subjectsOf(assessment: Assessment): string[] {
  const subjects = new Set<string>(assessment.servers);
  if (assessment.ownership.service) subjects.add(assessment.ownership.service);
  for (const signal of assessment.signals) subjects.add(signal.subject);
  return [...subjects].filter((s) => s.length > 0);
}
