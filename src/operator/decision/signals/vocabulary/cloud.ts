import { terms, type Vocabulary } from './term.ts';

/** A CloudWatch alarm in the ALARM state naming one of these metrics (not one going back to OK). */
function alarm(metrics: string): RegExp {
  return new RegExp(
    `\\bALARM\\b[^\\n]{0,200}\\b(${metrics})\\b|\\b(${metrics})\\b[^\\n]{0,200}\\bALARM\\b`,
  );
}
const BACK_TO_OK = /\bto OK\b|\bOK state\b|-> ?OK\b|→ ?OK\b/;

/**
 * Cloud providers. Alarm metrics are the AWS CloudWatch metric names of the ELB/ALB, EC2, RDS,
 * DynamoDB, Lambda and EBS documentation (UnHealthyHostCount, HTTPCode_ELB_5XX_Count,
 * HTTPCode_Target_5XX_Count, TargetResponseTime, StatusCheckFailed, FreeStorageSpace, ReplicaLag,
 * CPUCreditBalance, BurstBalance, ReadThrottleEvents/WriteThrottleEvents, ThrottledRequests,
 * Throttles) as an SNS notification or alarm history names them ("ALARM: \"…\" in US East").
 * Error codes are the AWS SDK's (ThrottlingException "Rate exceeded", TooManyRequestsException,
 * ProvisionedThroughputExceededException, RequestLimitExceeded, S3 SlowDown; AccessDenied,
 * "is not authorized to perform"; ExpiredTokenException, InvalidClientTokenId, "Unable to locate
 * credentials"; InsufficientInstanceCapacity), Azure's (AuthorizationFailed, AADSTS sign-in
 * errors, Cosmos DB "Request rate is large") and Google Cloud's ("Quota exceeded for quota metric",
 * rateLimitExceeded, "does not have … access", "Permission '…' denied").
 */
export const CLOUD: Vocabulary = {
  family: 'cloud providers (AWS CloudWatch and SDKs, Azure, Google Cloud)',
  terms: [
    {
      signal: 'probe_failure',
      pattern: alarm('UnHealthyHostCount|HealthyHostCount|StatusCheckFailed(_System|_Instance)?'),
      unless: BACK_TO_OK,
    },
    {
      signal: 'dependency_failure',
      pattern: alarm('HTTPCode_ELB_5XX_Count|HTTPCode_ELB_50[234]_Count'),
      unless: BACK_TO_OK,
    },
    {
      signal: 'application_errors',
      pattern: alarm('HTTPCode_Target_5XX_Count|5XXError'),
      unless: BACK_TO_OK,
    },
    {
      signal: 'latency',
      pattern: alarm('TargetResponseTime|Latency|ReadLatency|WriteLatency|IntegrationLatency'),
      unless: BACK_TO_OK,
    },
    {
      signal: 'disk_full',
      pattern: alarm('FreeStorageSpace|FreeLocalStorage'),
      unless: BACK_TO_OK,
    },
    { signal: 'data_integrity', pattern: alarm('ReplicaLag|AuroraReplicaLag'), unless: BACK_TO_OK },
    {
      signal: 'throttling',
      pattern: alarm(
        'CPUCreditBalance|BurstBalance|ReadThrottleEvents|WriteThrottleEvents|ThrottledRequests|Throttles',
      ),
      unless: BACK_TO_OK,
    },
    ...terms('throttling', [
      /\bThrottlingException\b|\bRate exceeded\b/,
      /\bTooManyRequestsException\b|\bRequestLimitExceeded\b|\bRequestThrottled\b/,
      /\bProvisionedThroughputExceededException\b/,
      /\bSlowDown\b[^\n]{0,60}\breduce your request rate\b|\bPlease reduce your request rate\b/,
      /\bRequest rate is large\b/,
      /\bQuota exceeded for quota metric\b|\b(user)?RateLimitExceeded\b/,
    ]),
    ...terms('authorization_failure', [
      /\bAccessDenied(Exception)?\b|\bUnauthorizedOperation\b/,
      /\bis not authorized to perform: \S+/,
      /\bAuthorizationFailed\b|\bdoes not have authorization to perform action\b/,
      /\bdoes not have \S+ access to\b|\bPermission '[^']+' denied on resource\b/,
    ]),
    ...terms('auth_failure', [
      /\bExpiredToken(Exception)?\b|\bThe security token included in the request is (expired|invalid)\b/,
      /\bInvalidClientTokenId\b|\bSignatureDoesNotMatch\b/,
      /\bUnable to locate credentials\b|\bNoCredentialProviders\b/,
      /\bAADSTS\d{5,}\b/,
      /\bRequest had invalid authentication credentials\b/,
    ]),
    ...terms('scheduling_failure', [/\bInsufficientInstanceCapacity\b/]),
  ],
};

/**
 * HTTP itself: status codes with the reason phrases of RFC 9110 as clients and frameworks print a
 * response they received ("403 Forbidden", "429 Too Many Requests", "502 Bad Gateway", "503
 * Service Unavailable", "504 Gateway Timeout", requests' "403 Client Error: Forbidden for url"),
 * and a service's own access log (combined log format: method, path, protocol, status). A status
 * in an access-log line is what this service answered; in a client's error line, what its
 * dependency answered. Rate-limit wording is that of the common API gateways ("API rate limit
 * exceeded", "rate limit exceeded").
 */
export const HTTP: Vocabulary = {
  family: 'HTTP status wording and access logs',
  terms: [
    ...terms('auth_failure', [/\b401 unauthori[sz]ed\b/i, /\b401 Client Error\b/]),
    ...terms('authorization_failure', [
      /\b403 Forbidden\b/i,
      /\b403 Client Error\b/,
      /\b(HTTP|status( code)?|returned|response( code)?|got)[ :=]{0,3}403\b/i,
    ]),
    ...terms('throttling', [
      /\b429 Too Many Requests\b/i,
      /\b429 Client Error\b/,
      /\b(HTTP|status( code)?|returned|response( code)?|got)[ :=]{0,3}429\b/i,
      /\b(API )?rate limit (exceeded|reached)\b|\brate[- ]limited\b/i,
    ]),
    ...terms('dependency_failure', [
      /\b502 Bad Gateway\b|\b503 Service (Temporarily )?Unavailable\b|\b504 Gateway Time-?out\b/i,
    ]),
    ...terms('application_errors', [
      /\bHTTP 5\d\d\b|\bstatus[=: ]5\d\d\b/i,
      // An access-log line: method, path, optional protocol, then a 5xx status.
      /\b(GET|POST|PUT|PATCH|DELETE) \S+( HTTP\/[\d.]+)?"? 5\d\d\b/,
    ]),
    // An access-log line that ends with how long the answer took (morgan, uvicorn and others).
    {
      signal: 'latency',
      pattern:
        /\b(GET|POST|PUT|PATCH|DELETE|HEAD) \S+( HTTP\/[\d.]+"?)? [1-5]\d\d( -| \d+)? (?<value>\d+(\.\d+)?) ?(?<unit>ms)\b/,
      slowerThanMs: 1000,
    },
  ],
};
