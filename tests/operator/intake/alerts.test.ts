import { describe, expect, it } from 'vitest';
import { alertStatusOf } from '../../../src/operator/intake/alerts.ts';

/**
 * Recovery wording beyond the corpora: the look-alikes that must stay firing, and inputs shaped to
 * make the recovery patterns backtrack (each must stay linear in the text's length).
 */

describe('alertStatusOf', () => {
  it.each([
    ['a previous state of OK', '{"AlarmName":"x","NewStateValue":"ALARM","OldStateValue":"OK"}'],
    ['an alert that was up before', 'Monitor is DOWN: Storefront (was UP for 12 days)'],
    ['a check counting recoveries', '[P1] [Triggered] Disk low\nRecovered: 0 of 3 checks'],
    ['an acknowledgement', '[Opsgenie] Alert acknowledged: #1520 CPU load high on db-01'],
    ['an open incident', '{"incident":{"state":"open","summary":"closed connections above 90%"}}'],
    ['a problem notification', '***** Nagios *****\nNotification Type: PROBLEM\nState: OK'],
    ['a mixed group', '[FIRING:1, RESOLVED:2] NodeDiskIOSaturation (node-exporter)'],
    ['a fired Azure alert', 'Fired:Sev2 Azure Monitor Alert\nmonitorCondition: Fired'],
  ])('%s stays firing', (_name, text) => {
    expect(alertStatusOf(text)).toBe('firing');
  });

  it.each([
    ['an incident with its number', 'Incident #88 has been resolved\nqueue-node-07'],
    ['a tagged alert', '[Ops] Alert resolved: #12 disk full on queue-node-07'],
    [
      'an Icinga notification in Slack markup',
      'Icinga 2\n*Notification Type:* RECOVERY\nHost: queue-node-07',
    ],
    ['a common-schema payload', '{"data":{"essentials":{"monitorCondition":"Resolved"}}}'],
    ['an SNS alarm back to OK', '{"AlarmName":"x","NewStateValue":"OK","OldStateValue":"ALARM"}'],
    ['an uptime check back up', 'Check queue-node-07:5672 is back UP'],
    ['a state at the end of the title', 'Queue depth high | Resolved'],
    ['a priority before the state', '[P3] [Resolved] Queue depth high'],
  ])('%s is a recovery', (_name, text) => {
    expect(alertStatusOf(text)).toBe('resolved');
  });

  it.each([
    ['blank lines', `${'\n'.repeat(200_000)}x`],
    ['a dash before spaces', `x -${' '.repeat(200_000)}y`],
    ['brackets', `${'['.repeat(200_000)}Alert`],
    ['an incident word before spaces', `Incident #1${' '.repeat(200_000)}open`],
    ['state fields without values', `${'NewStateValue" : "'.repeat(20_000)}ALARM`],
    ['"is" before markup', `is ${'*'.repeat(200_000)}DOWN`],
  ])('reads %s in linear time', (_name, text) => {
    const started = performance.now();
    expect(alertStatusOf(text)).toBe('firing');
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
