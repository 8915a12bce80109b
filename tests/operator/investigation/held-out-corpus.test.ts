import { describe, expect, it } from 'vitest';
import { alertStatusOf } from '../../../src/operator/intake/alerts.ts';
import { alertSubject, resolveScope } from '../../../src/operator/investigation/scope.ts';
import { CORPUS } from './alert-corpus.ts';
import { HELD_OUT, HELD_OUT_FLEET, HELD_OUT_SOURCES } from './held-out-corpus.ts';

/**
 * The held-out-style corpus (held-out-corpus.ts): systems and templates the first corpus does not
 * have, posted as text into an alert channel. The servers found, the ones named only as context,
 * no region, cluster, namespace, mountpoint, job, rule, metric or ticket taken for a server, and
 * every recovery recognised while no firing message is taken for one.
 */

const sorted = (ids: readonly string[]) => [...ids].sort();

describe('held-out alert corpus', () => {
  it('covers systems the first corpus does not, each with a cited source', () => {
    const sources = new Set(HELD_OUT.map((m) => m.source));
    expect([...sources].sort()).toEqual(Object.keys(HELD_OUT_SOURCES).sort());
    const firstTexts = new Set(CORPUS.map((m) => m.text));
    expect(HELD_OUT.filter((m) => firstTexts.has(m.text))).toEqual([]);
    expect(HELD_OUT.length).toBeGreaterThanOrEqual(60);
  });

  it.each(
    HELD_OUT.map((m, i) => [`${m.source} #${i + 1}: ${m.text.split('\n')[0]?.slice(0, 60)}`, m]),
  )('%s', (_name, message) => {
    const scope = resolveScope(message.text, HELD_OUT_FLEET, {
      subject: alertSubject(message.text),
    });
    expect(sorted(scope.servers.map((s) => s.id))).toEqual(sorted(message.servers));
    expect(sorted(scope.context ?? [])).toEqual(sorted(message.context ?? []));
    expect(scope.unknown).toEqual(message.unknown ?? []);
    expect(alertStatusOf(message.text)).toBe(message.resolved ? 'resolved' : 'firing');
  });

  it('finds every server, reports nothing else as one, and tells recoveries from firings', () => {
    let found = 0;
    let expected = 0;
    let recognised = 0;
    let recoveries = 0;
    const falseUnknowns: string[] = [];
    const falseResolves: string[] = [];
    const wrongContext: string[] = [];
    for (const m of HELD_OUT) {
      const scope = resolveScope(m.text, HELD_OUT_FLEET, { subject: alertSubject(m.text) });
      expected += m.servers.length;
      found += m.servers.filter((id) => scope.servers.some((s) => s.id === id)).length;
      falseUnknowns.push(...scope.unknown.filter((u) => !(m.unknown ?? []).includes(u)));
      if (sorted(scope.context ?? []).join() !== sorted(m.context ?? []).join())
        wrongContext.push(m.text.split('\n')[0] ?? '');
      const status = alertStatusOf(m.text);
      if (m.resolved) {
        recoveries += 1;
        if (status === 'resolved') recognised += 1;
      } else if (status === 'resolved') falseResolves.push(m.text.split('\n')[0] ?? '');
    }
    process.stdout.write(
      `held-out alert corpus: ${HELD_OUT.length} messages from ${Object.keys(HELD_OUT_SOURCES).length} systems; servers found ${found}/${expected}; false unknowns ${falseUnknowns.length}; subject/context wrong ${wrongContext.length}; resolved recognised ${recognised}/${recoveries}, false resolves ${falseResolves.length}\n`,
    );
    expect(found).toBe(expected);
    expect(falseUnknowns).toEqual([]);
    expect(wrongContext).toEqual([]);
    expect(recognised).toBe(recoveries);
    expect(falseResolves).toEqual([]);
  });
});
