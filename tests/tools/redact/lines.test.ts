import { describe, expect, it } from 'vitest';
import { REDACTION_MASK, redact, redactLines } from '../../../src/tools/redact.ts';

const KEY_LINES = [
  'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDAC4AWkdwKYSd8',
  'Ks14IReLcYgADhoXk56ZzXI9fP2vQm7LrT0sW1aYxN3eC6uJ+bH4/kD8gEoZnRtV',
  'yxR5MsXFu9PRsrYQA7/4UTPHiC4y2sAVCBg4C2yyBpUEtMQjyCESi6Y=',
];

describe('redactLines: clip first, then redact', () => {
  it('clips each line to maxLineLength and marks it with an ellipsis', () => {
    const out = redactLines(['short', 'x'.repeat(30)], { maxLineLength: 10 });
    expect(out).toEqual(['short', `${'x'.repeat(10)}…`]);
  });

  it('keeps every result within maxLineLength plus the ellipsis, even when the mask is longer than the secret', () => {
    const out = redactLines([`${'y'.repeat(6)} pw=ab`], { maxLineLength: 12 });
    expect(out[0]).toBe('yyyyyy pw=[R…');
    expect(out[0]).not.toContain('ab');
  });

  it.each([
    ['a GitHub token', 'ghp_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 'ghp_ABCDEF'],
    ['a JWT', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl', 'eyJhbGciOi'],
    ['a bearer credential', 'Bearer abcdefghijklmnopqrstuvwxyz0123456789', 'Bearer abc'],
    [
      'a URL password before its @',
      'postgres://app:s3cr3tpassw0rd@db:5432/app',
      'postgres://app:s3',
    ],
    ['a quoted password', 'password="correct horse battery staple"', 'password="co'],
    [
      'an API key in a query string',
      'GET /v1?key=AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW',
      'GET /v1?key=AIza',
    ],
    ['a weak-keyed value', 'session=9f3b2c1d4e5f67890abc', 'session=9f3b'],
  ])('masks %s cut at the clip point', (_what, secret, visible) => {
    const line = `[WARN] retry with ${secret}`;
    const max = '[WARN] retry with '.length + visible.length;
    const [out] = redactLines([line], { maxLineLength: max });
    const cutPart = visible.slice(-2);
    expect(out).toContain(REDACTION_MASK.slice(0, 2));
    expect(out?.endsWith('…')).toBe(true);
    expect(out?.slice(0, -1)).not.toMatch(
      new RegExp(`${cutPart.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`),
    );
  });

  it('leaves an ordinary word cut at the clip point alone', () => {
    const [out] = redactLines(['[INFO] request completed successfully'], { maxLineLength: 30 });
    expect(out).toBe('[INFO] request completed succe…');
  });

  it('drops NUL bytes before it measures a line', () => {
    expect(redactLines(['a\u0000b\u0000c'], { maxLineLength: 3 })).toEqual(['abc']);
  });

  it('refuses a length that is not a positive integer', () => {
    expect(() => redactLines(['x'], { maxLineLength: 0 })).toThrow(RangeError);
    expect(() => redactLines(['x'], { maxLineLength: 2.5 })).toThrow(RangeError);
  });
});

describe('private keys logged one line per log line', () => {
  const prefix = (n: number) => `2024-05-01T10:00:0${n}Z keygen[42]: `;
  const logged = [
    `${prefix(0)}-----BEGIN RSA PRIVATE KEY-----`,
    ...KEY_LINES.map((l, i) => `${prefix(i + 1)}${l}`),
    `${prefix(5)}-----END RSA PRIVATE KEY-----`,
    `${prefix(6)}[INFO] key loaded`,
  ];

  it('hides every body line of one log fetch and keeps the markers and log prefixes', () => {
    const out = redactLines(logged);
    for (const body of KEY_LINES) expect(out.join('\n')).not.toContain(body.slice(10, 30));
    expect(out[0]).toBe(logged[0]);
    expect(out[1]).toBe(`${prefix(1)}${REDACTION_MASK}`);
    expect(out[4]).toBe(logged[4]);
    expect(out[5]).toBe(logged[5]);
  });

  it('ends the block at the first line that is not key material', () => {
    const out = redactLines([
      '-----BEGIN PRIVATE KEY-----',
      KEY_LINES[0] as string,
      '[INFO] connection established to db-main:5432',
      'ordinary line 12345',
    ]);
    expect(out.slice(1)).toEqual([
      REDACTION_MASK,
      '[INFO] connection established to db-main:5432',
      'ordinary line 12345',
    ]);
  });

  it('hides the key lines above an END whose BEGIN fell before the window', () => {
    const window = logged.slice(2);
    const out = redactLines(window);
    for (const body of KEY_LINES.slice(1)) expect(out.join('\n')).not.toContain(body.slice(10, 30));
    expect(out.at(-1)).toBe(logged.at(-1));
  });

  it('hides PGP armor bodies, keeping the armor headers', () => {
    const out = redactLines([
      '-----BEGIN PGP PRIVATE KEY BLOCK-----',
      'Version: GnuPG v2',
      '',
      ...KEY_LINES,
      '=8xQN',
      '-----END PGP PRIVATE KEY BLOCK-----',
    ]);
    expect(out.slice(0, 3)).toEqual([
      '-----BEGIN PGP PRIVATE KEY BLOCK-----',
      'Version: GnuPG v2',
      '',
    ]);
    expect(out.slice(3, 7)).toEqual([
      REDACTION_MASK,
      REDACTION_MASK,
      REDACTION_MASK,
      REDACTION_MASK,
    ]);
  });

  it('hides a key in one text of several lines, and a key on one line with \\n escapes', () => {
    const text = [
      '-----BEGIN EC PRIVATE KEY-----',
      ...KEY_LINES,
      '-----END EC PRIVATE KEY-----',
    ].join('\n');
    expect(redact(text)).toBe(
      [
        '-----BEGIN EC PRIVATE KEY-----',
        REDACTION_MASK,
        REDACTION_MASK,
        REDACTION_MASK,
        '-----END EC PRIVATE KEY-----',
      ].join('\n'),
    );
    const json = `{"private_key": "-----BEGIN PRIVATE KEY-----\\n${KEY_LINES.join('\\n')}\\n-----END PRIVATE KEY-----\\n", "client_email": "ci@x.iam"}`;
    expect(redact(json)).toBe(
      `{"private_key": "-----BEGIN PRIVATE KEY-----${REDACTION_MASK}-----END PRIVATE KEY-----\\n", "client_email": "ci@x.iam"}`,
    );
  });

  it('hides the rest of a BEGIN line cut before its END', () => {
    const line = `key: -----BEGIN OPENSSH PRIVATE KEY-----${KEY_LINES.join('')}-----END OPENSSH PRIVATE KEY-----`;
    const [out] = redactLines([line], { maxLineLength: 80 });
    expect(out).toBe(`key: -----BEGIN OPENSSH PRIVATE KEY-----${REDACTION_MASK}…`);
  });

  it('leaves certificates and public keys to the other rules', () => {
    expect(redact('-----BEGIN CERTIFICATE-----')).toBe('-----BEGIN CERTIFICATE-----');
    expect(redact('-----BEGIN PUBLIC KEY-----')).toBe('-----BEGIN PUBLIC KEY-----');
  });
});

describe('Kubernetes Secrets and cookies: what stays', () => {
  const value = Buffer.from('Summer123!abcd').toString('base64');

  it('hides the data of a Secret, keeps its keys, and leaves a ConfigMap alone', () => {
    const secret = ['data:', `  api: ${value}`, 'kind: Secret', 'metadata:', '  name: app'];
    const configMap = ['data:', `  api: ${value}`, 'kind: ConfigMap', 'metadata:', '  name: app'];
    expect(redactLines(secret)).toEqual([
      'data:',
      `  api: ${REDACTION_MASK}`,
      'kind: Secret',
      'metadata:',
      '  name: app',
    ]);
    expect(redactLines(configMap)).toEqual(configMap);
  });

  it('does not read past the end of a Secret JSON data object', () => {
    const lines = [
      '{',
      `  "data": {"api": "${value}"},`,
      '  "kind": "Secret",',
      '  "type": "Opaque"',
      '}',
    ];
    expect(redactLines(lines)).toEqual([
      '{',
      `  "data": {"api": "${REDACTION_MASK}"},`,
      '  "kind": "Secret",',
      '  "type": "Opaque"',
      '}',
    ]);
  });

  it('hides a session cookie but keeps preferences and Set-Cookie attributes', () => {
    expect(redact('Cookie: theme=dark; sid=s3ss10nAbcdefgh1234; lang=en')).toBe(
      `Cookie: theme=dark; sid=${REDACTION_MASK}; lang=en`,
    );
    expect(
      redact('Set-Cookie: id=a1b2c3d4e5f6a7b8c9d0; Path=/; Expires=Fri, 31-May-2024 10:15:00 GMT'),
    ).toBe(`Set-Cookie: id=${REDACTION_MASK}; Path=/; Expires=Fri, 31-May-2024 10:15:00 GMT`);
  });
});
