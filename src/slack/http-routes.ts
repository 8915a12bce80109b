import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import type { Store } from '../store/store.ts';
import type { Metrics } from './metrics.ts';

export type RouteDeps = {
  store: Store;
  metrics: Metrics;
  describe: () => Record<string, unknown>;
  /** Extra routes from configured backends (e.g. POST /changes for the deploy log). */
  extra?: CustomRoute[];
};

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** GET /healthz and GET /metrics, served on PORT in both HTTP and Socket Mode. */
export function httpRoutes(deps: RouteDeps): CustomRoute[] {
  return [
    {
      path: '/healthz',
      method: ['GET'],
      handler: (_req: IncomingMessage, res: ServerResponse) => {
        // A cheap read proves the store answers; a bot that cannot reach its store is not healthy.
        deps.store
          .listAudit({ limit: 1 })
          .then(() => json(res, 200, { status: 'ok', ...deps.describe() }))
          .catch((error: unknown) =>
            json(res, 503, {
              status: 'unhealthy',
              store: String(error instanceof Error ? error.message : error),
            }),
          );
      },
    },
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
