import { describe, expect, it } from 'vitest';
import {
  describeOutOfScope,
  listKnown,
  MAX_SCOPE,
  outOfScopeDraft,
  resolveScope,
} from '../../../src/operator/investigation/scope.ts';
import type { ServerInfo } from '../../../src/tools/backends.ts';

const info = (id: string, service: string | null = null): ServerInfo => ({
  id,
  service,
  environment: 'prod',
});

const KNOWN: ServerInfo[] = [
  info('payment-server-01', 'payments'),
  info('payment-server-02', 'payments'),
  info('db-node-02', 'orders-db'),
  info('auth-service-03', 'auth'),
  info('search-index-09', 'search'),
  info('frontend-node-04', 'web'),
  info('bastion'),
];

const ids = (report: string) => resolveScope(report, KNOWN).servers.map((s) => s.id);

describe('scope', () => {
  it.each([
    ['The payment-server-01 is extremely slow and timing out.', ['payment-server-01']],
    ['Something is wrong with DB-NODE-02', ['db-node-02']],
    ['(auth-service-03) keeps failing', ['auth-service-03']],
    ['is "frontend-node-04", ok?', ['frontend-node-04']],
    ["frontend-node-04's health check is flapping", ['frontend-node-04']],
    ['check db-node-02, auth-service-03 and db-node-02 again', ['db-node-02', 'auth-service-03']],
    ['host=db-node-02:5432 slow', ['db-node-02']],
    ['ssh to bastion fails', ['bastion']],
  ])('finds server ids in %j', (report, expected) => {
    expect(ids(report)).toEqual(expected);
  });

  it('takes a service name to mean every server of that service', () => {
    expect(ids('Payments are failing for everyone')).toEqual([
      'payment-server-01',
      'payment-server-02',
    ]);
    expect(ids("Search isn't working. Can you check search-index-09?")).toEqual([
      'search-index-09',
    ]);
    expect(ids('ORDERS-DB latency')).toEqual(['db-node-02']);
  });

  it('reports names that look like servers but are unknown, and does not guess', () => {
    const scope = resolveScope('payment-server-03 is down, also check web-node-99.', KNOWN);
    expect(scope.servers).toEqual([]);
    expect(scope.unknown).toEqual(['payment-server-03', 'web-node-99']);
    expect(describeOutOfScope(scope)).toBe(
      'no server named "payment-server-03", "web-node-99"; known: auth-service-03, bastion, db-node-02, frontend-node-04, payment-server-01, payment-server-02, search-index-09',
    );
  });

  it('keeps known servers and still names the unknown ones beside them', () => {
    const scope = resolveScope('db-node-02 and db-node-03 both lag', KNOWN);
    expect(scope.servers.map((s) => s.id)).toEqual(['db-node-02']);
    expect(scope.unknown).toEqual(['db-node-03']);
  });

  it('says plainly when the report names nothing at all', () => {
    const scope = resolveScope('everything is slow today', KNOWN);
    expect(scope.servers).toEqual([]);
    expect(scope.unknown).toEqual([]);
    expect(describeOutOfScope(scope)).toMatch(
      /^the report names no known server or service; known: auth-service-03, /,
    );
  });

  it('turns an out-of-scope report into a monitor draft that restarts nothing', () => {
    const draft = outOfScopeDraft(resolveScope('web-node-99 is down', KNOWN));
    expect(draft).toMatchObject({
      title: 'Unknown server: web-node-99',
      action: 'monitor',
      category: 'unknown',
      severity: 'sev3',
      restartServer: null,
      facts: [],
    });
    expect(draft.summary).toBe(
      `Nothing investigated: no server named "web-node-99"; known: ${listKnown(KNOWN)}.`,
    );
  });

  it(`covers at most ${MAX_SCOPE} servers and says it cut the rest`, () => {
    const many = Array.from({ length: 15 }, (_, i) => info(`web-${i + 1}`, 'web'));
    const scope = resolveScope('web is down', many);
    expect(scope.servers).toHaveLength(MAX_SCOPE);
    expect(scope.truncatedFrom).toBe(15);
    expect(resolveScope('web-1 is down', many).truncatedFrom).toBeNull();
  });

  it('shortens a long inventory list', () => {
    const many = Array.from({ length: 25 }, (_, i) => info(`node-${String(i).padStart(2, '0')}`));
    expect(listKnown(many, 3)).toBe('node-00, node-01, node-02 and 22 more');
  });
});
