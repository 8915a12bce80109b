import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROMETHEUS_DEFAULT_QUERIES } from '../../../src/config/backends.ts';
import { parseConfig } from '../../../src/config/env.ts';
import { systemClock } from '../../../src/domain/clock.ts';
import { createBackends } from '../../../src/root/backends.ts';
import { getServerHealth } from '../../../src/tools/declarations/get-server-health.ts';
import { ToolError } from '../../../src/tools/errors.ts';
import { PrometheusHealth } from '../../../src/tools/prometheus/prometheus.ts';
import { ToolSession } from '../../../src/tools/session.ts';
import { Toolbox } from '../../../src/tools/toolbox.ts';
import { closedPort } from '../../support/loopback-http.ts';
import { FakeNodeExporter, findPrometheus, RealPrometheus } from '../../support/real-prometheus.ts';
import { writeTempFile } from '../../support/temp-files.ts';

/**
 * Health against a real Prometheus (Debian's package; .ci/run installs it). The bot must report
 * exactly what the exporter exposes, through the default node_exporter queries.
 */

const binary = findPrometheus();
if (!binary && process.env.CI)
  throw new Error(
    'prometheus is not installed; .ci/run installs Debian’s prometheus package, so CI must not skip this test',
  );
if (!binary)
  console.warn(
    'SKIPPED real Prometheus tests: no prometheus binary (apt-get install prometheus, or set PROMETHEUS_BIN)',
  );

const GiB = 1024 ** 3;

describe.skipIf(!binary)('Prometheus health against a real Prometheus server', () => {
  let exporter: FakeNodeExporter;
  let prometheus: RealPrometheus;

  const health = (queries: Partial<Record<'cpu' | 'memory' | 'up', string>> = {}) =>
    new PrometheusHealth({
      url: prometheus.url,
      queries: { ...PROMETHEUS_DEFAULT_QUERIES, ...queries },
    });

  beforeAll(async () => {
    exporter = await FakeNodeExporter.start({
      cpuBusy: 0.96,
      memTotalBytes: 8 * GiB,
      memAvailableBytes: 2 * GiB,
    });
    prometheus = await RealPrometheus.start(binary ?? 'prometheus', [
      { instance: 'payment-server-01:9100', port: exporter.port },
      // Nothing listens there: Prometheus records up == 0, as for a host that died.
      { instance: 'db-node-02:9100', port: await closedPort() },
    ]);
    // irate needs two cpu samples; up needs one scrape of each target.
    await prometheus.waitForSeries(
      PROMETHEUS_DEFAULT_QUERIES.cpu.replace('{{server_regex}}', 'payment-server-01'),
    );
    await prometheus.waitForSeries('up', 2);
  }, 25_000);

  afterAll(async () => {
    await prometheus?.stop();
    await exporter?.close();
  });

  it('reports the cpu and memory the exporter exposes, with the default node_exporter queries', async () => {
    const h = await health().getHealth('payment-server-01');
    expect(h.cpu).toBeCloseTo(96, 0);
    expect(h.memory).toBe(75);
    expect(h.status).toBe('critical');
    expect(h.link).toMatch(new RegExp(`^${prometheus.url}/graph\\?g0\\.expr=`));
  });

  it('reports a host whose scrape fails (up == 0) as down, not as a zero reading of a healthy host', async () => {
    const h = await health().getHealth('db-node-02');
    expect(h.status).toBe('down');
  });

  it('says plainly when Prometheus has no series for a server', async () => {
    const error = await health()
      .getHealth('ghost-07')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolError);
    expect((error as ToolError).code).toBe('no_data');
    expect((error as ToolError).message).toMatch(
      /has no up series for ghost-07 .*PROMETHEUS_UP_QUERY/,
    );
  });

  it('refuses a NaN instead of reporting it as a number', async () => {
    const error = await health({ cpu: 'up{instance=~"{{server_regex}}(:[0-9]+)?"} * NaN' })
      .getHealth('payment-server-01')
      .catch((e: unknown) => e);
    expect((error as ToolError).code).toBe('no_data');
    expect((error as ToolError).message).toMatch(/returned NaN for the cpu of payment-server-01/);
    expect((error as ToolError).message).toMatch(/PROMETHEUS_CPU_QUERY/);
  });

  it('names the variable when Prometheus rejects a query template', async () => {
    const error = await health({ memory: 'node_memory_MemTotal_bytes{instance="{{server}}"' })
      .getHealth('payment-server-01')
      .catch((e: unknown) => e);
    expect((error as ToolError).code).toBe('invalid_arguments');
    expect((error as ToolError).message).toMatch(/bad_data: .*PROMETHEUS_MEMORY_QUERY/);
  });

  it('escapes the server id: a crafted id cannot widen the query', async () => {
    const error = await health()
      .getHealth('x"} or up{instance=~".*')
      .catch((e: unknown) => e);
    // Matched literally, the id names no series; unescaped it would have matched every target.
    expect((error as ToolError).code).toBe('no_data');
  });

  it('feeds the toolbox through createBackends: evidence quotes the exporter’s value', async () => {
    const catalog = await writeTempFile(
      'catalog.yaml',
      'services:\n  payments:\n    servers: [payment-server-01]\n',
    );
    const config = parseConfig({ PROMETHEUS_URL: prometheus.url, CATALOG_FILE: catalog });
    const { backends } = await createBackends(config, { env: {}, clock: systemClock });
    const toolbox = new Toolbox(backends, { toolTimeoutMs: 5_000, clock: systemClock });
    const session = new ToolSession();
    const evidence = await toolbox.gather(
      session,
      getServerHealth,
      { server_id: 'payment-server-01' },
      { by: 'prefetch' },
    );
    expect(evidence.source.backend).toBe('prometheus');
    expect(evidence.data).toMatchObject({ kind: 'health', memory: 75, status: 'critical' });
    expect(evidence.summary).toMatch(/^payment-server-01: cpu 9[5-7](\.\d)?%, memory 75%/);
  });

  it('reports an unreachable Prometheus as an error naming PROMETHEUS_URL', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const error = await new PrometheusHealth({ url, queries: PROMETHEUS_DEFAULT_QUERIES })
      .getHealth('payment-server-01')
      .catch((e: unknown) => e);
    expect((error as ToolError).code).toBe('unavailable');
    expect((error as ToolError).message).toBe(
      `Prometheus at ${url} is unreachable (ECONNREFUSED): check PROMETHEUS_URL and that Prometheus is running`,
    );
  });
});
