import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Metrics } from '../metrics.ts';
import type { Store } from '../store/ports.ts';
import { sendJson as json } from './json.ts';
import type { StoreReadiness } from './readiness.ts';

/** One HTTP route beside the chat platform's own (Bolt mounts these as its custom routes). */
export type HttpRoute = {
  path: string;
  method: string[];
  handler: (req: IncomingMessage, res: ServerResponse) => void;
};

export type RouteDeps = {
  store: Pick<Store, 'audit'>;
  metrics: Metrics;
  describe: () => Record<string, unknown>;
  /** GET /readyz: whether the store takes writes (a write probe). Without it, /readyz is not served. */
  readiness?: Pick<StoreReadiness, 'probe'>;
  /** Extra routes from configured backends (e.g. POST /changes for the deploy log). */
  extra?: HttpRoute[];
};

/**
 * GET /healthz (liveness: the process answers and its store reads), GET /readyz (readiness: the
 * store takes writes, so requests can be acknowledged) and GET /metrics, on PORT in both HTTP and
 * Socket Mode.
 */
export function httpRoutes(deps: RouteDeps): HttpRoute[] {
  const { readiness } = deps;
  return [
    {
      path: '/healthz',
      method: ['GET'],
      handler: (_req: IncomingMessage, res: ServerResponse) => {
        // A cheap read proves the store answers; a bot that cannot reach its store is not healthy.
        deps.store.audit
          .list({ limit: 1 })
          .then(() => json(res, 200, { status: 'ok', ...deps.describe() }))
          .catch((error: unknown) =>
            json(res, 503, {
              status: 'unhealthy',
              store: String(error instanceof Error ? error.message : error),
            }),
          );
      },
    },
    ...(readiness
      ? [
          {
            path: '/readyz',
            method: ['GET'],
            handler: (_req: IncomingMessage, res: ServerResponse) => {
              readiness
                .probe()
                .then((result) =>
                  result.ok
                    ? json(res, 200, { status: 'ready', store: 'writable' })
                    : json(res, 503, { status: 'not_ready', store: result.error }),
                )
                .catch((error: unknown) =>
                  json(res, 503, { status: 'not_ready', store: String(error) }),
                );
            },
          },
        ]
      : []),
    {
      path: '/metrics',
      method: ['GET'],
      handler: (_req: IncomingMessage, res: ServerResponse) => {
        deps.metrics.registry
          .metrics()
          .then((text) =>
            res.writeHead(200, { 'content-type': deps.metrics.registry.contentType }).end(text),
          )
          .catch((error: unknown) => res.writeHead(500).end(String(error)));
      },
    },
    ...(deps.extra ?? []),
  ];
}
