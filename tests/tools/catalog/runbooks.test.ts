import { describe, expect, it } from 'vitest';
import type { Signal } from '../../../src/operator/decision/signals/index.ts';
import { chooseRunbook } from '../../../src/operator/presentation/runbooks.ts';
import { ServiceCatalog } from '../../../src/tools/catalog/catalog.ts';
import { parseCatalog } from '../../../src/tools/catalog/load.ts';
import { FileFormatError } from '../../../src/tools/fleet/load.ts';

const OWN = `runbooks:
  - url: https://runbooks.example.com/disk-full
    signals: [disk_full]
    checks: ["df -h /var"]
services:
  payments:
    servers: [payment-server-01]
    restart: { via: simulated }
    runbooks:
      - https://runbooks.example.com/payments
      - url: https://runbooks.example.com/payments/hung
        title: Payments API hung
        signals: [hung_process, resource_exhaustion]
        checks: ["curl -m 5 -sS http://payment-server-01:8080/healthz"]
  search:
    servers: [search-index-09]
`;

const BACKSTAGE = `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments
  annotations:
    level-zero.io/servers: payment-server-01
    level-zero.io/runbook.hung_process: https://runbooks.example.com/payments/hung
    level-zero.io/runbook-checks.hung_process: |
      curl -m 5 -sS http://payment-server-01:8080/healthz
      jstack <pid> > /tmp/threads.txt
  links:
    - url: https://wiki.example.com/payments/runbook
      title: Payments runbook
      type: runbook
spec: { type: service, lifecycle: production, owner: payments-team }
`;

const signal = (id: Signal['id'], subject: string): Signal => ({
  id,
  subject,
  evidence: ['E2'],
  detail: 'line',
});

async function serversOf(text: string) {
  return new ServiceCatalog(parseCatalog(text, 'catalog.yaml', {}), {
    file: 'catalog.yaml',
    defaultRestarter: null,
  }).listServers();
}

describe('runbooks in the catalog', () => {
  it('our format: a service runbook per signature, its general runbook, then catalog-wide ones', async () => {
    const [payments, search] = await serversOf(OWN);
    expect(payments?.runbooks?.map((r) => [r.url, r.service, r.signals])).toEqual([
      ['https://runbooks.example.com/payments', 'payments', []],
      [
        'https://runbooks.example.com/payments/hung',
        'payments',
        ['hung_process', 'resource_exhaustion'],
      ],
      ['https://runbooks.example.com/disk-full', null, ['disk_full']],
    ]);
    expect(search?.runbooks?.map((r) => r.url)).toEqual(['https://runbooks.example.com/disk-full']);
    if (!payments || !search) throw new Error('catalog lost a server');

    // The signature picks the runbook written for it, with its checks.
    expect(chooseRunbook([payments], [signal('hung_process', 'payment-server-01')])).toEqual({
      link: {
        url: 'https://runbooks.example.com/payments/hung',
        title: 'Payments API hung',
        service: 'payments',
        signal: 'hung_process',
      },
      checks: ['curl -m 5 -sS http://payment-server-01:8080/healthz'],
    });
    // A signature the service has none for: the catalog-wide one, else its general runbook.
    expect(chooseRunbook([payments], [signal('disk_full', 'payment-server-01')])?.link.url).toBe(
      'https://runbooks.example.com/disk-full',
    );
    expect(chooseRunbook([payments], [signal('dns_failure', 'payment-server-01')])?.link).toEqual({
      url: 'https://runbooks.example.com/payments',
      title: null,
      service: 'payments',
      signal: null,
    });
    // Only catalog-wide runbooks, none for this signature: nothing to link.
    expect(chooseRunbook([search], [signal('dependency_failure', 'search-index-09')])).toBeNull();
    // The server carrying the problem decides, not the first one named.
    expect(
      chooseRunbook([search, payments], [signal('hung_process', 'payment-server-01')])?.link.url,
    ).toBe('https://runbooks.example.com/payments/hung');
  });

  it('Backstage: runbook annotations per signature with their checks, and a runbook link', async () => {
    const [payments] = await serversOf(BACKSTAGE);
    expect(payments?.runbooks).toEqual([
      {
        url: 'https://runbooks.example.com/payments/hung',
        title: null,
        signals: ['hung_process'],
        checks: [
          'curl -m 5 -sS http://payment-server-01:8080/healthz',
          'jstack <pid> > /tmp/threads.txt',
        ],
        service: 'payments',
      },
      {
        url: 'https://wiki.example.com/payments/runbook',
        title: 'Payments runbook',
        signals: [],
        checks: [],
        service: 'payments',
      },
    ]);
  });

  it('names a bad runbook entry by file, entry and field', () => {
    const problems = (text: string) => {
      try {
        parseCatalog(text, 'catalog.yaml', {});
      } catch (e) {
        if (e instanceof FileFormatError) return e.problems;
        throw e;
      }
      throw new Error('expected a FileFormatError');
    };
    expect(
      problems(`services:
  payments:
    servers: [p-1]
    runbooks:
      - url: ftp://runbooks.example.com/x
        signals: [Hung-Process]
`),
    ).toEqual([
      'services.payments.runbooks.0.url: must be an http(s) URL',
      'services.payments.runbooks.0.signals.0: must be a signal id such as hung_process or disk_full',
    ]);
    expect(
      problems(`apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments
  annotations:
    level-zero.io/runbook.Hung: https://x.example.com
    level-zero.io/runbook: not a url
`),
    ).toEqual([
      'document 1 (Component "payments") → metadata.annotations["level-zero.io/runbook.Hung"]: must be a signal id such as hung_process or disk_full',
      'document 1 (Component "payments") → metadata.annotations["level-zero.io/runbook"]: must be an http(s) URL',
    ]);
  });
});
