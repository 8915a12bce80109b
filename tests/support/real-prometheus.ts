import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { closedPort } from './loopback-http.ts';

/**
 * A real Prometheus (Debian's `prometheus` package) started as a child process on a loopback
 * port, scraping a small node_exporter look-alike the test serves. Nothing is faked between
 * the bot and Prometheus: the same HTTP API, PromQL engine and TSDB production uses.
 */

export function findPrometheus(): string | null {
  const candidates = [
    process.env.PROMETHEUS_BIN,
    ...(process.env.PATH ?? '').split(delimiter).map((d) => join(d, 'prometheus')),
    '/usr/bin/prometheus',
  ].filter((c): c is string => Boolean(c));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {}
  }
  return null;
}

/** What one exported host looks like: cpu busy fraction and memory numbers, settable mid-test. */
export type ExportedHost = {
  /** Busy fraction of each CPU, 0–1: idle grows at (1 - busy) seconds per second. */
  cpuBusy: number;
  memTotalBytes: number;
  memAvailableBytes: number;
};

/**
 * Serves node_exporter's metric names. CPU counters carry explicit timestamps and are computed
 * from them, so Prometheus' irate over two samples yields exactly the busy fraction set here,
 * however late a scrape runs.
 */
export class FakeNodeExporter {
  readonly host: ExportedHost;
  private readonly server: Server;
  readonly port: number;
  private idleSeconds = 1000;
  private busySeconds = 1000;
  private lastMs: number | null = null;

  private constructor(server: Server, port: number, host: ExportedHost) {
    this.server = server;
    this.port = port;
    this.host = host;
  }

  static async start(host: ExportedHost): Promise<FakeNodeExporter> {
    let instance: FakeNodeExporter | undefined;
    const server = createServer((req, res) => {
      if (req.url !== '/metrics' || !instance) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(instance.render());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    instance = new FakeNodeExporter(server, (server.address() as AddressInfo).port, host);
    return instance;
  }

  private render(): string {
    const nowMs = Date.now();
    if (this.lastMs !== null) {
      const dt = (nowMs - this.lastMs) / 1000;
      this.idleSeconds += dt * (1 - this.host.cpuBusy);
      this.busySeconds += dt * this.host.cpuBusy;
    }
    this.lastMs = nowMs;
    const cpu = (n: number) =>
      [
        `node_cpu_seconds_total{cpu="${n}",mode="idle"} ${this.idleSeconds} ${nowMs}`,
        `node_cpu_seconds_total{cpu="${n}",mode="user"} ${this.busySeconds} ${nowMs}`,
      ].join('\n');
    return [
      '# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.',
      '# TYPE node_cpu_seconds_total counter',
      cpu(0),
      cpu(1),
      '# HELP node_memory_MemTotal_bytes Memory information field MemTotal_bytes.',
      '# TYPE node_memory_MemTotal_bytes gauge',
      `node_memory_MemTotal_bytes ${this.host.memTotalBytes}`,
      '# HELP node_memory_MemAvailable_bytes Memory information field MemAvailable_bytes.',
      '# TYPE node_memory_MemAvailable_bytes gauge',
      `node_memory_MemAvailable_bytes ${this.host.memAvailableBytes}`,
      '',
    ].join('\n');
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export type Target = { instance: string; port: number };

export class RealPrometheus {
  readonly url: string;
  private readonly child: ChildProcess;
  private readonly dir: string;
  private readonly stderr: string[];

  private constructor(url: string, child: ChildProcess, dir: string, stderr: string[]) {
    this.url = url;
    this.child = child;
    this.dir = dir;
    this.stderr = stderr;
  }

  /** Starts Prometheus scraping each target every 500 ms, relabelled to the given instance. */
  static async start(binary: string, targets: Target[]): Promise<RealPrometheus> {
    const dir = await mkdtemp(join(tmpdir(), 'lzo-prometheus-'));
    const port = await closedPort();
    const jobs = targets
      .map(
        (t, i) => `  - job_name: node-${i}
    scrape_interval: 500ms
    scrape_timeout: 500ms
    static_configs:
      - targets: ['127.0.0.1:${t.port}']
    relabel_configs:
      - target_label: instance
        replacement: '${t.instance}'`,
      )
      .join('\n');
    await writeFile(
      join(dir, 'prometheus.yml'),
      `global:\n  scrape_interval: 500ms\n  scrape_timeout: 500ms\nscrape_configs:\n${jobs}\n`,
    );
    const stderr: string[] = [];
    const child = spawn(
      binary,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child.stderr?.on('data', (d: Buffer) => stderr.push(d.toString()));
    const prometheus = new RealPrometheus(`http://127.0.0.1:${port}`, child, dir, stderr);
    await prometheus.waitReady();
    return prometheus;
  }

  private async waitReady(): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null)
        throw new Error(`prometheus exited (${this.child.exitCode}): ${this.stderr.join('')}`);
      try {
        const res = await fetch(`${this.url}/-/ready`);
        if (res.ok) return;
      } catch {}
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`prometheus did not become ready: ${this.stderr.join('')}`);
  }

  /** Polls an instant query until it returns at least `count` series. */
  async waitForSeries(query: string, count = 1, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const res = await fetch(`${this.url}/api/v1/query?query=${encodeURIComponent(query)}`);
      const body = (await res.json()) as { data?: { result?: unknown[] } };
      if ((body.data?.result?.length ?? 0) >= count) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`prometheus: no series for ${query} after ${timeoutMs} ms`);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((r) => this.child.once('exit', r));
      this.child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
      if (this.child.exitCode === null) this.child.kill('SIGKILL');
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}
