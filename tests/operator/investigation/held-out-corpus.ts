import type { ServerInfo } from '../../../src/tools/backends.ts';
import type { CorpusMessage } from './alert-corpus.ts';

/**
 * A second, held-out-style corpus: alert messages from systems and templates the first corpus
 * (alert-corpus.ts) does not have, each written in the shape its system posts to Slack (its
 * published template, notifier source or documented payload, cited per message; the wording is
 * ours, the shape theirs). The fleet names servers the ways those systems do: EC2 private DNS
 * node names, instance ids, pod names and their workloads, StatefulSet pods, Azure VM and AKS
 * node names, GCE instance names, an IP-addressed scrape target, a Windows host in capitals.
 */

const info = (id: string, service: string | null): ServerInfo => ({
  id,
  service,
  environment: 'prod',
});

export const HELD_OUT_FLEET: ServerInfo[] = [
  info('ip-10-0-12-34.eu-west-1.compute.internal', 'k8s-node'),
  info('ip-10-0-40-7.eu-west-1.compute.internal', 'k8s-node'),
  info('i-0123456789abcdef0', 'checkout-worker'),
  info('checkout-api', 'checkout'),
  info('elasticsearch-master-0', 'elasticsearch'),
  info('app-server-03.internal.acme.io', 'storefront'),
  info('db-primary-01', 'postgres'),
  info('10.0.4.21', 'ingest'),
  info('vm-web-prod-01', 'web'),
  info('prod-api-vm-3', 'api'),
  info('WIN-SQL01', 'mssql'),
  info('aks-nodepool1-12345678-vmss000003', 'aks-node'),
  info('gke-prod-default-pool-1a2b3c4d-x7k2', 'gke-node'),
  info('mail-relay-02', 'mail'),
];

