/**
 * The precision corpus: ordinary log lines that hold no secret. `ordinary-lines.txt` is written
 * by hand (stack traces, access logs, alerts, Kubernetes, databases, words like "token bucket",
 * "passwordless", "author", and the look-alikes gitleaks' own tests list as false positives);
 * `generatedLines` adds lines whose identifiers are random — request ids, SHAs, UUIDs, pod names,
 * object ids, base64 cursors — the values a redactor is most tempted to hide.
 */
import { readFileSync } from 'node:fs';

export function handWrittenLines(): string[] {
  return readFileSync(new URL('./ordinary-lines.txt', import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
}

function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generatedLines(count: number, seed = 7): string[] {
  const random = generator(seed);
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  const chars = (alphabet: string, n: number) =>
    Array.from({ length: n }, () => alphabet[int(alphabet.length)]).join('');
  const hex = (n: number) => chars('0123456789abcdef', n);
  const lowerDigits = (n: number) => chars('abcdefghijklmnopqrstuvwxyz0123456789', n);
  const uuid = () =>
    `${hex(8)}-${hex(4)}-4${hex(3)}-${pick(['8', '9', 'a', 'b'])}${hex(3)}-${hex(12)}`;
  const ip = () => `10.${int(256)}.${int(256)}.${int(256)}`;
  const ts = () =>
    `2024-05-${String(1 + int(28)).padStart(2, '0')}T${String(int(24)).padStart(2, '0')}:${String(int(60)).padStart(2, '0')}:${String(int(60)).padStart(2, '0')}.${String(int(1000)).padStart(3, '0')}Z`;
  const service = () =>
    pick(['payments-api', 'checkout', 'search-index', 'session-api', 'inventory', 'orders']);
  const pod = () => `${service()}-${lowerDigits(9)}-${lowerDigits(5)}`;
  const path = () =>
    pick([
      `/api/v1/orders/${int(99999)}`,
      `/api/v2/users/${uuid()}/sessions`,
      `/healthz`,
      `/static/js/main.${hex(8)}.js`,
      `/v1/search?q=${pick(['shoes', 'red+dress', 'token+ring', 'password+manager'])}&page=${int(9)}`,
      `/graphql`,
    ]);
  const ulid = () => chars('0123456789ABCDEFGHJKMNPQRSTVWXYZ', 26);
  const objectId = () => hex(24);
  const cursor = () => Buffer.from(`{"offset":${int(10000)},"id":${int(1e6)}}`).toString('base64');
  const templates: readonly (() => string)[] = [
    () =>
      `${ip()} - - [01/May/2024:10:${String(int(60)).padStart(2, '0')}:00 +0000] "GET ${path()} HTTP/1.1" ${pick([200, 201, 304, 404, 500, 502])} ${int(90000)} "-" "Mozilla/5.0"`,
    () =>
      `{"ts":"${ts()}","level":"${pick(['info', 'warn', 'error'])}","service":"${service()}","request_id":"${uuid()}","path":"${path()}","duration_ms":${int(4000)}}`,
    () => `${ts()} INFO [${service()}] trace_id=${hex(32)} span_id=${hex(16)} msg="request done"`,
    () =>
      `Normal   Pulled   pod/${pod()}   Container image "registry.example.com/${service()}:1.${int(60)}.${int(9)}" already present`,
    () => `Warning  BackOff  pod/${pod()}  Back-off restarting failed container`,
    () =>
      `commit ${hex(40)} Merge pull request #${int(5000)} from acme/fix-${pick(['token-refresh', 'password-reset', 'auth-timeout', 'key-rotation'])}`,
    () => `deploy ${service()} ${hex(7)} -> ${hex(7)} by ci@acme.example`,
    () => `image digest sha256:${hex(64)} pushed`,
    () =>
      `job ${uuid()} finished in ${int(900)}s (queue=${pick(['default', 'emails', 'reports'])})`,
    () => `mongo: inserted document _id=ObjectId("${objectId()}") into orders`,
    () => `request_id=${ulid()} status=${pick([200, 404, 500])} latency=${int(900)}ms`,
    () => `GraphQL query GetOrders(first: 50, after: "${cursor()}") took ${int(300)}ms`,
    () =>
      `cache ${pick(['hit', 'miss'])} key=${pick(['user', 'order', 'cart'])}:${int(99999)}:${pick(['profile', 'items', 'totals'])} ttl=${int(3600)}`,
    () => `token bucket "${pick(['api-default', 'login', 'search'])}" has ${int(50)} tokens left`,
    () => `rate limit exceeded for ${ip()}: ${int(2000)} requests/min`,
    () =>
      `${ts()} sshd[${int(30000)}]: Failed password for invalid user ${pick(['admin', 'oracle', 'test', 'ubuntu'])} from ${ip()} port ${int(65535)} ssh2`,
    () => `password reset email queued for user_${int(99999)}`,
    () =>
      `author=${pick(['jane.doe', 'bob', 'alice'])} files_changed=${int(40)} insertions=${int(900)}`,
    () => `passwordless sign-in link sent to user_${int(99999)}`,
    () => `x-request-id: ${uuid()}`,
    () => `X-Amzn-Trace-Id: Root=1-${hex(8)}-${hex(24)};Parent=${hex(16)};Sampled=1`,
    () => `s3 PutObject s3://acme-logs/${int(2024)}/${hex(8)}.log.gz ETag "${hex(32)}"`,
    () =>
      `${pick(['ERROR', 'WARN'])} connection to ${service()}.svc:8080 failed: ${pick(['ECONNREFUSED', 'ETIMEDOUT', 'EHOSTUNREACH'])}`,
    () =>
      `k8s event uid=${uuid()} reason=${pick(['Killing', 'Started', 'Unhealthy'])} object=pod/${pod()}`,
    () =>
      `payment pi_${chars('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 24)} status=${pick(['succeeded', 'requires_action', 'canceled'])}`,
    () => `session ${hex(16)} expired after ${int(60)}m`,
    () =>
      `alert ${pick(['HighErrorRate', 'DiskWillFillIn4Hours', 'TargetDown'])} instance=${ip()}:9100 severity=${pick(['page', 'warning'])}`,
    () => `kafka: partition ${service()}-${int(12)} offset ${int(1e7)} lag ${int(5000)}`,
    () => `checksum sha256 ${hex(64)}  release-1.${int(60)}.${int(9)}.tar.gz`,
    () => `api_version=2024-0${1 + int(9)}-1${int(9)} key_id=${uuid()} alg=RS256`,
  ];
  return Array.from({ length: count }, (_, i) =>
    (templates[i % templates.length] as () => string)(),
  );
}
