import { describe, expect, it } from 'vitest';
import { alertStatusOf } from '../../../src/operator/intake/alerts.ts';
import { alertSubject, resolveScope } from '../../../src/operator/investigation/scope.ts';
import { CORPUS, CORPUS_FLEET, SOURCES } from './alert-corpus.ts';

/**
 * Real alert messages, as the alerting systems' published templates write them (sources in
 * alert-corpus.ts), posted as text into an alert channel: the servers found, the ones named only
 * as context, the unknown names reported, and whether each says it resolved.
 */

const sorted = (ids: readonly string[]) => [...ids].sort();

describe('alert corpus', () => {
  it('covers the alerting systems it claims to, each with a cited source', () => {
    const sources = new Set(CORPUS.map((m) => m.source));
    expect([...sources].sort()).toEqual(Object.keys(SOURCES).sort());
    expect(CORPUS.length).toBeGreaterThanOrEqual(46);
  });

  it.each(
    CORPUS.map((m, i) => [`${m.source} #${i + 1}: ${m.text.split('\n')[0]?.slice(0, 60)}`, m]),
  )('%s', (_name, message) => {
    const scope = resolveScope(message.text, CORPUS_FLEET, { subject: alertSubject(message.text) });
    expect(sorted(scope.servers.map((s) => s.id))).toEqual(sorted(message.servers));
    expect(sorted(scope.context ?? [])).toEqual(sorted(message.context ?? []));
    expect(scope.unknown).toEqual(message.unknown ?? []);
    expect(alertStatusOf(message.text)).toBe(message.resolved ? 'resolved' : 'firing');
  });

  it('finds every server the corpus names and reports no region, cluster or ticket as a server', () => {
    let found = 0;
    let expected = 0;
    const falseUnknowns: string[] = [];
    for (const m of CORPUS) {
      const scope = resolveScope(m.text, CORPUS_FLEET, { subject: alertSubject(m.text) });
      expected += m.servers.length;
      found += m.servers.filter((id) => scope.servers.some((s) => s.id === id)).length;
      falseUnknowns.push(...scope.unknown.filter((u) => !(m.unknown ?? []).includes(u)));
    }
    process.stdout.write(
      `alert corpus: ${CORPUS.length} messages from ${Object.keys(SOURCES).length} systems; ${found}/${expected} servers found; ${falseUnknowns.length} false unknowns\n`,
    );
    expect(found).toBe(expected);
    expect(falseUnknowns).toEqual([]);
  });
});
