import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';

/** What every JSON endpoint beside Slack's needs: answers, a bearer check, a bounded body, zod problems. */

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** Whether `Authorization: Bearer …` carries the token, compared via fixed-length digests so the time taken says nothing about it. */
export function bearerMatches(req: IncomingMessage, expected: string): boolean {
  const given = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim();
  if (!given) return false;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * The body as text, or null when larger than `maxBytes`. An oversized body is drained up to a
 * point (so the 413 reaches the sender), then the connection is cut.
 */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maxBytes * 4) {
      req.destroy();
      return null;
    }
    if (size <= maxBytes) chunks.push(buffer);
  }
  return size > maxBytes ? null : Buffer.concat(chunks).toString('utf8');
}

/** Each failing field once, as `alerts[0].labels: …`; for a union, the closest shape's problems. */
export function problemsOf(error: z.ZodError, limit = 20): string[] {
  const out = new Set<string>();
  const visit = (issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[]) => {
    for (const issue of issues) {
      const path = [...prefix, ...issue.path];
      if (issue.code === 'invalid_union') {
        const closest = [...issue.errors].sort((a, b) => a.length - b.length)[0];
        if (closest) visit(closest, path);
        continue;
      }
      const where = path
        .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
        .join('')
        .replace(/^\./, '');
      out.add(`${where || 'body'}: ${issue.message}`);
    }
  };
  visit(error.issues, []);
  return [...out].slice(0, limit);
}
