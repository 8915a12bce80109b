import { terms, type Vocabulary } from './term.ts';

/**
 * nginx (and ingress-nginx): the error-log messages of ngx_http_upstream ("connect() failed (111:
 * Connection refused) while connecting to upstream", "no live upstreams while connecting to
 * upstream", "upstream timed out (110: Connection timed out)", "upstream prematurely closed
 * connection"), of the resolver ("could not be resolved (3: Host not found)", "host not found in
 * upstream"), of SSL ("SSL_do_handshake() failed", "upstream SSL certificate verify error"), of
 * limit_req/limit_conn ("limiting requests, excess"), of config parsing at [emerg] ("unknown
 * directive", "invalid number of arguments", "directive is not allowed here", "configuration file
 * … test failed") and of a reload ("signal 1 (SIGHUP) received, reconfiguring"); ingress-nginx's
 * "Backend successfully reloaded".
 */
export const NGINX: Vocabulary = {
  family: 'nginx and ingress-nginx',
  terms: [
    ...terms('dependency_failure', [
      /\bno live upstreams\b/,
      /\bupstream\b[^\n]{0,60}\b(unavailable|unreachable|timed? ?out|down|refused)\b/i,
      /\bupstream prematurely closed connection\b/,
      /\b(502|503|504)\b[^\n]{0,60}\bupstream\b/i,
    ]),
    ...terms('dns_failure', [
      /\bcould not be resolved \(\d+: [^)]+\)/,
      /\bhost not found in upstream\b/,
    ]),
    ...terms('tls_failure', [
      /\bSSL_do_handshake\(\) failed\b/,
      /\bupstream SSL certificate verify error\b/,
      /\bcannot load certificate\b/,
    ]),
    ...terms('traffic_surge', [
      /\blimiting (requests|connections), excess\b/i,
      /\blimiting connections by zone\b/,
    ]),
    ...terms('resource_exhaustion', [/\bworker_connections are not enough\b/]),
    ...terms('config_error', [
      /\[emerg\][^\n]{0,80}\b(unknown directive|invalid number of arguments|directive is not allowed here|unexpected "[^"]{1,3}"|unexpected end of file|invalid parameter|no "events" section)/,
      /\bconfiguration file \S+ test failed\b/,
    ]),
    ...terms('change_in_logs', [
      /\bsignal 1 \(SIGHUP\) received\b[^\n]{0,40}\breconfiguring\b/,
      /\[notice\] \d+#\d+: reconfiguring\b/,
      /\bBackend successfully reloaded\b|\bConfiguration changes detected, backend reload required\b/,
    ]),
  ],
};

/**
 * Envoy (standalone, Istio, Contour, …): its local-reply bodies ("upstream connect error or
 * disconnect/reset before headers. reset reason: connection failure", "no healthy upstream"), the
 * access-log RESPONSE_FLAGS of the Envoy access-logging documentation (UF upstream connection
 * failure, UH no healthy upstream, URX retries exhausted, UT upstream timeout, UC upstream
 * connection termination, UO overflow; NR no route configured), TLS errors as BoringSSL reports
 * them ("TLS error: … CERTIFICATE_VERIFY_FAILED"), and xDS rejections ("gRPC config for … rejected").
 */
export const ENVOY: Vocabulary = {
  family: 'Envoy and Envoy-based meshes',
  terms: [
    ...terms('dependency_failure', [
      /\bupstream connect error or disconnect\/reset before headers\b/,
      /\bno healthy upstream\b/i,
      /\bupstream request timeout\b/,
      /" (502|503|504) (UF|UH|URX|UT|UC|UO)\b/,
    ]),
    ...terms('config_error', [
      /" (404|503) NR\b/,
      /\bgRPC config for \S+ rejected\b/,
      /\berror initializing configuration\b|\bUnable to parse JSON as proto\b|\bProto constraint validation failed\b/,
    ]),
    ...terms('tls_failure', [/\bTLS error: \d+:SSL routines\b/, /\bCERTIFICATE_VERIFY_FAILED\b/]),
  ],
};

/**
 * HAProxy: the health-check and backend state messages of its management guide ("Server be/web1 is
 * DOWN, reason: Layer4 connection problem", "backend 'be' has no server available!"), the 503 page
 * "No server is available to handle this request", configuration-parser alerts ("parsing
 * [haproxy.cfg:12] : unknown keyword", "Fatal errors found in configuration") and a master-worker
 * reload ("Reloading HAProxy", "Reexecuting Master process").
 */
export const HAPROXY: Vocabulary = {
  family: 'HAProxy',
  terms: [
    ...terms('dependency_failure', [
      /\bServer \S+ is DOWN, reason: Layer[467]\b/,
      /\bhas no server available!/,
      /\bNo server is available to handle this request\b/,
    ]),
    ...terms('config_error', [
      /\bparsing \[[^\]]+:\d+\] : (unknown keyword|unknown directive|missing|'[^']+' expects)/,
      /\bFatal errors found in configuration\b|\bError\(s\) found in configuration file\b/,
    ]),
    ...terms('change_in_logs', [/\bReloading HAProxy\b|\bReexecuting Master process\b/]),
  ],
};