/** Where each system's shape comes from. */
export const HELD_OUT_SOURCES: Record<string, string> = {
  // Slack app incident messages: "Triggered/Acknowledged/Resolved #<n> <title>", Service, Urgency.
  pagerduty: 'https://support.pagerduty.com/main/docs/slack-integration-guide',
  // Slack app alert messages: "New alert created: #<tinyId> <message>", Priority, Tags; "Alert closed".
  opsgenie: 'https://support.atlassian.com/opsgenie/docs/integrate-opsgenie-with-slack-app/',
  // Monitor notification titles: [Triggered]/[Warn]/[Re-Triggered]/[No Data]/[Recovered], {{host.name}}.
  datadog: 'https://docs.datadoghq.com/monitors/notify/variables/',
  // Workflow notifications: "<Priority> priority issue is active", "Issue is closed", impacted entities.
  newrelic: 'https://docs.newrelic.com/docs/alerts/get-notified/notification-message-templates/',
  // notify-service-by-email / notify-host-by-email commands (commands.cfg) and their Slack ports.
  nagios:
    'https://github.com/NagiosEnterprises/nagioscore/blob/master/sample-config/template-object/commands.cfg.in',
  // Zabbix 6+ default "Problem started at … on …" / "Problem has been resolved at …" templates.
  zabbix:
    'https://www.zabbix.com/documentation/current/en/manual/config/notifications/media#media-type-message-templates',
  // Default Slack receiver: `__subject` title, and the community "*Alert:* … *Details:* • *label:* `v`" template.
  alertmanagerSlack: 'https://github.com/prometheus/alertmanager/blob/main/template/default.tmpl',
  // kube-prometheus-stack default rules' annotations and labels (KubePodCrashLooping, TargetDown, …).
  kubePrometheus: 'https://runbooks.prometheus-operator.dev/',
  // Common alert schema (essentials: alertRule, severity, monitorCondition, alertTargetIDs, configurationItems).
  azureMonitor: 'https://learn.microsoft.com/en-us/azure/azure-monitor/alerts/alerts-common-schema',
  // Webhook incident payload (incident_id, resource.labels, state open/closed, summary).
  gcpMonitoring: 'https://cloud.google.com/monitoring/support/notification-options#webhooks',
  // SNS alarm JSON (AlarmName, NewStateValue, OldStateValue, Trigger.Dimensions) posted as is.
  snsCloudwatch:
    'https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html',
  // AWS Chatbot CloudWatch alarm card: "CloudWatch Alarm | <name> | <region> | Account: …".
  awsChatbot: 'https://docs.aws.amazon.com/chatbot/latest/adminguide/related-services.html',
  // Slack alert action default message: "The alert condition for '$name$' was triggered."
  splunk: 'https://splunkbase.splunk.com/app/2878',
  // Slack webhook connection payload: "Sumo Logic Alert: {{TriggerType}}" and its fields.
  sumologic: 'https://help.sumologic.com/docs/alerts/webhook-connections/slack/',
  // Problem notification: "{State} Problem {ProblemID}: {ImpactedEntity}", {ProblemTitle}.
  dynatrace:
    'https://docs.dynatrace.com/docs/analyze-explore-automate/notifications-and-alerting/problem-notifications/slack-integration',
  // Slack alert channel: "<check> has failed / is degraded / has recovered", location.
  checkly: 'https://www.checklyhq.com/docs/alerting-and-retries/alert-channels/#slack',
  // Alert titles "DOWN alert: <check> (<host>) is DOWN" / "UP alert: … is UP".
  pingdom:
    'https://documentation.solarwinds.com/en/success_center/pingdom/content/topics/alerting.htm',
  // "Monitor is DOWN: <name> ( <url> ) - Reason: …" / "Monitor is UP: … It was down for …".
  uptimerobot: 'https://uptimerobot.com/integrations/slack-integration/',
  // "StatusCake Alert: <test> is DOWN/UP".
  statuscake: 'https://www.statuscake.com/kb/knowledge-base/how-to-set-up-slack-alerts/',
  // Uptime incidents: "New incident started: <monitor>", "Incident resolved: <monitor>".
  betterstack: 'https://betterstack.com/docs/uptime/integrations/slack/',
  // templates/integrations/slack_message.json: 'The check "<name>" is DOWN/UP'.
  healthchecks:
    'https://github.com/healthchecks/healthchecks/blob/master/templates/integrations/slack_message.json',
  // Default notification body: event definition title, event source, key, backlog.
  graylog: 'https://go2docs.graylog.org/current/interacting_with_your_log_data/notifications.html',
  // integrations/slack.py: "WAZUH Alert", rule description, full_log, Agent "(id) - name", Location.
  wazuh: 'https://github.com/wazuh/wazuh/blob/master/integrations/slack.py',
  // falcosidekick outputs/slack.go: the rule's output line, then rule, priority, hostname, output fields.
  falco: 'https://github.com/falcosecurity/falcosidekick/blob/master/outputs/slack.go',
  // Monitor Slack notifications: "<alert> - Triggered/Resolved", Severity, Scope and Segment.
  sysdig:
    'https://docs.sysdig.com/en/docs/administration/administration-settings/outbound-integrations/notifications-management/set-up-notification-channels/configure-a-slack-channel/',
  // Error notifications: "[<project>/<env>] <class>: <message>", occurred on the hostname.
  honeybadger: 'https://docs.honeybadger.io/guides/integrations/slack/',
  // Item notifications: "[<project>] <env> - New Error: #<counter> <title>", host.
  rollbar: 'https://docs.rollbar.com/docs/slack',
  // "New error in <project> (<release stage>)", error class and message, device hostname.
  bugsnag: 'https://docs.bugsnag.com/product/integrations/communication/slack/',
  // Slack receiver: `message` "{{ .Message }}" and fields namespace/reason/object; kubelet's pod_namespace(uid).
  kubeEventExporter: 'https://github.com/resmoio/kubernetes-event-exporter#slack',
};

