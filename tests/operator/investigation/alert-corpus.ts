import type { ServerInfo } from '../../../src/tools/backends.ts';

/**
 * Alert messages as real alerting systems post them into a Slack channel, each shaped after the
 * system's published template, notifier source or documented payload (cited per source below;
 * the wording is ours, the shape theirs). Each names the servers a reader would say it is about.
 */

const info = (id: string, service: string | null): ServerInfo => ({
  id,
  service,
  environment: 'prod',
});

/** A fleet written the ways fleets are: short names, FQDNs, EC2 instance ids, multi-word services. */
export const CORPUS_FLEET: ServerInfo[] = [
  info('payment-server-01', 'payments'),
  info('payment-server-02', 'payments'),
  info('web-01.prod.example.com', 'web'),
  info('web-02.prod.example.com', 'web'),
  info('db-node-02', 'orders-db'),
  info('i-0a1b2c3d4e5f67890', 'billing-worker'),
  info('i-0fedcba9876543210', 'billing-worker'),
  info('cart-api-13', 'cart'),
  info('search-index-09', 'search'),
  info('auth-service-03', 'auth'),
  info('redis-cache-01', 'cache'),
  info('kafka-broker-2', 'kafka'),
  info('nginx-edge-01', 'edge'),
];

export type CorpusMessage = {
  source: string;
  text: string;
  /** Every known server the message names (subjects first, then context), sorted. */
  servers: string[];
  /** Of those, the ones named only in description or runbook prose: never restart targets. */
  context?: string[];
  /** Server-shaped names that match nothing known and are reported as such. */
  unknown?: string[];
  /** A recovery message (the alert resolved). */
  resolved?: boolean;
};

export const SOURCES: Record<string, string> = {
  // `__subject`, `__text_alert_list` (" - name = value"), slack.default.title.
  alertmanager: 'https://github.com/prometheus/alertmanager/blob/main/template/default.tmpl',
  // `__subject` with ", RESOLVED:n", `__text_alert_list` with Value/Source/Silence/Dashboard.
  grafana: 'https://github.com/grafana/alerting/blob/main/templates/default_template.go',
  // Issue alerts: title, culprit, tags (server_name, environment, release), issue link.
  sentry:
    'https://github.com/getsentry/sentry/blob/master/src/sentry/integrations/slack/message_builder/issues.py',
  // SNS alarm notification: `ALARM: "<name>" in <region name>`, reason, Dimensions.
  cloudwatch:
    'https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html',
  // Finding types (Threat:Resource/Name), finding details, resource instanceId.
  guardduty: 'https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_finding-types-ec2.html',
  // Default media type message templates: Problem / "Resolved in {EVENT.DURATION}".
  zabbix:
    'https://www.zabbix.com/documentation/current/en/manual/config/notifications/media#media-type-message-templates',
  // "Uptime Kuma Alert", `[<monitor>] [🔴 Down|✅ Up] <msg>`, Message and Time fields.
  uptimeKuma:
    'https://github.com/louislam/uptime-kuma/blob/master/server/notification-providers/slack.js',
  // alarm-notify.sh: `<host> <status message>, <chart> (<family>), <alarm> = <value>`.
  netdata: 'https://github.com/netdata/netdata/tree/master/src/health/notifications/slack',
  // mail-service-notification.sh / Nagios-style "** RECOVERY Service Alert: host/service is OK **".
  icinga:
    'https://github.com/Icinga/icinga2/blob/master/etc/icinga2/scripts/mail-service-notification.sh',
  // Slack alerter: the rule name as subject, the match body ("At least N events occurred…", fields).
  elastalert: 'https://github.com/jertel/elastalert2/blob/master/elastalert/alerters/slack.py',
  // Default rule action message: "Elastic rule '<name>' is active for group '<group>'".
  kibana:
    'https://www.elastic.co/guide/en/kibana/current/observability-create-alerts.html#action-variables',
  // Monitor notifications: "[Triggered on {host:…}]", "[Recovered on {…}]", tag groups.
  datadog: 'https://docs.datadoghq.com/monitors/notify/variables/',
  // Slack sink: "🔥 Prometheus Alert: <name>", resource line, alert labels, "Source: prometheus".
  robusta:
    'https://github.com/robusta-dev/robusta/blob/master/src/robusta/integrations/slack/sender.py',
  // Kubernetes event notifications: "⚠️ v1/pods error", object, namespace, cluster.
  botkube: 'https://github.com/kubeshop/botkube/tree/main/pkg/bot/interactive',
};

