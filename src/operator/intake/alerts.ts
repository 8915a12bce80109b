/**
 * What an alert says about itself when it arrives as text (an integration posting into an alert
 * channel): whether it fires or has resolved. Read from its title lines only, in the words the
 * alerting systems' own templates use, so a firing alert that mentions "OK" stays firing.
 */

export type AlertStatus = 'firing' | 'resolved';

/** Recovery titles, each as an alerting system writes it. */
const RESOLVED_TITLES: readonly RegExp[] = [
  // Alertmanager and Grafana `__subject`: "[RESOLVED] …" (a mixed "[FIRING:1, RESOLVED:1]" fires).
  /^\W*\[(?:RESOLVED|RECOVERED|RECOVERY|OK)(?::\d+)?\]/i,
  // Datadog: "[Recovered on {host:…}] …", "[Recovered] …", with a priority first: "[P2] [Recovered] …".
  /^\W*(?:\[P\d\]\s*)?\[(?:Recovered|Resolved)\b/i,
  // Nagios/Icinga "RECOVERY: …", "** RECOVERY Service Alert …"; Zabbix "Resolved in 14m: …"; "Resolved: …".
  // A count is not a recovery: Datadog's "Recovered: 0 of 3", "Resolved: 1/4" still fire.
  /^\W*(?:RESOLVED|RECOVERED|RECOVERY)\b(?![:\s]*\d+\s*(?:of\b|\/))/i,
  // CloudWatch over SNS: `OK: "<alarm>" in <region>` (capitals: "ok" in prose is not a state).
  /^\W*OK\s*[:\-–]/,
  // Netdata: "<host> recovered, <chart> …"; Kibana: "Elastic rule '…' has recovered for group …".
  /^\S+ recovered,/i,
  /\bhas recovered\b/i,
  // Robusta: "✅ Prometheus resolved: …".
  /^\W*✅\s*\S+\s+resolved\b/i,
  // Uptime Kuma: "[<monitor>] [✅ Up] …".
  /\[✅ Up\]/,
  // Incident tools say what became of the alert, after an optional integration tag and number:
  // Opsgenie "[Opsgenie] Alert closed: #1520 …", New Relic "Issue is closed", Better Stack
  // "Incident resolved: …", Google Cloud Monitoring "Incident #0.mx3o… was closed".
  /^\W*(?:\[[^\]\n]{1,40}\]\s*)?(?:Alert|Incident|Issue|Problem)\s+(?:#\S{1,40}\s+)?(?:(?:is|was|has been)\s+)?(?:resolved|recovered|closed)\b/i,
  // A state at the title's end: Sysdig "<alert> - Resolved", "… is resolved".
  /[-–|]\s*[*_]*(?:Resolved|Recovered)[*_]*\s*$/i,
  // Uptime monitors, in capitals: Pingdom "UP alert: … is UP", UptimeRobot "Monitor is UP: …",
  // StatusCake "… is UP", Healthchecks.io 'The check "…" is *UP*'. ("was UP for 12 days" is not.)
  /\bis\s+(?:back\s+|now\s+)?[*_]*UP\b/,
  // Sumo Logic's trigger types: ResolvedCritical, ResolvedWarning, ResolvedMissingData.
  /\bResolved(?:Critical|Warning|MissingData)\b/,
];

/** Recovery phrases a body may carry under a neutral title. */
const RESOLVED_BODY: readonly RegExp[] = [
  // Zabbix's recovery message body.
  /\bProblem has been resolved\b/i,
  // CloudWatch through AWS Chatbot: "State Change: ALARM -> OK".
  /\bState Change:\s*\w+\s*->\s*OK\b/i,
  // Nagios and Icinga notification commands: "Notification Type: RECOVERY" ($NOTIFICATIONTYPE$).
  /^[^\w\n]*Notification Type:[^\w\n]*RECOVERY\b/im,
  // State fields of payloads posted as they are: CloudWatch's SNS JSON `"NewStateValue": "OK"`
  // (never OldStateValue), Azure Monitor's common schema `"monitorCondition": "Resolved"`.
  /\bNewStateValue"?\s*[:=]\s*"?OK\b/,
  /\bmonitorCondition"?\s*[:=]\s*"?Resolved\b/i,
  // Google Cloud Monitoring's incident payload: `"state": "closed"`.
  /"state"\s*:\s*"closed"/i,
];

/** Whether an alert's text says it fires or has resolved. */
export function alertStatusOf(text: string): AlertStatus {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  // Some integrations put their own name first ("Uptime Kuma Alert"), the alert's title second.
  const titles = lines.slice(0, 2);
  if (titles.some((t) => RESOLVED_TITLES.some((p) => p.test(t)))) return 'resolved';
  if (RESOLVED_BODY.some((p) => p.test(text))) return 'resolved';
  return 'firing';
}
