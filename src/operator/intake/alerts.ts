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
  // Datadog: "[Recovered on {host:…}] …", "[Recovered] …".
  /^\W*\[(?:Recovered|Resolved)\b/i,
  // Nagios/Icinga "RECOVERY: …", "** RECOVERY Service Alert …"; Zabbix "Resolved in 14m: …"; "Resolved: …".
  /^\W*(?:RESOLVED|RECOVERED|RECOVERY)\b/i,
  // CloudWatch over SNS: `OK: "<alarm>" in <region>` (capitals: "ok" in prose is not a state).
  /^\W*OK\s*[:\-–]/,
  // Netdata: "<host> recovered, <chart> …"; Kibana: "Elastic rule '…' has recovered for group …".
  /^\S+ recovered,/i,
  /\bhas recovered\b/i,
  // Robusta: "✅ Prometheus resolved: …".
  /^\W*✅\s*\S+\s+resolved\b/i,
  // Uptime Kuma: "[<monitor>] [✅ Up] …".
  /\[✅ Up\]/,
];

/** Recovery phrases a body may carry under a neutral title. */
const RESOLVED_BODY: readonly RegExp[] = [
  // Zabbix's recovery message body.
  /\bProblem has been resolved\b/i,
  // CloudWatch through AWS Chatbot: "State Change: ALARM -> OK".
  /\bState Change:\s*\w+\s*->\s*OK\b/i,
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
