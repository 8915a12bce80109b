import type { AddressInfo } from 'node:net';
import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy the test controls, for making a server unreachable without touching it: `cut()`
 * drops every connection through it and refuses new ones (as a failed host or a partition does),
 * `restore()` lets connections through again. `stall()` is the nastier partition: connections
 * stay open and new ones are taken, but no byte gets through either way until `restore()`.
 * The shared PostgreSQL is never stopped.
 */
export class TcpProxy {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private cutSince: number | null = null;
  private stalled = false;
  /** Connections refused while cut: proof the outage was felt. */
  refused = 0;

  private readonly target: { host: string; port: number };

  private constructor(server: Server, target: { host: string; port: number }) {
    this.server = server;
    this.target = target;
  }

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    let proxy: TcpProxy | null = null;
    const server = createServer((client) => proxy?.accept(client));
    proxy = new TcpProxy(server, target);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get isCut(): boolean {
    return this.cutSince !== null;
  }

  private accept(client: Socket): void {
    if (this.cutSince !== null) {
      this.refused += 1;
      client.destroy();
      return;
    }
    if (this.stalled) {
      // Taken, never answered: what a host behind a dropping firewall looks like.
      this.sockets.add(client);
      client.on('close', () => this.sockets.delete(client));
      client.on('error', () => client.destroy());
      return;
    }
    const upstream = createConnection(this.target);
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }

  cut(): void {
    this.cutSince = Date.now();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  /** Stops forwarding without closing anything: bytes sent now are lost, as in a partition. */
  stall(): void {
    this.stalled = true;
    for (const s of this.sockets) {
      s.unpipe();
      s.removeAllListeners('data');
      s.on('data', () => {});
    }
  }

  /** Lets connections through again; how long it was cut, ms. Stalled connections stay dead. */
  restore(): number {
    const since = this.cutSince ?? Date.now();
    this.cutSince = null;
    if (this.stalled) {
      // What passed while stalled is lost; those connections cannot be trusted again.
      for (const s of this.sockets) s.destroy();
      this.sockets.clear();
    }
    this.stalled = false;
    return Date.now() - since;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
