import {
  createServer,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

/**
 * A scripted HTTP(S) server on loopback for backend tests: the real fetch / node:https run
 * against it, so tests need no global mocking. Replies reproduce the recorded API shapes in
 * recorded-apis.ts, errors included.
 */

export type LoopbackRequest = {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
};

export type LoopbackReply = {
  status: number;
  headers?: Record<string, string>;
  /** A string is sent as is (text/plain unless headers say otherwise); anything else as JSON. */
  body?: unknown;
  /** Never answer: the client must time out. */
  hang?: boolean;
  delayMs?: number;
};

export type LoopbackHandler = (request: LoopbackRequest) => LoopbackReply | Promise<LoopbackReply>;

export type TlsOptions = { key: string; cert: string; ca?: string; requestCert?: boolean };

export class LoopbackServer {
  readonly requests: LoopbackRequest[] = [];
  readonly url: string;
  handler: LoopbackHandler;
  private readonly server: Server;
  private readonly open = new Set<ServerResponse>();

  private constructor(server: Server, url: string, handler: LoopbackHandler) {
    this.server = server;
    this.url = url;
    this.handler = handler;
  }

  static async start(handler: LoopbackHandler, tls?: TlsOptions): Promise<LoopbackServer> {
    let instance: LoopbackServer | undefined;
    const listener = (req: import('node:http').IncomingMessage, res: ServerResponse) => {
      void instance?.handle(req, res);
    };
    const server: Server = tls
      ? (createTlsServer(
          {
            key: tls.key,
            cert: tls.cert,
            ...(tls.ca ? { ca: tls.ca } : {}),
            requestCert: tls.requestCert ?? false,
            rejectUnauthorized: tls.requestCert ?? false,
          },
          listener,
        ) as unknown as Server)
      : createServer(listener);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    instance = new LoopbackServer(server, `${tls ? 'https' : 'http'}://127.0.0.1:${port}`, handler);
    return instance;
  }

  get last(): LoopbackRequest {
    const last = this.requests.at(-1);
    if (!last) throw new Error('loopback: no request received');
    return last;
  }

  async close(): Promise<void> {
    for (const res of this.open) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: import('node:http').IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://loopback');
    const request: LoopbackRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    this.requests.push(request);
    let reply: LoopbackReply;
    try {
      reply = await this.handler(request);
    } catch (error) {
      reply = { status: 500, body: `loopback handler threw: ${String(error)}` };
    }
    if (reply.hang) {
      this.open.add(res);
      res.once('close', () => this.open.delete(res));
      return;
    }
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    if (res.destroyed) return;
    const text =
      reply.body === undefined
        ? ''
        : typeof reply.body === 'string'
          ? reply.body
          : JSON.stringify(reply.body);
    res.writeHead(reply.status, {
      'content-type':
        typeof reply.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
      ...reply.headers,
    });
    res.end(text);
  }
}

/** A port nothing listens on: the OS gave it to us and we let it go. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
