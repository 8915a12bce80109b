import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Slack's side of Socket Mode, on the fake's HTTP server: a minimal WebSocket endpoint (RFC 6455
 * text, ping/pong and close frames) that says hello, delivers envelopes and records the acks.
 */

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

function frame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const header =
    length < 126
      ? Buffer.from([0x80 | opcode, length])
      : length < 65_536
        ? Buffer.from([0x80 | opcode, 126, length >> 8, length & 0xff])
        : Buffer.concat([
            Buffer.from([0x80 | opcode, 127]),
            (() => {
              const b = Buffer.alloc(8);
              b.writeBigUInt64BE(BigInt(length));
              return b;
            })(),
          ]);
  return Buffer.concat([header, payload]);
}

/** Parses as many complete client frames (always masked) as the buffer holds. */
function parseFrames(buffer: Buffer): {
  frames: { opcode: number; payload: Buffer }[];
  rest: Buffer;
} {
  const frames: { opcode: number; payload: Buffer }[] = [];
  let offset = 0;
  while (buffer.length - offset >= 2) {
    const opcode = (buffer[offset] ?? 0) & 0x0f;
    const second = buffer[offset + 1] ?? 0;
    let length = second & 0x7f;
    let at = offset + 2;
    if (length === 126) {
      if (buffer.length < at + 2) break;
      length = buffer.readUInt16BE(at);
      at += 2;
    } else if (length === 127) {
      if (buffer.length < at + 8) break;
      length = Number(buffer.readBigUInt64BE(at));
      at += 8;
    }
    const masked = (second & 0x80) !== 0;
    const maskLength = masked ? 4 : 0;
    if (buffer.length < at + maskLength + length) break;
    const mask = buffer.subarray(at, at + maskLength);
    const payload = Buffer.from(buffer.subarray(at + maskLength, at + maskLength + length));
    if (masked)
      for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] ?? 0) ^ (mask[i % 4] ?? 0);
    frames.push({ opcode, payload });
    offset = at + maskLength + length;
  }
  return { frames, rest: buffer.subarray(offset) };
}

export class FakeSocketMode {
  /** Acks the bot sent back, by envelope id. */
  readonly acks = new Map<string, unknown>();
  private socket: Duplex | null = null;
  private connected: Promise<void>;
  private onConnected: () => void = () => {};

  constructor(server: Server, path: string) {
    this.connected = new Promise((resolve) => {
      this.onConnected = resolve;
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
      if (!req.url?.startsWith(path)) {
        socket.destroy();
        return;
      }
      const key = String(req.headers['sec-websocket-key']);
      const accept = createHash('sha1')
        .update(key + GUID)
        .digest('base64');
      socket.write(
        `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
      );
      this.socket = socket;
      let pending: Buffer = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        const { frames, rest } = parseFrames(Buffer.concat([pending, chunk]));
        pending = rest;
        for (const f of frames) this.receive(socket, f.opcode, f.payload);
      });
      socket.on('error', () => {});
      this.sendJson({ type: 'hello', num_connections: 1, debug_info: { host: 'fake' } });
      this.onConnected();
    });
  }

  /** Resolves once the bot has connected. */
  whenConnected(): Promise<void> {
    return this.connected;
  }

  private receive(socket: Duplex, opcode: number, payload: Buffer): void {
    if (opcode === 0x9) socket.write(frame(0xa, payload));
    else if (opcode === 0x8) socket.end(frame(0x8, Buffer.alloc(0)));
    else if (opcode === 0x1) {
      const message = JSON.parse(payload.toString('utf8')) as {
        envelope_id?: string;
        payload?: unknown;
      };
      if (message.envelope_id) this.acks.set(message.envelope_id, message.payload ?? {});
    }
  }

  private sendJson(value: unknown): void {
    this.socket?.write(frame(0x1, Buffer.from(JSON.stringify(value))));
  }

  /** Delivers an envelope as Slack does; resolves to its id, to wait for the ack. */
  deliver(type: 'events_api' | 'slash_commands' | 'interactive', payload: unknown): string {
    const envelopeId = randomUUID();
    this.sendJson({
      envelope_id: envelopeId,
      type,
      payload,
      accepts_response_payload: type !== 'events_api',
      retry_attempt: 0,
    });
    return envelopeId;
  }

  close(): void {
    this.socket?.destroy();
  }
}