export const HELD_OUT: CorpusMessage[] = [
  // --- PagerDuty ---
  {
    source: 'pagerduty',
    text: 'Triggered #4821 High CPU on app-server-03.internal.acme.io\nService: Storefront Production\nAssigned: Jane Doe\nUrgency: High',
    servers: ['app-server-03.internal.acme.io'],
  },
  {
    source: 'pagerduty',
    text: 'Acknowledged #4821 High CPU on app-server-03.internal.acme.io\nAcknowledged by: Jane Doe\nService: Storefront Production',
    servers: ['app-server-03.internal.acme.io'],
  },
  {
    source: 'pagerduty',
    text: 'Resolved #4821 High CPU on app-server-03.internal.acme.io\nResolved by: Jane Doe\nService: Storefront Production',
    servers: ['app-server-03.internal.acme.io'],
    resolved: true,
  },
  // --- Opsgenie ---
  {
    source: 'opsgenie',
    text: '[Opsgenie] New alert created: #1520 CPU load high on db-primary-01\nPriority: P1\nTags: prod, postgres, OPS-311\nSource: Datadog\nResponders: DBA team',
    servers: ['db-primary-01'],
  },
  {
    source: 'opsgenie',
    text: '[Opsgenie] Alert closed: #1520 CPU load high on db-primary-01\nClosed by: jane.doe',
    servers: ['db-primary-01'],
    resolved: true,
  },
  // --- Datadog (templates the first corpus lacks) ---
  {
    source: 'datadog',
    text: '[Warn on {host:ip-10-0-40-7.eu-west-1.compute.internal,kube_cluster_name:prod-eu-1}] Memory above 85%\nMemory usage on ip-10-0-40-7.eu-west-1.compute.internal is 87.2%.\n@slack-ops-alerts',
    servers: ['ip-10-0-40-7.eu-west-1.compute.internal'],
  },
  {
    source: 'datadog',
    text: '[P2] [Re-Triggered] Disk space low on i-0123456789abcdef0\nhost.name: i-0123456789abcdef0\navailability-zone: eu-west-1b\nRecovered: 0 of 3 checks',
    servers: ['i-0123456789abcdef0'],
  },
  {
    // A multi-alert's count on its second line: still firing.
    source: 'datadog',
    text: '[P1] [Triggered] Service check http.can_connect on app-server-03.internal.acme.io\nRecovered: 0 of 3 hosts\nhost: app-server-03.internal.acme.io',
    servers: ['app-server-03.internal.acme.io'],
  },
  {
    source: 'datadog',
    text: '[P2] [Recovered] Disk space low on i-0123456789abcdef0\nhost.name: i-0123456789abcdef0',
    servers: ['i-0123456789abcdef0'],
    resolved: true,
  },
  {
    source: 'datadog',
    text: '[No Data on {kube_namespace:shop,kube_deployment:checkout-api}] Checkout request rate missing\nNo data for 10m for kube_deployment:checkout-api in kube_namespace:shop',
    servers: ['checkout-api'],
  },
  // --- New Relic ---
  {
    source: 'newrelic',
    text: 'Critical priority issue is active\nHigh CPU on prod-api-vm-3\nImpacted entities: prod-api-vm-3\nCondition: CPU % > 90 for at least 5 minutes\nPolicy: Golden signals - api\nIssue: https://one.newrelic.com/alerts-ai/issues/2f1d3c4b?account=1234567',
    servers: ['prod-api-vm-3'],
  },
  {
    source: 'newrelic',
    text: 'Issue is closed\nHigh CPU on prod-api-vm-3\nImpacted entities: prod-api-vm-3\nDuration: 14 minutes',
    servers: ['prod-api-vm-3'],
    resolved: true,
  },
  // --- Nagios ---
  {
    source: 'nagios',
    text: '***** Nagios *****\nNotification Type: PROBLEM\nService: Disk C:\nHost: WIN-SQL01\nAddress: 10.20.1.15\nState: CRITICAL\nDate/Time: Wed Mar 5 09:41:00 UTC 2025\nAdditional Info:\nC:\\ - total: 120.00 Gb - used: 117.40 Gb (98%)',
    servers: ['WIN-SQL01'],
  },
  {
    source: 'nagios',
    text: '***** Nagios *****\nNotification Type: RECOVERY\nHost: mail-relay-02\nState: UP\nAddress: 10.20.1.22\nInfo: PING OK - Packet loss = 0%, RTA = 0.61 ms',
    servers: ['mail-relay-02'],
    resolved: true,
  },
  {
    source: 'nagios',
    text: '** PROBLEM Service Alert: mail-relay-02/SMTP is CRITICAL **\nconnect to address 10.20.1.22 and port 25: Connection refused',
    servers: ['mail-relay-02'],
  },
  // --- Zabbix 6+ ---
  {
    source: 'zabbix',
    text: 'Problem started at 09:41:00 on 2025.03.05\nProblem name: High memory utilization (>90% for 5m)\nHost: WIN-SQL01\nSeverity: High\nOperational data: 93.1 %\nOriginal problem ID: 884213',
    servers: ['WIN-SQL01'],
  },
  {
    source: 'zabbix',
    text: 'Problem has been resolved at 09:55:00 on 2025.03.05\nProblem name: High memory utilization (>90% for 5m)\nProblem duration: 14m 0s\nHost: WIN-SQL01\nSeverity: High',
    servers: ['WIN-SQL01'],
    resolved: true,
  },
  // --- Alertmanager's Slack receiver and the community template ---
  {
    source: 'alertmanagerSlack',
    text: '[FIRING:1] NodeFilesystemSpaceFillingUp (ext4 /dev/nvme0n1p1 10.0.4.21:9100 node-exporter /var/lib/docker monitoring warning)',
    servers: ['10.0.4.21'],
  },
  {
    source: 'alertmanagerSlack',
    text: [
      '[FIRING:1] KubePodCrashLooping for kube-state-metrics',
      '*Alert:* Pod is crash looping. - `warning`',
      '*Description:* Pod shop/checkout-api-5d8f7b9c6-qwz8x (app) is in waiting state (reason: "CrashLoopBackOff"); it runs on ip-10-0-12-34.eu-west-1.compute.internal',
      '*Graph:* <http://prometheus-k8s-0:9090/graph?g0.expr=kube_pod_container_status_waiting_reason|:chart_with_upwards_trend:> *Runbook:* <https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubepodcrashlooping|:spiral_note_pad:>',
      '*Details:*',
      ' • *alertname:* `KubePodCrashLooping`',
      ' • *container:* `app`',
      ' • *namespace:* `shop`',
      ' • *pod:* `checkout-api-5d8f7b9c6-qwz8x`',
      ' • *prometheus:* `monitoring/k8s`',
      ' • *severity:* `warning`',
    ].join('\n'),
    servers: ['checkout-api', 'ip-10-0-12-34.eu-west-1.compute.internal'],
    context: ['ip-10-0-12-34.eu-west-1.compute.internal'],
  },
  {
    source: 'alertmanagerSlack',
    text: [
      '[RESOLVED] KubePodCrashLooping for kube-state-metrics',
      '*Alert:* Pod is crash looping. - `warning`',
      '*Details:*',
      ' • *namespace:* `shop`',
      ' • *pod:* `checkout-api-5d8f7b9c6-qwz8x`',
    ].join('\n'),
    servers: ['checkout-api'],
    resolved: true,
  },
  // --- kube-prometheus-stack default rules, through the default Slack template ---
  {
    source: 'kubePrometheus',
    text: '[FIRING:1] KubeNodeNotReady (ip-10-0-12-34.eu-west-1.compute.internal kube-state-metrics monitoring warning)\nip-10-0-12-34.eu-west-1.compute.internal has been unready for more than 15 minutes.',
    servers: ['ip-10-0-12-34.eu-west-1.compute.internal'],
  },
  {
    source: 'kubePrometheus',
    text: '[FIRING:1] TargetDown (kube-state-metrics monitoring kube-state-metrics warning)\n100% of the kube-state-metrics/kube-state-metrics targets in monitoring namespace are down.',
    servers: [],
  },
  {
    source: 'kubePrometheus',
    text: '[FIRING:1] KubeStatefulSetReplicasMismatch (logging elasticsearch-master kube-state-metrics warning)\nStatefulSet logging/elasticsearch-master has not matched the expected number of replicas for longer than 15 minutes.\n - pod = elasticsearch-master-0',
    servers: ['elasticsearch-master-0'],
  },
  {
    source: 'kubePrometheus',
    text: '[FIRING:1] CPUThrottlingHigh (app shop checkout-api-5d8f7b9c6-qwz8x info)\n37.5% throttling of CPU in namespace shop for container app in pod checkout-api-5d8f7b9c6-qwz8x.',
    servers: ['checkout-api'],
  },
  {
    source: 'kubePrometheus',
    text: '[FIRING:2] KubeletDown (kubelet kube-system prod-eu-1 critical)\nKubelet has disappeared from Prometheus target discovery.\n - instance = 10.0.4.21:10250\n - metrics_path = /metrics/cadvisor',
    servers: ['10.0.4.21'],
  },
  // --- Azure Monitor common alert schema ---
  {
    source: 'azureMonitor',
    text: 'Fired:Sev2 Azure Monitor Alert High CPU on vm-web-prod-01 (microsoft.compute/virtualmachines) at 3/5/2025 9:41:00 AM\nalertRule: High CPU on web tier\nseverity: Sev2\nmonitorCondition: Fired\nalertTargetIDs: /subscriptions/3b1c2d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d/resourceGroups/rg-prod-01/providers/Microsoft.Compute/virtualMachines/vm-web-prod-01\nconfigurationItems: vm-web-prod-01',
    servers: ['vm-web-prod-01'],
  },
  {
    source: 'azureMonitor',
    text: '{"schemaId":"azureMonitorCommonAlertSchema","data":{"essentials":{"alertId":"/subscriptions/3b1c2d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d/providers/Microsoft.AlertsManagement/alerts/b9569717-bc32-442f-add5-83a997729330","alertRule":"Node CPU high","severity":"Sev3","signalType":"Metric","monitorCondition":"Resolved","monitoringService":"Platform","alertTargetIDs":["/subscriptions/3b1c2d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d/resourcegroups/mc_rg-aks-prod-01_aks-prod-01_westeurope/providers/microsoft.compute/virtualmachinescalesets/aks-nodepool1-12345678-vmss/virtualmachines/3"],"configurationItems":["aks-nodepool1-12345678-vmss000003"],"originAlertId":"3b1c2d4e_rg-aks-prod-01_microsoft.insights_metricAlerts_Node CPU high_-1170112025","firedDateTime":"2025-03-05T09:41:00.000Z","resolvedDateTime":"2025-03-05T09:56:00.000Z"}}}',
    servers: ['aks-nodepool1-12345678-vmss000003'],
    resolved: true,
  },
  // --- Google Cloud Monitoring ---
  {
    source: 'gcpMonitoring',
    text: '{"incident":{"incident_id":"0.lsnwib31sglo","resource_id":"","resource_name":"prod-api-vm-3 VM Instance","resource":{"type":"gce_instance","labels":{"instance_id":"4417830145589371234","project_id":"acme-prod-1234","zone":"europe-west1-b"}},"resource_display_name":"prod-api-vm-3","metric":{"type":"compute.googleapis.com/instance/cpu/utilization","displayName":"CPU utilization"},"started_at":1741167660,"policy_name":"VM CPU above 90%","condition_name":"VM Instance - CPU utilization","url":"https://console.cloud.google.com/monitoring/alerting/incidents/0.lsnwib31sglo?project=acme-prod-1234","state":"open","ended_at":null,"summary":"CPU utilization for acme-prod-1234 prod-api-vm-3 with metric labels {instance_name=prod-api-vm-3} is above the threshold of 0.900 with a value of 0.973."},"version":"1.2"}',
    servers: ['prod-api-vm-3'],
  },
  {
    source: 'gcpMonitoring',
    text: '{"incident":{"incident_id":"0.lsnwib31sglo","resource_name":"prod-api-vm-3 VM Instance","resource":{"type":"gce_instance","labels":{"project_id":"acme-prod-1234","zone":"europe-west1-b"}},"resource_display_name":"prod-api-vm-3","policy_name":"VM CPU above 90%","state":"closed","ended_at":1741168500,"summary":"CPU utilization for acme-prod-1234 prod-api-vm-3 returned to normal with a value of 0.412."},"version":"1.2"}',
    servers: ['prod-api-vm-3'],
    resolved: true,
  },
  {
    source: 'gcpMonitoring',
    text: 'Incident #0.mx3o3twuq8gg is ongoing for policy GKE node memory high\nk8s_node gke-prod-default-pool-1a2b3c4d-x7k2 in projects/acme-prod-1234 (cluster prod-gke-1, location europe-west1)\nMemory allocatable utilization is above the threshold of 0.95 with a value of 0.981.',
    servers: ['gke-prod-default-pool-1a2b3c4d-x7k2'],
  },
  // --- SNS CloudWatch alarm JSON posted as is ---
  {
    source: 'snsCloudwatch',
    text: '{"AlarmName":"awsec2-i-0123456789abcdef0-High-CPUUtilization","AlarmDescription":null,"AWSAccountId":"123456789012","NewStateValue":"ALARM","NewStateReason":"Threshold Crossed: 1 datapoint [92.3 (05/03/25 09:41:00)] was greater than or equal to the threshold (80.0).","StateChangeTime":"2025-03-05T09:41:00.000+0000","Region":"EU (Ireland)","AlarmArn":"arn:aws:cloudwatch:eu-west-1:123456789012:alarm:awsec2-i-0123456789abcdef0-High-CPUUtilization","OldStateValue":"OK","Trigger":{"MetricName":"CPUUtilization","Namespace":"AWS/EC2","StatisticType":"Statistic","Statistic":"AVERAGE","Unit":null,"Dimensions":[{"value":"i-0123456789abcdef0","name":"InstanceId"}],"Period":300,"EvaluationPeriods":1,"ComparisonOperator":"GreaterThanOrEqualToThreshold","Threshold":80.0}}',
    servers: ['i-0123456789abcdef0'],
  },
  {
    source: 'snsCloudwatch',
    text: [
      '{',
      '  "AlarmName": "db-primary-01-FreeStorageSpace-Low",',
      '  "NewStateValue": "OK",',
      '  "NewStateReason": "Threshold Crossed: 1 datapoint [21474836480.0 (05/03/25 09:56:00)] was not less than the threshold (10737418240.0).",',
      '  "Region": "US East (N. Virginia)",',
      '  "OldStateValue": "ALARM",',
      '  "Trigger": {',
      '    "MetricName": "FreeStorageSpace",',
      '    "Namespace": "AWS/RDS",',
      '    "Dimensions": [{ "value": "db-primary-01", "name": "DBInstanceIdentifier" }]',
      '  }',
      '}',
    ].join('\n'),
    servers: ['db-primary-01'],
    resolved: true,
  },
  {
    // Firing, though its state line names OK first (OldStateValue and "OK -> ALARM").
    source: 'snsCloudwatch',
    text: 'ALARM: "awsec2-i-0123456789abcdef0-StatusCheckFailed" in EU (Ireland)\nState Change: OK -> ALARM\nNewStateValue: ALARM\nOldStateValue: OK\nDimensions: InstanceId = i-0123456789abcdef0',
    servers: ['i-0123456789abcdef0'],
  },
  // --- AWS Chatbot ---
  {
    source: 'awsChatbot',
    text: 'CloudWatch Alarm | checkout-worker-queue-depth | eu-west-1 | Account: 123456789012\nState Change: OK -> ALARM\nReason: Threshold Crossed: 5 datapoints were greater than the threshold (1000.0)\nDimensions: QueueName = checkout-worker-jobs-prod-2',
    servers: ['i-0123456789abcdef0'],
  },
  // --- Splunk ---
  {
    source: 'splunk',
    text: "Splunk Alert: 5xx spike on storefront\nThe alert condition for '5xx spike on storefront' was triggered.\nhost: app-server-03.internal.acme.io\nsourcetype: access_combined\ncount: 412",
    servers: ['app-server-03.internal.acme.io'],
  },
  // --- Sumo Logic ---
  {
    source: 'sumologic',
    text: 'Sumo Logic Alert: Critical\nAlert Name: Postgres connection errors\nDescription: More than 50 connection errors in 5 minutes\nQuery: _sourceCategory=prod/db _sourceHost=db-primary-01 "connection refused"\nTime Range: -5m\nTrigger Time: 2025-03-05 09:41:00 UTC',
    servers: ['db-primary-01'],
  },
  {
    source: 'sumologic',
    text: 'Sumo Logic Alert: ResolvedCritical\nAlert Name: Postgres connection errors\nQuery: _sourceCategory=prod/db _sourceHost=db-primary-01 "connection refused"',
    servers: ['db-primary-01'],
    resolved: true,
  },
  // --- Dynatrace ---
  {
    source: 'dynatrace',
    text: 'OPEN Problem P-250312: ip-10-0-40-7.eu-west-1.compute.internal\nProblem title: CPU saturation\nImpact: INFRASTRUCTURE\nSeverity: RESOURCE_CONTENTION\nHost: ip-10-0-40-7.eu-west-1.compute.internal\nProcess group: checkout-api',
    servers: ['ip-10-0-40-7.eu-west-1.compute.internal', 'checkout-api'],
  },
  {
    source: 'dynatrace',
    text: 'RESOLVED Problem P-250312: ip-10-0-40-7.eu-west-1.compute.internal\nProblem title: CPU saturation',
    servers: ['ip-10-0-40-7.eu-west-1.compute.internal'],
    resolved: true,
  },
  // --- Checkly ---
  {
    source: 'checkly',
    text: 'Checkly: API check "Storefront health" has failed\nLocation: eu-central-1\nResponse: 503 from https://app-server-03.internal.acme.io/api/health',
    servers: ['app-server-03.internal.acme.io'],
  },
  {
    source: 'checkly',
    text: 'Checkly: API check "Storefront health" has recovered\nLocation: eu-central-1',
    // The check is named after the service (storefront): its servers, as a reader would take it.
    servers: ['app-server-03.internal.acme.io'],
    resolved: true,
  },
  // --- Pingdom ---
  {
    source: 'pingdom',
    text: 'DOWN alert: mail-relay-02 SMTP (mail-relay-02:25) is DOWN\nReason: Connection timed out',
    servers: ['mail-relay-02'],
  },
  {
    source: 'pingdom',
    text: 'UP alert: mail-relay-02 SMTP (mail-relay-02:25) is UP again after 6 minutes of downtime',
    servers: ['mail-relay-02'],
    resolved: true,
  },
  // --- UptimeRobot ---
  {
    source: 'uptimerobot',
    text: 'Monitor is DOWN: Storefront ( https://app-server-03.internal.acme.io/ ) - Reason: HTTP 502 - Bad Gateway',
    servers: ['app-server-03.internal.acme.io'],
  },
  {
    source: 'uptimerobot',
    text: 'Monitor is UP: Storefront ( https://app-server-03.internal.acme.io/ ). It was down for 3 minutes and 12 seconds.',
    servers: ['app-server-03.internal.acme.io'],
    resolved: true,
  },
  // --- StatusCake ---
  {
    source: 'statuscake',
    text: 'StatusCake Alert: vm-web-prod-01 homepage is DOWN\nStatus code: 500\nLocation: UK, London',
    servers: ['vm-web-prod-01'],
  },
  {
    source: 'statuscake',
    text: 'StatusCake Alert: vm-web-prod-01 homepage is UP\nDowntime: 4 minutes',
    servers: ['vm-web-prod-01'],
    resolved: true,
  },
  // --- Better Stack ---
  {
    source: 'betterstack',
    text: 'New incident started: prod-api-vm-3 /healthz\nCause: Status 500\nMonitor: https://status.acme.io/monitors/1234567',
    servers: ['prod-api-vm-3'],
  },
  {
    source: 'betterstack',
    text: 'Incident resolved: prod-api-vm-3 /healthz\nResolved automatically after 6 minutes',
    servers: ['prod-api-vm-3'],
    resolved: true,
  },
  // --- Healthchecks.io ---
  {
    source: 'healthchecks',
    text: 'The check "db-primary-01 nightly backup" is *DOWN*.\nLast ping: 26 hours ago\nSchedule: 0 3 * * *',
    servers: ['db-primary-01'],
  },
  {
    source: 'healthchecks',
    text: 'The check "db-primary-01 nightly backup" is *UP*.\nLast ping: just now',
    servers: ['db-primary-01'],
    resolved: true,
  },
  // --- Graylog ---
  {
    source: 'graylog',
    text: '--- [Event Definition] ---------------------------\nTitle: SSH brute force\nType: aggregation-v1\n--- [Event] --------------------------------------\nTimestamp: 2025-03-05T09:41:00.000Z\nMessage: SSH brute force: count()=57.0\nSource: graylog-01\nKey: mail-relay-02\nPriority: 2\nAlert: true\n--- [Backlog] ------------------------------------\nLast messages accounting for this alert:\nmail-relay-02 sshd[2231]: Failed password for root from 203.0.113.5 port 51234 ssh2',
    // The host is only the event's group-by Key and the backlog: context (a bare "Key" is too
    // generic to mean a host); "Source" is the Graylog node that raised it, unknown to the fleet.
    servers: ['mail-relay-02'],
    context: ['mail-relay-02'],
    unknown: ['graylog-01'],
  },
  // --- Wazuh ---
  {
    source: 'wazuh',
    text: 'WAZUH Alert\nsshd: Attempt to login using a non-existent user\nMar  5 09:41:00 app-server-03 sshd[2231]: Invalid user admin from 203.0.113.5 port 51234\nAgent: (003) - app-server-03\nLocation: /var/log/auth.log\nRule ID: 5710 (Level 5)',
    servers: ['app-server-03.internal.acme.io'],
  },
  // --- Falco (falcosidekick) ---
  {
    source: 'falco',
    text: [
      '09:41:00.123456789: Notice A shell was spawned in a container with an attached terminal (user=root user_loginuid=-1 k8s.ns=shop k8s.pod=checkout-api-5d8f7b9c6-qwz8x container=8f2a1c3d4e5f shell=bash parent=runc cmdline=bash terminal=34816 container_id=8f2a1c3d4e5f image=acme/checkout)',
      'rule: Terminal shell in container',
      'priority: Notice',
      'source: syscall',
      'hostname: ip-10-0-12-34.eu-west-1.compute.internal',
      'k8s.ns.name: shop',
      'k8s.pod.name: checkout-api-5d8f7b9c6-qwz8x',
      'tags: container, mitre_execution, shell',
    ].join('\n'),
    servers: ['checkout-api', 'ip-10-0-12-34.eu-west-1.compute.internal'],
  },
  // --- Sysdig ---
  {
    source: 'sysdig',
    text: "Sysdig Monitor Alert: High CPU usage - Triggered\nSeverity: High\nScope: kube_cluster_name = 'prod-eu-1' and host.hostName = 'ip-10-0-40-7.eu-west-1.compute.internal'\nSegment: host.hostName = 'ip-10-0-40-7.eu-west-1.compute.internal'",
    servers: ['ip-10-0-40-7.eu-west-1.compute.internal'],
  },
  {
    source: 'sysdig',
    text: "Sysdig Monitor Alert: High CPU usage - Resolved\nSegment: host.hostName = 'ip-10-0-40-7.eu-west-1.compute.internal'",
    servers: ['ip-10-0-40-7.eu-west-1.compute.internal'],
    resolved: true,
  },
  // --- Honeybadger, Rollbar, Bugsnag ---
  {
    source: 'honeybadger',
    text: "[Storefront/production] NoMethodError: undefined method `total' for nil:NilClass\nOccurred in OrdersController#create\nHostname: app-server-03\nhttps://app.honeybadger.io/projects/12345/faults/67890",
    servers: ['app-server-03.internal.acme.io'],
  },
  {
    source: 'rollbar',
    text: "[storefront-web] production - New Error: #1234 TypeError: Cannot read properties of undefined (reading 'id')\nhost: app-server-03.internal.acme.io\ncode_version: 4f2a9c1",
    servers: ['app-server-03.internal.acme.io'],
  },
  {
    source: 'bugsnag',
    text: "New error in storefront-web (production)\nNoMethodError in OrdersController#create\nundefined method `total' for nil:NilClass\nhostname: app-server-03.internal.acme.io\nrelease: v2.4.1-build-88",
    servers: ['app-server-03.internal.acme.io'],
  },
  // --- Kubernetes Event Exporter ---
  {
    source: 'kubeEventExporter',
    text: 'Received a Kubernetes Event Back-off restarting failed container app in pod checkout-api-5d8f7b9c6-qwz8x_shop(0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d)\nnamespace: shop\nreason: BackOff\nobject: checkout-api-5d8f7b9c6-qwz8x',
    servers: ['checkout-api'],
  },
  {
    source: 'kubeEventExporter',
    text: 'Received a Kubernetes Event Readiness probe failed: HTTP probe failed with statuscode: 503\nnamespace: logging\nreason: Unhealthy\nobject: elasticsearch-master-0',
    servers: ['elasticsearch-master-0'],
  },
];
