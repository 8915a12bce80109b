import { terms, type Vocabulary } from './term.ts';

/**
 * Plain-English phrases applications, monitoring agents and runbooks log when the software
 * behind them has no wording of its own: "process hung", "dependency unreachable", "disk full",
 * "CPU threshold exceeded". The seed incidents of the IT-support agent (mock tools of its public
 * README) are written this way, as are many in-house services and alerting templates. Latency
 * words follow what slow-request logs and APM exporters print ("took 2412ms", "p99 latency 2.3s").
 */
export const GENERIC: Vocabulary = {
  family: 'generic application and monitoring phrasing',
  terms: [
    ...terms('resource_exhaustion', [
      /\bcpu (threshold|usage|load)\b[^\n]{0,40}\b(exceeded|high|above|saturat)/i,
      /\bthread pool (exhaust|saturat|full)/i,
      /\brequest queue (full|overflow)/i,
      /\bworker pool (exhaust|saturat|full)/i,
      /\b(connection|db|database) pool (is )?(exhausted|full)\b/i,
    ]),
    ...terms('hung_process', [
      /\bprocess (is )?hung\b/i,
      /\bnot accepting (new )?connections\b/i,
      /\bunresponsive\b/i,
      /\bwatchdog\b[^\n]{0,60}\b(timeout|expired|fired)\b/i,
      /\btimeout waiting for (a )?(thread|worker|lock)\b/i,
      /\bhealth ?check (timed out|timeout)\b/i,
    ]),
    ...terms('out_of_memory', [
      /\bout of memory\b/i,
      /\bmemory leak (suspected|detected)|\bleak(ing)? memory\b|\bdue to (a )?memory leak\b/i,
      /\bgarbage collection taking too long\b/i,
    ]),
    ...terms('dependency_failure', [
      /\bdependency (is )?(unreachable|down|unavailable)\b/i,
      /\bcircuit ?breaker\b[^\n]{0,60}\b(is |to )?open\b/i,
      /\b(broker|queue|database|cache|cluster|service|backend|upstream) (is )?(unreachable|unavailable|down)\b/i,
      /\b(could not|couldn't|unable to|cannot|can't|failed to) (connect|establish a (new )?connection)\b/i,
    ]),
    ...terms('disk_full', [
      /\bdisk (is )?full\b/i,
      /\b(disk|filesystem|volume|partition)\b[^\n]{0,60}\b(9[5-9]|100)\s?% (full|used)\b/i,
      /\bdisk usage (at )?(9[5-9]|100)\s?%/i,
    ]),
    ...terms('data_integrity', [
      /\breplication (lag|broken|stopped|error|failed)\b/i,
      /\breplica\b[^\n]{0,60}\b(behind|out of sync|diverged)\b/i,
      /\bchecksum (mismatch|failure)\b/i,
      /\bdata corruption\b|\bcorrupt(ed)? (page|index|block|row|table|record)s?\b/i,
      /\bsplit[- ]brain\b/i,
      /\binconsistent (data|state)\b/i,
      /\brows? (lost|missing)\b/i,
    ]),
    ...terms('auth_failure', [
      /\binvalid credentials\b/i,
      /\bbad credentials\b/i,
      /\bauthentication failed\b/i,
      /\blogin failed for user\b/i,
      /\b(api|access|service([ _-]account)?|client|oauth|bearer)[ _-]?(token|key|credentials?)\b[^\n]{0,60}\b(expired|revoked)\b/i,
      /\bcredentials? (have |has )?(expired|been revoked)\b/i,
      /\binvalid (api[ _-]?key|access key|client secret|client credentials)\b/i,
      /\bclock skew too great\b|\bKRB_AP_ERR_SKEW\b/i,
    ]),
    ...terms('application_errors', [
      /\berror rate (rose|increased|spiked|above)\b/i,
      /\b(since|after) (the )?(deploy|release|rollout|upgrade)\b/i,
    ]),
    ...terms('traffic_surge', [
      /\btraffic (spike|surge)\b/i,
      /\brequest rate\b[^\n]{0,40}\b(\d+x|times) (normal|baseline)\b/i,
    ]),
    ...terms('config_error', [
      /\b(invalid|bad|malformed) config(uration)?\b/i,
      /\bconfig(uration)?( file)?\b[^\n]{0,40}\b(parse error|syntax error|is invalid|contains errors|could not be parsed|failed validation)\b/i,
      /\b(error|failed|cannot|unable to)\b[^\n]{0,30}\b(pars(e|ing)|load(ing)?|read(ing)?)\b[^\n]{0,20}\bconfig(uration)?\b/i,
      /\b(missing|required) (required )?(environment variable|env var|config(uration)? (key|value|option|setting|property))\b/i,
      /\benvironment variable\b[^\n]{0,40}\b(is )?(not set|missing|undefined|required)\b/i,
    ]),
    // A request or query that says how long it took; a second or more is slow for a user.
    {
      signal: 'latency',
      pattern: /\bslow (request|response|query|queries|operation|call|statement)s?\b/i,
      // MongoDB logs every operation over slowms (100 ms by default) as "Slow query"; its own
      // family judges those by their duration.
      unless: /"msg":"Slow query"/,
    },
    {
      signal: 'latency',
      pattern:
        /\b(latency|response[ _-]?time|p50|p9[059](\.9)?)\b[^\d\n]{0,24}(?<value>\d+(\.\d+)?)\s?(?<unit>ms|milliseconds?|s|secs?|seconds?)\b/i,
      slowerThanMs: 1000,
    },
    {
      signal: 'latency',
      pattern:
        /\b(query|request|statement|call|rpc|GET|POST|PUT|PATCH|DELETE|SELECT|UPDATE|INSERT)\b[^\n]{0,120}\b(took|duration|elapsed|(completed|finished|served|executed|processed|answered) in)\b[^\d\n]{0,16}(?<value>\d+(\.\d+)?)\s?(?<unit>ms|milliseconds?|s|secs?|seconds?)\b/i,
      slowerThanMs: 1000,
    },
    ...terms('change_in_logs', [
      /\bconfig(uration)? reloaded\b|\breload(ed|ing) (the )?config(uration)?\b/i,
      /\b(applying|applied) (new|updated) config(uration)?\b/i,
      /\bfeature flag\b[^\n]{0,60}\b(enabled|disabled|turned on|turned off|changed|flipped)\b/i,
    ]),
  ],
};
