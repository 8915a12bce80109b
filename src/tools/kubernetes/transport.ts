import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { HTTP_LIMITS } from '../http.ts';
import type { KubeCredentials } from './credentials.ts';

/**
 * One HTTP exchange with the Kubernetes API. Injected so tests can answer without a cluster; the
 * default speaks node:https because the API server's own CA and client certificates need TLS
 * options that fetch does not take.
 */
export type KubeRequest = {
  method: 'GET' | 'PATCH';
  /** Path and query, e.g. /apis/apps/v1/namespaces/web/deployments/api?fieldManager=x */
  path: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
};

export type KubeResponse = { status: number; text: string };

export type KubeTransport = (request: KubeRequest) => Promise<KubeResponse>;

export function nodeTransport(credentials: KubeCredentials): KubeTransport {
  const https = credentials.server.protocol === 'https:';
  const agent = https
    ? new HttpsAgent({
        keepAlive: true,
        ...(credentials.ca ? { ca: credentials.ca } : {}),
        ...(credentials.cert ? { cert: credentials.cert } : {}),
        ...(credentials.key ? { key: credentials.key } : {}),
        rejectUnauthorized: !credentials.insecureSkipTlsVerify,
        ...(credentials.tlsServerName ? { servername: credentials.tlsServerName } : {}),
      })
    : new HttpAgent({ keepAlive: true });
  const prefix = credentials.server.pathname.replace(/\/+$/, '');

  return async (req) => {
    const authorization = await credentials.authorization();
    const url = new URL(credentials.server);
    const [pathname, search] = req.path.split('?');
    url.pathname = `${prefix}${pathname}`;
    url.search = search ? `?${search}` : '';
    const send = https ? httpsRequest : httpRequest;
    return new Promise<KubeResponse>((resolve, reject) => {
      const outgoing = send(
        url,
        {
          method: req.method,
          agent,
          signal: req.signal,
          headers: {
            ...req.headers,
            ...(authorization ? { authorization } : {}),
            ...(req.body !== undefined ? { 'content-length': Buffer.byteLength(req.body) } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > HTTP_LIMITS.maxResponseBytes) {
              res.destroy(new Error('the Kubernetes API sent an oversized answer'));
              return;
            }
            chunks.push(chunk);
          });
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', reject);
        },
      );
      outgoing.on('error', reject);
      outgoing.end(req.body);
    });
  };
}