export const CORPUS: CorpusMessage[] = [
  // --- Alertmanager ---
  {
    source: 'alertmanager',
    text: '[FIRING:1] HighCPUUsage (payment-server-01:9100 node prod critical)',
    servers: ['payment-server-01'],
  },
  {
    source: 'alertmanager',
    text: '[RESOLVED] InstanceDown (web-01.prod.example.com:9100 node)',
    servers: ['web-01.prod.example.com'],
    resolved: true,
  },
  {
    source: 'alertmanager',
    text: [
      '[FIRING:1] DiskWillFillIn4Hours (db-node-02:9100 node warning)',
      'Labels:',
      ' - alertname = DiskWillFillIn4Hours',
      ' - cluster = prod-eu-1',
      ' - instance = db-node-02:9100',
      ' - region = eu-west-1',
      'Annotations:',
      ' - description = /var/lib/postgresql on db-node-02 fills within 4h; fail over to payment-server-02 per the runbook',
      ' - runbook_url = https://runbooks.prometheus-operator.dev/runbooks/node/nodefilesystemspacefillingup/',
      'Source: http://prometheus-0:9090/graph?g0.expr=predict_linear%28node_filesystem_avail_bytes%5B6h%5D%29',
    ].join('\n'),
    servers: ['db-node-02', 'payment-server-02'],
    context: ['payment-server-02'],
  },
  {
    source: 'alertmanager',
    text: '[FIRING:1] TargetDown (node-exporter prod)\nSource: http://prometheus-0:9090/graph?g0.expr=up%7Bjob%3D%22node-exporter%22%7D+%3D%3D+0',
    servers: [],
  },
  {
    source: 'alertmanager',
    text: [
      '[FIRING:1] ConsumerLag (kafka prod)',
      'Annotations:',
      ' - description = consumers on payment-server-01 fall behind',
      ' - runbook_url = https://wiki.example.com/runbooks/kafka?host=payment-server-02',
    ].join('\n'),
    servers: ['kafka-broker-2', 'payment-server-01'],
    context: ['payment-server-01'],
  },
  {
    source: 'alertmanager',
    text: '[RESOLVED] NodeDown (legacy-app-07:9100 node)',
    servers: [],
    unknown: ['legacy-app-07'],
    resolved: true,
  },
  // --- Grafana ---
  {
    source: 'grafana',
    text: [
      '[FIRING:1] High memory usage (auth-service-03 blue us-1)',
      '**Firing**',
      '',
      'Value: B=95.1, C=1',
      'Labels:',
      ' - alertname = High memory usage',
      ' - instance = auth-service-03',
      ' - team = blue',
      ' - zone = us-1',
      'Annotations:',
      ' - summary = Memory above 90% on auth-service-03',
      'Source: https://grafana.example.com/alerting/grafana/1afz29v7z/view?orgId=1',
      'Silence: https://grafana.example.com/alerting/silence/new?alertmanager=grafana&matchers=alertname%3DHigh+memory+usage%2Cinstance%3Dauth-service-03',
      'Dashboard: https://grafana.example.com/d/node-exporter?orgId=1&var-instance=auth-service-03',
    ].join('\n'),
    servers: ['auth-service-03'],
  },
  {
    source: 'grafana',
    text: '[RESOLVED] DatasourceNoData (search-index-09 search)\n**Resolved**\n\nValue: [no value]\nLabels:\n - alertname = DatasourceNoData\n - instance = search-index-09',
    servers: ['search-index-09'],
    resolved: true,
  },
  {
    source: 'grafana',
    text: [
      '[FIRING:2] NodeHighLoad (prod)',
      '**Firing**',
      '',
      'Value: A=7.2',
      'Labels:',
      ' - alertname = NodeHighLoad',
      ' - instance = web-01:9100',
      '',
      'Value: A=6.9',
      'Labels:',
      ' - alertname = NodeHighLoad',
      ' - instance = web-02:9100',
    ].join('\n'),
    servers: ['web-01.prod.example.com', 'web-02.prod.example.com'],
  },
  {
    source: 'grafana',
    text: '[FIRING:1, RESOLVED:1] Probe failed (blackbox)\n**Firing**\n\nLabels:\n - alertname = Probe failed\n - instance = https://nginx-edge-01.prod.example.com/health\n - job = blackbox',
    servers: ['nginx-edge-01'],
  },
  // --- Sentry ---
  {
    source: 'sentry',
    text: [
      "ConnectionError: HTTPConnectionPool(host='db-node-02', port=5432): Max retries exceeded",
      'payments.tasks.charge in process_payment',
      'server_name: payment-server-02 · environment: production · release: payments@2.4.1',
      'https://acme.sentry.io/issues/4432112/?referrer=slack&notification_uuid=7f3c',
    ].join('\n'),
    servers: ['db-node-02', 'payment-server-02'],
  },
  {
    source: 'sentry',
    text: 'New alert from cart-frontend: Error: Request failed with status code 500\ncart-frontend · production · https://acme.sentry.io/issues/5521/?alert_rule_id=77\nurl: https://shop.example.com/cart?item=search-index-09',
    servers: [],
  },
  {
    source: 'sentry',
    text: 'Critical: High error rate in auth (server_name: auth-service-03)\nerror rate 12% in the last 10 minutes\nhttps://acme.sentry.io/alerts/rules/details/91/?alert=3312',
    servers: ['auth-service-03'],
  },
  // --- CloudWatch ---
  {
    source: 'cloudwatch',
    text: [
      'ALARM: "awsec2-i-0a1b2c3d4e5f67890-High-CPUUtilization" in US East (N. Virginia)',
      'Threshold Crossed: 1 out of the last 1 datapoints [97.5 (05/03/25 09:41:00)] was greater than or equal to the threshold (90.0).',
      'Dimensions: [InstanceId = i-0a1b2c3d4e5f67890]',
      'Region: us-east-1',
    ].join('\n'),
    servers: ['i-0a1b2c3d4e5f67890'],
  },
  {
    source: 'cloudwatch',
    text: 'OK: "awsec2-i-0fedcba9876543210-StatusCheckFailed" in EU (Ireland)\nState Change: ALARM -> OK\nRegion: eu-west-1',
    servers: ['i-0fedcba9876543210'],
    resolved: true,
  },
  {
    source: 'cloudwatch',
    text: 'CloudWatch Alarm | billing-worker-latency | us-east-1 | Account: 123456789012\nState Change: OK -> ALARM\nDimensions: AutoScalingGroupName = billing-worker',
    servers: ['i-0a1b2c3d4e5f67890', 'i-0fedcba9876543210'],
  },
  {
    source: 'cloudwatch',
    text: 'ALARM: "orders-db-CPUUtilization-High" in US West (Oregon)\nThreshold Crossed: 3 datapoints were greater than the threshold (80.0).\nAlarm ARN: arn:aws:cloudwatch:us-west-2:123456789012:alarm:orders-db-CPUUtilization-High',
    servers: ['db-node-02'],
  },
  // --- GuardDuty ---
  {
    source: 'guardduty',
    text: [
      'GuardDuty Finding | UnauthorizedAccess:EC2/SSHBruteForce | eu-west-1 | Severity: 2',
      'i-0a1b2c3d4e5f67890 is performing SSH brute force attacks against 198.51.100.7.',
      'Resource: Instance i-0a1b2c3d4e5f67890 · Account 123456789012',
      'https://console.aws.amazon.com/guardduty/home?region=eu-west-1#/findings?fId=6ab9e1c2',
    ].join('\n'),
    servers: ['i-0a1b2c3d4e5f67890'],
  },
  {
    source: 'guardduty',
    text: 'GuardDuty Finding | Recon:EC2/PortProbeUnprotectedPort | us-east-1 | Severity: 5\nUnprotected port on EC2 instance i-0fedcba9876543210 is being probed.\nResource: Instance i-0fedcba9876543210',
    servers: ['i-0fedcba9876543210'],
  },
  {
    source: 'guardduty',
    text: 'GuardDuty Finding | Recon:IAMUser/MaliciousIPCaller | us-west-2 | Severity: 5\nAPI GetCallerIdentity was invoked from a known malicious IP address 198.51.100.23.',
    servers: [],
  },
  // --- Zabbix ---
  {
    source: 'zabbix',
    text: [
      'Problem: High CPU utilization (over 90% for 5m)',
      'Problem started at 09:41:00 on 2025.03.05',
      'Problem name: High CPU utilization (over 90% for 5m)',
      'Host: payment-server-01',
      'Severity: High',
      'Operational data: Current utilization: 97.5 %',
      'Original problem ID: 4432',
    ].join('\n'),
    servers: ['payment-server-01'],
  },
  {
    source: 'zabbix',
    text: [
      'Resolved in 14m 0s: High CPU utilization (over 90% for 5m)',
      'Problem has been resolved at 09:55:00 on 2025.03.05',
      'Problem duration: 14m 0s',
      'Host: payment-server-01',
      'Original problem ID: 4432',
    ].join('\n'),
    servers: ['payment-server-01'],
    resolved: true,
  },
  {
    source: 'zabbix',
    text: 'Problem: Available memory is below 10%\nHost: redis-cache-01.prod.example.com\nSeverity: Average',
    servers: ['redis-cache-01'],
  },
  {
    source: 'zabbix',
    text: 'Problem: Service "W3SVC" is not running\nHost: WEB-02.PROD.EXAMPLE.COM\nSeverity: High',
    servers: ['web-02.prod.example.com'],
  },
  // --- Uptime Kuma ---
  {
    source: 'uptimeKuma',
    text: 'Uptime Kuma Alert\n[Checkout API] [🔴 Down] connect ECONNREFUSED 10.0.3.17:443\nMessage\n[Checkout API] [🔴 Down] connect ECONNREFUSED 10.0.3.17:443\nTime (UTC)\n2025-03-05 09:41:00',
    servers: [],
  },
  {
    source: 'uptimeKuma',
    text: 'Uptime Kuma Alert\n[nginx-edge-01] [✅ Up] 200 - OK',
    servers: ['nginx-edge-01'],
    resolved: true,
  },
  {
    source: 'uptimeKuma',
    // "Web" is the web service (both its servers); the URL's host names web-02 itself.
    text: 'Uptime Kuma Alert\n[Web front] [🔴 Down] https://web-02.prod.example.com/healthz?probe=1 - Request failed with status code 502',
    servers: ['web-01.prod.example.com', 'web-02.prod.example.com'],
  },
  // --- Netdata ---
  {
    source: 'netdata',
    text: 'kafka-broker-2 is critical, disk_space._var_lib_kafka (/var/lib/kafka), disk_space_usage = 97.3%\ndisk space usage on /var/lib/kafka\nhttps://app.netdata.cloud/spaces/acme/rooms/all-nodes/alerts/disk_space_usage?host=kafka-broker-2',
    servers: ['kafka-broker-2'],
  },
  {
    source: 'netdata',
    text: 'redis-cache-01.prod.example.com recovered, mem.available (system), ram_available = 38.1%',
    servers: ['redis-cache-01'],
    resolved: true,
  },
  {
    source: 'netdata',
    text: 'search-index-09 is warning, elasticsearch.cluster_health_status, health status = yellow (tracked in INC-0042)',
    servers: ['search-index-09'],
  },
  // --- Icinga ---
  {
    source: 'icinga',
    text: [
      '***** Service Monitoring on icinga-master-1 *****',
      'HTTP on web-01.prod.example.com is CRITICAL!',
      'Info: HTTP CRITICAL: HTTP/1.1 503 Service Unavailable - 345 bytes in 0.012 second response time',
      'When: 2025-03-05 09:41:00 +0000',
      'Service: HTTP',
      'Host: web-01.prod.example.com',
      'IPv4: 10.0.1.11',
      'Comment by icingaadmin: see OPS-1234',
    ].join('\n'),
    servers: ['web-01.prod.example.com'],
    unknown: ['icinga-master-1'],
  },
  {
    source: 'icinga',
    text: '** RECOVERY Service Alert: db-node-02/PostgreSQL connections is OK **',
    servers: ['db-node-02'],
    resolved: true,
  },
  {
    source: 'icinga',
    text: 'HOST DOWN: i-0a1b2c3d4e5f67890 is DOWN (CRITICAL - Host Unreachable (10.0.2.44))',
    servers: ['i-0a1b2c3d4e5f67890'],
  },
  // --- ElastAlert ---
  {
    source: 'elastalert',
    text: [
      'Too many 5xx on cart',
      '',
      'At least 50 events occurred between 2025-03-05 09:31 UTC and 2025-03-05 09:41 UTC',
      '',
      '@timestamp: 2025-03-05T09:41:00Z',
      'host.name: cart-api-13',
      'http.response.status_code: 503',
      'url.full: https://shop.example.com/api/cart?session=payment-server-01&retry=1',
      '_index: logs-nginx-2025.03.05',
    ].join('\n'),
    servers: ['cart-api-13'],
  },
  {
    source: 'elastalert',
    text: 'Search errors spike\n\nAt least 20 events occurred between 09:31 and 09:41\n\nbeat.hostname: search-index-09\nmessage: [ERROR] Connection refused: elastic-cluster-main:9200',
    servers: ['search-index-09'],
  },
  {
    source: 'elastalert',
    text: 'Payment gateway errors\n\nhost.hostname: payment-server-01.prod.example.com\nlog.level: error',
    servers: ['payment-server-01'],
  },
  // --- Kibana ---
  {
    source: 'kibana',
    text: "Elastic rule 'Host CPU above 90%' is active for group 'payment-server-02':\n\n- Value: 97.3%\n- Conditions Met: system.cpu.total.norm.pct is greater than 0.9 over 5m\n- Timestamp: 2025-03-05T09:41:00.000Z\n\nhttps://kibana.example.com/app/observability/alerts/7c3d?_g=(time:(from:now-15m))",
    servers: ['payment-server-02'],
  },
  {
    source: 'kibana',
    text: "Elastic rule 'Log threshold' has recovered for group 'auth-service-03'",
    servers: ['auth-service-03'],
    resolved: true,
  },
  // --- Datadog ---
  {
    source: 'datadog',
    text: [
      '[Triggered on {host:web-01}] System load is very high on web-01',
      'system.load.5 over host:web-01 was > 4.0 on average during the last 5m.',
      'Monitor Status: https://app.datadoghq.com/monitors/1234567?group=host%3Aweb-01&from_ts=1741166760000',
      '@slack-ops-alerts',
    ].join('\n'),
    servers: ['web-01.prod.example.com'],
  },
  {
    source: 'datadog',
    text: '[Recovered on {host:i-0fedcba9876543210,env:prod}] Disk space low',
    servers: ['i-0fedcba9876543210'],
    resolved: true,
  },
  {
    source: 'datadog',
    text: '[Triggered on {availability-zone:us-east-1a,host:payment-server-01}] Latency above SLO',
    servers: ['payment-server-01'],
  },
  {
    source: 'datadog',
    text: '[Triggered on {kube_cluster_name:prod-eu-1,kube_deployment:auth}] Auth error rate above 5%',
    servers: ['auth-service-03'],
  },
  // --- Robusta ---
  {
    source: 'robusta',
    text: '🔥 Prometheus Alert: KubePodCrashLooping 🔥\nPod shop/cart-api-13 (app) is in waiting state (reason: "CrashLoopBackOff").\nAlert labels: container: app, namespace: shop, pod: cart-api-13, severity: warning, cluster: prod-eu-1\nSource: prometheus',
    servers: ['cart-api-13'],
  },
  {
    source: 'robusta',
    text: '✅ Prometheus resolved: KubeDeploymentReplicasMismatch\nDeployment shop/cart-api has not matched the expected number of replicas for longer than 15 minutes.\nSource: prometheus',
    servers: [],
    resolved: true,
  },
  // --- Botkube ---
  {
    source: 'botkube',
    text: '⚠️ v1/pods error\nPod cart-api-7d9f8c6b5-x2kqp in namespace shop\nBackOff: Back-off restarting failed container app in pod cart-api-7d9f8c6b5-x2kqp_shop\nCluster: prod-eu-1',
    servers: [],
    unknown: ['cart-api-7d9f8c6b5-x2kqp'],
  },
  {
    source: 'botkube',
    text: '❗ v1/nodes error\nNode worker-node-3\nNodeNotReady: Node worker-node-3 status is now: NodeNotReady\nCluster: prod-eu-1',
    servers: [],
    unknown: ['worker-node-3'],
  },
];
