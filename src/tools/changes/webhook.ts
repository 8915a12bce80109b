import { createHash, timingSafeEqual } from 'node:crypto';
import { appendFile, mkdir, open } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { Clock } from '../../domain/clock.ts';
import type { Change } from '../../domain/evidence.ts';
import { ChangeEntry, toChange } from './format.ts';

/** Where posted changes go. The JSON-lines file sink is the one the deploy-log backend reads. */
export interface ChangeSink {
  append(changes: readonly Change[]): Promise<void>;
}

export const CHANGES_WEBHOOK_LIMITS = {
  maxBodyBytes: 64 * 1024,
  maxChangesPerRequest: 100,
} as const;

/** Appends one JSON line per change. Appends are queued so concurrent posts never interleave. */
export class JsonLinesChangeSink implements ChangeSink {
  readonly file: string;
  private queue: Promise<void> = Promise.resolve();

  constructor(file: string) {
    this.file = file;
  }

  /** Creates the file (and its folder) if missing, so the deploy log reads "no changes", not "no file". */
  async ensure(): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true });
    const handle = await open(this.file, 'a');
    await handle.close();
  }

  append(changes: readonly Change[]): Promise<void> {
    const text = changes.map((c) => `${JSON.stringify(c)}\n`).join('');
    const next = this.queue.then(() => appendFile(this.file, text, 'utf8'));
    // A failed append must fail its own request, not every later one.
    this.queue = next.catch(() => {});
    return next;
  }
}

const PostedChange = ChangeEntry.extend({ at: ChangeEntry.shape.at.optional() });

/** One change, a list, or { changes: [...] }: whichever the CD system finds easiest to send. */
const Body = z.union([
  PostedChange.transform((c) => [c]),
  z.array(PostedChange),
  z.object({ changes: z.array(PostedChange) }).transform((b) => b.changes),
]);

function send(res: ServerResponse, status: number, body: Record<string, unknown>, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** Compares via fixed-length digests: the time taken says nothing about the token. */
function tokenMatches(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** The body, or null when too large. An oversized body is drained (so the 413 reaches the sender) up to a point. */
async function readBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > CHANGES_WEBHOOK_LIMITS.maxBodyBytes * 16) {
      req.destroy();
      return null;
    }
    if (size <= CHANGES_WEBHOOK_LIMITS.maxBodyBytes) chunks.push(buffer);
  }
  return size > CHANGES_WEBHOOK_LIMITS.maxBodyBytes ? null : Buffer.concat(chunks).toString('utf8');
}

/** Pulls the first message of each failing field, naming the entry when a list was posted. */
function problems(error: z.ZodError): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  const visit = (issues: readonly z.core.$ZodIssue[]) => {
    for (const issue of issues) {
      if (issue.code === 'invalid_union') {
        // The union tried three shapes; the errors of the closest (fewest problems) are the useful ones.
        const closest = [...issue.errors].sort((a, b) => a.length - b.length)[0];
        if (closest) visit(closest.map((i) => ({ ...i, path: [...issue.path, ...i.path] })));
        continue;
      }
      const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`));
      const line = `${path.join('').replace(/^\./, '') || 'body'}: ${issue.message}`;
      if (!seen.has(line)) out.push(line);
      seen.add(line);
    }
  };
  visit(error.issues);
  return out;
}

export type ChangesWebhookOptions = {
  /** CHANGES_WEBHOOK_TOKEN: the bearer token the CD system sends. */
  token: string;
  sink: ChangeSink;
  clock: Clock;
};

/**
 * The handler for `POST /changes`: a CD system reports a deploy or config change. Bearer-token
 * authenticated, size-bounded and validated; answers 202 with how many changes were recorded.
 * Mounted by the HTTP server; it never throws.
 */
export function createChangesWebhook(
  options: ChangesWebhookOptions,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    try {
      if (req.method !== 'POST') {
        send(res, 405, { error: 'use POST' }, { allow: 'POST' });
        return;
      }
      const auth = req.headers.authorization ?? '';
      const match = /^Bearer\s+(.+)$/i.exec(auth);
      if (!match?.[1] || !tokenMatches(match[1].trim(), options.token)) {
        send(
          res,
          401,
          {
            error: 'missing or wrong bearer token (Authorization: Bearer <CHANGES_WEBHOOK_TOKEN>)',
          },
          { 'www-authenticate': 'Bearer' },
        );
        return;
      }
      if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
        send(res, 415, { error: 'send Content-Type: application/json' });
        return;
      }
      const text = await readBody(req);
      if (text === null) {
        send(res, 413, {
          error: `body larger than ${CHANGES_WEBHOOK_LIMITS.maxBodyBytes} bytes`,
        });
        return;
      }
      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch {
        send(res, 400, { error: 'body is not JSON' });
        return;
      }
      const parsed = Body.safeParse(data);
      if (!parsed.success) {
        send(res, 422, {
          error:
            'not a change: send { service, description, at?, author? }, a list of them, or { changes: [...] }',
          problems: problems(parsed.error),
        });
        return;
      }
      if (
        parsed.data.length === 0 ||
        parsed.data.length > CHANGES_WEBHOOK_LIMITS.maxChangesPerRequest
      ) {
        send(res, 422, {
          error: `send 1 to ${CHANGES_WEBHOOK_LIMITS.maxChangesPerRequest} changes per request`,
        });
        return;
      }
      const at = options.clock.now().toISOString();
      const changes = parsed.data.map((c) => toChange({ ...c, at: c.at ?? at }));
      try {
        await options.sink.append(changes);
      } catch {
        send(res, 500, { error: 'could not record the change; nothing was recorded, retry later' });
        return;
      }
      send(res, 202, { recorded: changes.length });
    } catch {
      if (!res.headersSent) send(res, 500, { error: 'internal error' });
      else res.end();
    }
  };
}
