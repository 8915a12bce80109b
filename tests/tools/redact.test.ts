import { describe, expect, it } from 'vitest';
import { redact, redactLines } from '../../src/tools/redact.ts';

describe('redact', () => {
  it.each([
    [
      'postgres URL password',
      'connect postgres://app_user:s3cr3t-P4ss@db.internal:5432/payments failed',
      's3cr3t-P4ss',
      'postgres://app_user:[REDACTED]@db.internal:5432/payments',
    ],
    [
      'bearer token',
      'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9abcdefghijk',
      'eyJhbGciOiJIUzI1NiJ9abcdefghijk',
      'Authorization: Bearer [REDACTED]',
    ],
    [
      'basic auth header',
      'auth header Basic dXNlcjpwYXNzd29yZA==',
      'dXNlcjpwYXNzd29yZA==',
      'Basic [REDACTED]',
    ],
    [
      'slack bot token',
      'posting with xoxb-1234567890-0987654321-AbCdEf',
      'xoxb-1234567890',
      '[REDACTED]',
    ],
    ['slack app token', 'socket xapp-1-A0123-4567-abcdef', 'xapp-1-A0123', '[REDACTED]'],
    [
      'openai key',
      'OPENAI sk-proj-abcdefghijklmnop1234',
      'sk-proj-abcdefghijklmnop1234',
      '[REDACTED]',
    ],
    [
      'github token',
      'cloning with ghp_ABCDEFGHIJKLMNOPQRSTuvwxyz0123',
      'ghp_ABCDEFGHIJ',
      '[REDACTED]',
    ],
    [
      'AWS access key',
      'using key AKIAIOSFODNN7EXAMPLE for s3',
      'AKIAIOSFODNN7EXAMPLE',
      'key [REDACTED] for',
    ],
    [
      'JWT',
      'session eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlX2hlcmU',
      'eyJzdWIiOiIxMjM0In0',
      'session [REDACTED]',
    ],
    [
      'password=',
      'login retry password=hunter2 user=bob',
      'hunter2',
      'password=[REDACTED] user=bob',
    ],
    [
      'DB_PASSWORD: value',
      'env DB_PASSWORD: "Tr0ub4dor&3"',
      'Tr0ub4dor',
      'DB_PASSWORD: "[REDACTED]',
    ],
    [
      'JSON secret',
      '{"client_secret":"abc123xyz","id":7}',
      'abc123xyz',
      '"client_secret":"[REDACTED]"',
    ],
    [
      'api_key in a query string',
      'GET /v1/data?api_key=k-998877&page=2',
      'k-998877',
      'api_key=[REDACTED]&page=2',
    ],
    [
      'aws secret key',
      'aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      'wJalrXUtnFEMI',
      'aws_secret_access_key=[REDACTED]',
    ],
    [
      'PagerDuty routing key',
      'enqueue failed: {"routing_key":"R0ut1ngK3y0123","event_action":"trigger"}',
      'R0ut1ngK3y0123',
      '"routing_key":"[REDACTED]"',
    ],
    [
      'Slack webhook URL',
      'POST https://hooks.slack.com/services/T0001/B0002/XXXXyyyyZZZZ failed',
      'XXXXyyyyZZZZ',
      'https://hooks.slack.com/services/[REDACTED] failed',
    ],
    [
      'private key block',
      '-----BEGIN RSA PRIVATE KEY-----MIIEpAIBAAKCAQEA-----END RSA PRIVATE KEY-----',
      'MIIEpAIBAAKCAQEA',
      '[REDACTED]',
    ],
  ])('hides a %s', (_what, line, secret, expected) => {
    const out = redact(line);
    expect(out).not.toContain(secret);
    expect(out).toContain(expected);
  });

  it.each([
    '[INFO] Token validated user_882',
    '[INFO] Request received /pay/v1',
    '[ERROR] Connection refused: elastic-cluster-main:9200',
    '[WARN] CPU threshold exceeded 90%',
    '[ERROR] java.lang.OutOfMemoryError: Java heap space',
    '[INFO] GET https://api.example.com/v1/status 200 OK',
    '[WARN] Password reset requested for user_17',
    '[INFO] Health check: OK',
    '[INFO] Bearer of bad news',
  ])('leaves an ordinary line alone: %s', (line) => {
    expect(redact(line)).toBe(line);
  });

  it('keeps the user and host of a connection string, which help diagnosis', () => {
    expect(redact('mysql://reporting:pw123@replica-2.db:3306/app')).toBe(
      'mysql://reporting:[REDACTED]@replica-2.db:3306/app',
    );
  });

  it('hides every secret on a line that has several, and is idempotent', () => {
    const line =
      'retry postgres://u:p4ss@h/db token=xoxb-1111111111-2222 Authorization: Bearer abcdefgh12345678';
    const once = redact(line);
    expect(once).not.toMatch(/p4ss|1111111111|abcdefgh12345678/);
    expect(redact(once)).toBe(once);
  });

  it('redacts each line of a list', () => {
    expect(redactLines(['password=a1b2c3', 'fine'])).toEqual(['password=[REDACTED]', 'fine']);
  });

  it('drops NUL bytes, which no store can keep in text', () => {
    expect(redact('[ERROR] bad\u0000byte password=hunter2')).toBe(
      '[ERROR] badbyte password=[REDACTED]',
    );
  });

  // Formats issue 11 found missing, from public scanner corpora (gitleaks, detect-secrets).
  it.each([
    [
      'clone with github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456',
      'clone with [REDACTED]',
    ],
    ['charge failed sk_live_4eC39HqLyjWDarjtT1zdp7dc', 'charge failed [REDACTED]'],
    [
      '//registry.npmjs.org/:_authToken=npm_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789',
      '//registry.npmjs.org/:_authToken=[REDACTED]',
    ],
    ['push with glpat-xY9zA8bC7dE6fG5hI4jK', 'push with [REDACTED]'],
    ['HF_TOKEN hf_aBcDeFgHiJkLmNoPqRsTuVwXyZaBcDeFgH', 'HF_TOKEN [REDACTED]'],
    [
      'mail via SG.aBcDeFgHiJkLmNoPqRsTuV.aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789aBcDeFg',
      'mail via [REDACTED]',
    ],
    [
      'vault login hvs.CAESIJ4k2r9Xb8Ykz3QwLm5N7pTq1Va0Ue6Rs2Dc8Fg4Hj0KGh4KHGh2cy5BYkNkRWZnSGlKa0xtTm9QcVJzVHVWdw',
      'vault login [REDACTED]',
    ],
    [
      'doctl auth init -t dop_v1_4f9b2c1d4e5f67890abc1234def567890abc1234def567890abc1234def56789',
      'doctl auth init -t [REDACTED]',
    ],
    [
      'X-Shopify-Access-Token: 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',
      'X-Shopify-Access-Token: [REDACTED]',
    ],
    [
      'GET https://maps.googleapis.com/maps/api/js?key=AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY&callback=init',
      'GET https://maps.googleapis.com/maps/api/js?key=[REDACTED]&callback=init',
    ],
    [
      'AccountName=logs;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;EndpointSuffix=core.windows.net',
      'AccountName=logs;AccountKey=[REDACTED];EndpointSuffix=core.windows.net',
    ],
    [
      'GET /c/x.log?sv=2022-11-02&sp=r&sig=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWprbA%3D%3D 403',
      'GET /c/x.log?sv=2022-11-02&sp=r&sig=[REDACTED] 403',
    ],
    [
      'curl -H "Authorization: Token 22cb987851bc5659229114c62e60c79abd0d2c08" https://api.example.com',
      'curl -H "Authorization: Token [REDACTED]" https://api.example.com',
    ],
    [
      'curl -u deploy:Hunter2-Summer https://registry.example.com/v2/',
      'curl -u deploy:[REDACTED] https://registry.example.com/v2/',
    ],
    [
      'dial redis://:Sup3rS3cret@cache-01:6379/0 timeout',
      'dial redis://:[REDACTED]@cache-01:6379/0 timeout',
    ],
    [
      'amqp://orders:p@ss@w0rd@rabbit-01:5672/vhost',
      'amqp://orders:[REDACTED]@rabbit-01:5672/vhost',
    ],
    [
      'ldap bind failed: password=P@ss@w0rd! for cn=svc',
      'ldap bind failed: password=[REDACTED] for cn=svc',
    ],
    [
      'login retry password="correct horse battery staple" user=bob',
      'login retry password="[REDACTED]" user=bob',
    ],
  ])('hides what issue 11 found missing: %s', (line, expected) => {
    expect(redact(line)).toBe(expected);
  });

  // The false positives issue 11 found: ordinary words that a secret rule used to hide.
  it.each([
    '[INFO] author=jane.doe merged #1842',
    '[INFO] Basic authentication configured for /admin',
    '[DEBUG] token_type=Bearer expires_in=3600',
    '[DEBUG] cache miss key=user:4411:profile',
    '[INFO] passwordless login enabled; token bucket has 40 tokens',
    '[DEBUG] next_page_token=eyJvZmZzZXQiOjQwfQ== page=2',
    'commit 9f3b2c1d4e5f67890abc1234def567890abc1234 sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae',
  ])('leaves an ordinary line alone: %s', (line) => {
    expect(redact(line)).toBe(line);
  });
});
