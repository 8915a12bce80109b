import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Clock } from '../domain/clock.ts';
import { ChangeEntry, toChange } from '../tools/changes/format.ts';
import { CHANGES_WEBHOOK_LIMITS, type ChangeSink } from '../tools/changes/sink.ts';
import { bearerMatches, problemsOf, readBody, sendJson as send } from './json.ts';

const PostedChange = ChangeEntry.extend({ at: ChangeEntry.shape.at.optional() });

/** One change, a list, or { changes: [...] }: whichever the CD system finds easiest to send. */
const Body = z.union([
  PostedChange.transform((c) => [c]),
  z.array(PostedChange),
  z.object({ changes: z.array(PostedChange) }).transform((b) => b.changes),
]);

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
      if (!bearerMatches(req, options.token)) {
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
      const text = await readBody(req, CHANGES_WEBHOOK_LIMITS.maxBodyBytes);
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
          problems: problemsOf(parsed.error),
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
