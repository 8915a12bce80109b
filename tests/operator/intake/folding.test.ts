import { describe, expect, it } from 'vitest';
import type { Signal } from '../../../src/operator/decision/signals/index.ts';
import { alertStatusOf } from '../../../src/operator/intake/alerts.ts';
import { causeOf } from '../../../src/operator/intake/folding.ts';

const signal = (id: Signal['id'], subject: string, line: string): Signal => ({
  id,
  subject,
  evidence: ['E2'],
  detail: line,
  lines: [line],
});

describe('causeOf', () => {
  it('keys a failing dependency by its host:port, whatever the server and the wording', () => {
    const refused = causeOf(
      [
        signal(
          'dependency_failure',
          'search-01',
          '[ERROR] Connection refused: elastic-cluster-main:9200',
        ),
      ],
      ['search-01'],
    );
    const timedOut = causeOf(
      [
        signal(
          'dependency_failure',
          'search-07',
          'ERROR timed out talking to elastic-cluster-main:9200 after 30s',
        ),
      ],
      ['search-07'],
    );
    expect(refused).toEqual({
      key: 'dependency:elastic-cluster-main:9200',
      description: 'connection refused to elastic-cluster-main:9200',
      kind: 'dependency',
    });
    expect(timedOut?.key).toBe(refused?.key);
    expect(timedOut?.description).toBe('timeouts to elastic-cluster-main:9200');
    const other = causeOf(
      [signal('dependency_failure', 'api-1', 'Connection refused: orders-db.internal:5432')],
      ['api-1'],
    );
    expect(other?.key).not.toBe(refused?.key);
  });

  it('keys a signature without what differs between servers (numbers, ids, the server itself)', () => {
    const a = causeOf(
      [
        signal(
          'disk_full',
          'log-1',
          '[ERROR] log-1: No space left on device writing /var/log/app.4431',
        ),
      ],
      ['log-1'],
    );
    const b = causeOf(
      [
        signal(
          'disk_full',
          'log-2',
          '[ERROR] log-2: No space left on device writing /var/log/app.17',
        ),
      ],
      ['log-2'],
    );
    expect(a?.kind).toBe('signature');
    expect(a?.key).toBe(b?.key);
  });

  it('never folds what a restart may fix, nor a dependency failure seen on another server', () => {
    expect(
      causeOf(
        [
          signal('hung_process', 'payment-server-01', '[CRITICAL] Process hung'),
          signal('high_cpu', 'payment-server-01', 'cpu 98%'),
        ],
        ['payment-server-01'],
      ),
    ).toBeNull();
    expect(causeOf([], ['x'])).toBeNull();
  });
});

describe('alertStatusOf', () => {
  it.each([
    ['[RESOLVED] HighCPU (web-01)', 'resolved'],
    ['[FIRING:1, RESOLVED:1] HighCPU', 'firing'],
    ['[FIRING:2] HighCPU', 'firing'],
    ['OK: "cpu-alarm" in US East (N. Virginia)', 'resolved'],
    ['Search is OK: p99 fine, but errors rise', 'firing'],
    ['** RECOVERY Service Alert: db-1/PostgreSQL is OK **', 'resolved'],
    ['Uptime Kuma Alert\n[API] [✅ Up] 200 - OK', 'resolved'],
    ['Uptime Kuma Alert\n[API] [🔴 Down] timeout', 'firing'],
    ['Resolved in 14m 0s: High CPU utilization', 'resolved'],
    ['[Recovered on {host:web-01}] Load high', 'resolved'],
    ['Problem: High CPU\nHost: web-01', 'firing'],
  ])('%j is %s', (text, status) => {
    expect(alertStatusOf(text)).toBe(status);
  });
});
