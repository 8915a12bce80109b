/**
 * The recall corpus: real-format secrets in the places logs put them. Every value is generated
 * here from the format its scanner documents (prefix, length, alphabet) by a seeded generator, so
 * the corpus is the same on every run and holds no real credential.
 *
 * Formats: gitleaks rules (ids in `source`) and their test cases; Yelp detect-secrets plugins;
 * contexts (env dumps, JSON logs, headers, URLs, curl, connection strings, Kubernetes YAML, PEM and
 * PGP blocks one log line per key line) are the ones incident logs show.
 */

export type SecretSample = {
  /** The rule family expected to catch it. */
  family: string;
  /** Where the format comes from. */
  source: string;
  /** One text, or the lines of one log fetch. */
  text: string | readonly string[];
  /** What must not survive redaction. */
  secrets: readonly string[];
};

/** mulberry32: a small seeded generator, so the corpus is reproducible. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = generator(20240501);
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
const ALNUM = LOWER + UPPER + DIGITS;
const HEX = '0123456789abcdef';
const B64 = `${ALNUM}+/`;
const URLSAFE = `${ALNUM}-_`;

/** `n` characters of `alphabet`, with at least one digit and one letter where the alphabet has both. */
export function chars(alphabet: string, n: number): string {
  for (;;) {
    let out = '';
    for (let i = 0; i < n; i++) out += alphabet[Math.floor(random() * alphabet.length)];
    const wantsDigit = /[0-9]/.test(alphabet) && /[a-zA-Z]/.test(alphabet) && n >= 8;
    if (!wantsDigit || (/[0-9]/.test(out) && /[a-zA-Z]/.test(out))) return out;
  }
}

const alnum = (n: number) => chars(ALNUM, n);
const hex = (n: number) => chars(HEX, n);
const digits = (n: number) => chars(DIGITS, n);
const b64 = (n: number) => chars(B64, n);
const urlsafe = (n: number) => chars(URLSAFE, n);
const base64Of = (s: string) => Buffer.from(s).toString('base64');
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

/** A password a person would choose: words, digits, punctuation; optionally with "@" or spaces. */
function password(kind: 'plain' | 'at' | 'space' = 'plain'): string {
  const word = () =>
    pick(['Summer', 'horse', 'Battery', 'staple', 'Tr0ub4dor', 'kitten', 'Orange']);
  if (kind === 'at') return `${word()}@${digits(4)}${pick(['!', '#', '$'])}${word()}`;
  if (kind === 'space') return `${word()} ${word()} ${digits(3)}`;
  return `${word()}${digits(3)}${pick(['!', '#', '%', '&', '*', '-', '_'])}${alnum(4)}`;
}

const ts = () =>
  `2024-05-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}T${String(Math.floor(random() * 24)).padStart(2, '0')}:${digits(2).replace(/^[6-9]/, '5')}:${digits(2).replace(/^[6-9]/, '1')}.${digits(3)}Z`;

/** Wraps a value in the ways logs show a token: bare, env, JSON, YAML, header, query string. */
const CONTEXTS: readonly ((s: string, name: string) => string)[] = [
  (s) => `${ts()} [DEBUG] using credential ${s} for upstream`,
  (s, name) => `export ${name.toUpperCase()}_TOKEN=${s}`,
  (s, name) => `{"ts":"${ts()}","level":"debug","msg":"client init","${name}_token":"${s}"}`,
  (s, name) => `  ${name}_api_key: '${s}'`,
  (s) => `${ts()} WARN request failed, retrying with ${s} (attempt 2/5)`,
  (s) => `env: TOKEN="${s}" NODE_ENV=production`,
];

function tokenSamples(
  family: string,
  source: string,
  name: string,
  make: () => string,
  count: number,
): SecretSample[] {
  const out: SecretSample[] = [];
  for (let i = 0; i < count; i++) {
    const secret = make();
    const context = CONTEXTS[(out.length + name.length) % CONTEXTS.length] as (
      s: string,
      name: string,
    ) => string;
    out.push({ family, source, text: context(secret, name), secrets: [secret] });
  }
  return out;
}

const tokens: SecretSample[] = [
  ...tokenSamples('github', 'gitleaks github-pat', 'github', () => `ghp_${alnum(36)}`, 2),
  ...tokenSamples('github', 'gitleaks github-oauth', 'github', () => `gho_${alnum(36)}`, 1),
  ...tokenSamples('github', 'gitleaks github-app-token', 'gh', () => `ghs_${alnum(36)}`, 1),
  ...tokenSamples('github', 'gitleaks github-app-token', 'gh', () => `ghu_${alnum(36)}`, 1),
  ...tokenSamples('github', 'gitleaks github-refresh-token', 'gh', () => `ghr_${alnum(36)}`, 1),
  ...tokenSamples(
    'github',
    'gitleaks github-fine-grained-pat',
    'github',
    () => `github_pat_${alnum(22)}_${alnum(59)}`,
    3,
  ),
  ...tokenSamples('gitlab', 'gitleaks gitlab-pat', 'gitlab', () => `glpat-${urlsafe(20)}`, 2),
  ...tokenSamples(
    'gitlab',
    'gitleaks gitlab-pat-routable',
    'gitlab',
    () => `glpat-${urlsafe(27)}.${chars(LOWER + DIGITS, 2)}${chars(LOWER + DIGITS, 7)}`,
    1,
  ),
  ...tokenSamples('gitlab', 'gitleaks gitlab-deploy-token', 'deploy', () => `gldt-${alnum(20)}`, 1),
  ...tokenSamples(
    'gitlab',
    'gitleaks gitlab-runner-authentication-token',
    'runner',
    () => `glrt-${alnum(20)}`,
    1,
  ),
  ...tokenSamples(
    'gitlab',
    'gitleaks gitlab-cicd-job-token',
    'ci',
    () => `glcbt-${alnum(2)}_${alnum(20)}`,
    1,
  ),
  ...tokenSamples('gitlab', 'gitleaks gitlab-ptt', 'trigger', () => `glptt-${hex(40)}`, 1),
  ...tokenSamples(
    'gitlab',
    'gitleaks gitlab-kubernetes-agent-token',
    'agent',
    () => `glagent-${alnum(50)}`,
    1,
  ),
  ...tokenSamples(
    'gitlab',
    'gitleaks gitlab-oauth-app-secret',
    'oauth',
    () => `gloas-${alnum(64)}`,
    1,
  ),
  ...tokenSamples('gitlab', 'gitleaks gitlab-rrt', 'runner', () => `GR1348941${alnum(20)}`, 1),
  ...tokenSamples('gitlab', 'gitleaks gitlab-feed-token', 'feed', () => `glft-${alnum(20)}`, 1),
  ...tokenSamples(
    'gitlab',
    'gitleaks gitlab-incoming-mail-token',
    'mail',
    () => `glimt-${alnum(25)}`,
    1,
  ),
  ...tokenSamples(
    'slack',
    'gitleaks slack-bot-token',
    'slack',
    () => `xoxb-${digits(12)}-${digits(13)}-${alnum(24)}`,
    2,
  ),
  ...tokenSamples(
    'slack',
    'gitleaks slack-user-token',
    'slack',
    () => `xoxp-${digits(12)}-${digits(13)}-${digits(13)}-${hex(32)}`,
    2,
  ),
  ...tokenSamples(
    'slack',
    'gitleaks slack-config-access-token',
    'slack',
    () => `xoxe.xoxp-1-${chars(UPPER + DIGITS, 164)}`,
    1,
  ),
  ...tokenSamples(
    'slack',
    'gitleaks slack-config-refresh-token',
    'slack',
    () => `xoxe-1-${chars(UPPER + DIGITS, 146)}`,
    1,
  ),
  ...tokenSamples(
    'slack',
    'gitleaks slack-app-token',
    'slack',
    () => `xapp-1-A${chars(UPPER + DIGITS, 10)}-${digits(13)}-${hex(64)}`,
    1,
  ),
  ...tokenSamples(
    'openai',
    'gitleaks openai-api-key',
    'openai',
    () => `sk-proj-${urlsafe(58)}T3BlbkFJ${urlsafe(58)}`,
    2,
  ),
  ...tokenSamples(
    'openai',
    'gitleaks openai-api-key (legacy)',
    'openai',
    () => `sk-${alnum(20)}T3BlbkFJ${alnum(20)}`,
    1,
  ),
  ...tokenSamples(
    'anthropic',
    'gitleaks anthropic-api-key',
    'anthropic',
    () => `sk-ant-api03-${urlsafe(93)}AA`,
    2,
  ),
  ...tokenSamples(
    'stripe',
    'gitleaks stripe-access-token',
    'stripe',
    () => `sk_live_${alnum(24)}`,
    2,
  ),
  ...tokenSamples(
    'stripe',
    'gitleaks stripe-access-token',
    'stripe',
    () => `rk_test_${alnum(30)}`,
    1,
  ),
  ...tokenSamples(
    'stripe',
    'gitleaks stripe-access-token',
    'stripe',
    () => `sk_prod_${alnum(99)}`,
    1,
  ),
  ...tokenSamples('npm', 'gitleaks npm-access-token', 'npm', () => `npm_${alnum(36)}`, 2),
  ...tokenSamples(
    'huggingface',
    'gitleaks huggingface-access-token',
    'hf',
    () => `hf_${chars(LOWER + UPPER, 34)}`,
    2,
  ),
  ...tokenSamples(
    'huggingface',
    'gitleaks huggingface-organization-api-token',
    'hf',
    () => `api_org_${chars(LOWER + UPPER, 34)}`,
    1,
  ),
  ...tokenSamples(
    'sendgrid',
    'detect-secrets SendGridDetector',
    'sendgrid',
    () => `SG.${urlsafe(22)}.${urlsafe(43)}`,
    2,
  ),
  ...tokenSamples('vault', 'gitleaks vault-service-token', 'vault', () => `hvs.${urlsafe(95)}`, 2),
  ...tokenSamples(
    'vault',
    'gitleaks vault-service-token (legacy)',
    'vault',
    () => `s.${digits(1)}${alnum(23)}`,
    1,
  ),
  ...tokenSamples('vault', 'gitleaks vault-batch-token', 'vault', () => `hvb.${urlsafe(140)}`, 1),
  ...tokenSamples('digitalocean', 'gitleaks digitalocean-pat', 'do', () => `dop_v1_${hex(64)}`, 2),
  ...tokenSamples(
    'digitalocean',
    'gitleaks digitalocean-access-token',
    'do',
    () => `doo_v1_${hex(64)}`,
    1,
  ),
  ...tokenSamples(
    'digitalocean',
    'gitleaks digitalocean-refresh-token',
    'do',
    () => `dor_v1_${hex(64)}`,
    1,
  ),
  ...tokenSamples(
    'shopify',
    'gitleaks shopify-access-token',
    'shopify',
    () => `shpat_${hex(32)}`,
    1,
  ),
  ...tokenSamples(
    'shopify',
    'gitleaks shopify-shared-secret',
    'shopify',
    () => `shpss_${hex(32)}`,
    1,
  ),
  ...tokenSamples(
    'shopify',
    'gitleaks shopify-custom-access-token',
    'shopify',
    () => `shpca_${hex(32)}`,
    1,
  ),
  ...tokenSamples(
    'shopify',
    'gitleaks shopify-private-app-access-token',
    'shopify',
    () => `shppa_${hex(32)}`,
    1,
  ),
  ...tokenSamples('google', 'gitleaks gcp-api-key', 'google', () => `AIza${urlsafe(35)}`, 2),
  ...tokenSamples(
    'aws',
    'gitleaks aws-access-token',
    'aws',
    () => `AKIA${chars(`${UPPER}234567`, 16)}`,
    2,
  ),
  ...tokenSamples(
    'aws',
    'gitleaks aws-access-token',
    'aws',
    () => `ASIA${chars(`${UPPER}234567`, 16)}`,
    1,
  ),
  ...tokenSamples(
    'aws',
    'gitleaks aws-amazon-bedrock-api-key-long-lived',
    'bedrock',
    () => `ABSK${b64(132)}`,
    1,
  ),
  ...tokenSamples('jwt', 'gitleaks jwt', 'id', () => jwt(), 3),
  ...tokenSamples(
    'pypi',
    'gitleaks pypi-upload-token',
    'pypi',
    () => `pypi-AgEIcHlwaS5vcmc${urlsafe(70)}`,
    1,
  ),
  ...tokenSamples(
    'age',
    'gitleaks age-secret-key',
    'age',
    () => `AGE-SECRET-KEY-1${chars('QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L', 58)}`,
    1,
  ),
  ...tokenSamples(
    'artifactory',
    'gitleaks artifactory-api-key',
    'artifactory',
    () => `AKCp${alnum(69)}`,
    1,
  ),
  ...tokenSamples(
    'artifactory',
    'gitleaks artifactory-reference-token',
    'artifactory',
    () => `cmVmd${alnum(59)}`,
    1,
  ),
  ...tokenSamples(
    'atlassian',
    'gitleaks atlassian-api-token',
    'jira',
    () => `ATATT3${urlsafe(186)}`,
    1,
  ),
  ...tokenSamples(
    'alibaba',
    'gitleaks alibaba-access-key-id',
    'alibaba',
    () => `LTAI${alnum(20)}`,
    1,
  ),
  ...tokenSamples(
    'clojars',
    'gitleaks clojars-api-token',
    'clojars',
    () => `CLOJARS_${chars(LOWER + DIGITS, 60)}`,
    1,
  ),
  ...tokenSamples(
    'databricks',
    'gitleaks databricks-api-token',
    'databricks',
    () => `dapi${hex(32)}`,
    1,
  ),
  ...tokenSamples(
    'doppler',
    'gitleaks doppler-api-token',
    'doppler',
    () => `dp.pt.${alnum(43)}`,
    1,
  ),
  ...tokenSamples(
    'dynatrace',
    'gitleaks dynatrace-api-token',
    'dynatrace',
    () => `dt0c01.${chars(UPPER + DIGITS, 24)}.${chars(UPPER + DIGITS, 64)}`,
    1,
  ),
  ...tokenSamples(
    'easypost',
    'gitleaks easypost-api-token',
    'easypost',
    () => `EZAK${alnum(54)}`,
    1,
  ),
  ...tokenSamples(
    'facebook',
    'gitleaks facebook-page-access-token',
    'fb',
    () => `EAAC${alnum(120)}`,
    1,
  ),
  ...tokenSamples(
    'square',
    'gitleaks square-access-token',
    'square',
    () => `EAAA${urlsafe(60)}`,
    1,
  ),
  ...tokenSamples(
    'square',
    'detect-secrets SquareOAuthDetector',
    'square',
    () => `sq0csp-${urlsafe(43)}`,
    1,
  ),
  ...tokenSamples(
    'flutterwave',
    'gitleaks flutterwave-secret-key',
    'flw',
    () => `FLWSECK_TEST-${chars('abcdefgh0123456789', 32)}-X`,
    1,
  ),
  ...tokenSamples('flyio', 'gitleaks flyio-access-token', 'fly', () => `fo1_${urlsafe(43)}`, 1),
  ...tokenSamples(
    'grafana',
    'gitleaks grafana-cloud-api-token',
    'grafana',
    () => `glc_${b64(60)}==`,
    1,
  ),
  ...tokenSamples(
    'grafana',
    'gitleaks grafana-service-account-token',
    'grafana',
    () => `glsa_${alnum(32)}_${hex(8)}`,
    1,
  ),
  ...tokenSamples(
    'heroku',
    'gitleaks heroku-api-key-v2',
    'heroku',
    () => `HRKU-AA${urlsafe(58)}`,
    1,
  ),
  ...tokenSamples(
    'infracost',
    'gitleaks infracost-api-token',
    'infracost',
    () => `ico-${alnum(32)}`,
    1,
  ),
  ...tokenSamples('linear', 'gitleaks linear-api-key', 'linear', () => `lin_api_${alnum(40)}`, 1),
  ...tokenSamples(
    'notion',
    'gitleaks notion-api-token',
    'notion',
    () => `ntn_${digits(11)}${alnum(35)}`,
    1,
  ),
  ...tokenSamples(
    'octopus',
    'gitleaks octopus-deploy-api-key',
    'octopus',
    () => `API-${chars(UPPER + DIGITS, 26)}`,
    1,
  ),
  ...tokenSamples(
    'openshift',
    'gitleaks openshift-user-token',
    'oc',
    () => `sha256~${urlsafe(43)}`,
    1,
  ),
  ...tokenSamples(
    'perplexity',
    'gitleaks perplexity-api-key',
    'pplx',
    () => `pplx-${alnum(48)}`,
    1,
  ),
  ...tokenSamples(
    'planetscale',
    'gitleaks planetscale-api-token',
    'pscale',
    () => `pscale_tkn_${urlsafe(43)}`,
    1,
  ),
  ...tokenSamples(
    'postman',
    'gitleaks postman-api-token',
    'postman',
    () => `PMAK-${hex(24)}-${hex(34)}`,
    1,
  ),
  ...tokenSamples('prefect', 'gitleaks prefect-api-token', 'prefect', () => `pnu_${alnum(36)}`, 1),
  ...tokenSamples('pulumi', 'gitleaks pulumi-api-token', 'pulumi', () => `pul-${hex(40)}`, 1),
  ...tokenSamples(
    'readme',
    'gitleaks readme-api-token',
    'readme',
    () => `rdme_${chars(LOWER + DIGITS, 70)}`,
    1,
  ),
  ...tokenSamples('rubygems', 'gitleaks rubygems-api-token', 'gem', () => `rubygems_${hex(48)}`, 1),
  ...tokenSamples(
    'scalingo',
    'gitleaks scalingo-api-token',
    'scalingo',
    () => `tk-us-${urlsafe(48)}`,
    1,
  ),
  ...tokenSamples(
    'sendinblue',
    'gitleaks sendinblue-api-token',
    'brevo',
    () => `xkeysib-${hex(64)}-${alnum(16)}`,
    1,
  ),
  ...tokenSamples('sentry', 'gitleaks sentry-user-token', 'sentry', () => `sntryu_${hex(64)}`, 1),
  ...tokenSamples(
    'settlemint',
    'gitleaks settlemint-personal-access-token',
    'sm',
    () => `sm_pat_${alnum(16)}`,
    1,
  ),
  ...tokenSamples(
    'shippo',
    'gitleaks shippo-api-token',
    'shippo',
    () => `shippo_live_${hex(40)}`,
    1,
  ),
  ...tokenSamples(
    'airtable',
    'gitleaks airtable-personnal-access-token',
    'airtable',
    () => `pat${alnum(14)}.${hex(64)}`,
    1,
  ),
  ...tokenSamples('adobe', 'gitleaks adobe-client-secret', 'adobe', () => `p8e-${alnum(32)}`, 1),
  ...tokenSamples(
    'newrelic',
    'gitleaks new-relic-user-api-key',
    'newrelic',
    () => `NRAK-${chars(UPPER + DIGITS, 27)}`,
    1,
  ),
  ...tokenSamples(
    'mailgun',
    'gitleaks mailgun-private-api-token',
    'mailgun',
    () => `key-${hex(32)}`,
    1,
  ),
  ...tokenSamples(
    'twitter',
    'gitleaks twitter-bearer-token',
    'twitter',
    () => `${'A'.repeat(22)}${alnum(90)}`,
    1,
  ),
  ...tokenSamples(
    'twilio',
    'gitleaks twilio-api-key; detect-secrets TwilioKeyDetector',
    'twilio',
    () => `SK${hex(32)}`,
    1,
  ),
  ...tokenSamples(
    'duffel',
    'gitleaks duffel-api-token',
    'duffel',
    () => `duffel_live_${urlsafe(43)}`,
    1,
  ),
  ...tokenSamples(
    '1password',
    'gitleaks 1password-secret-key',
    'op',
    () =>
      `A3-${chars(UPPER + DIGITS, 6)}-${chars(UPPER + DIGITS, 11)}-${chars(UPPER + DIGITS, 5)}-${chars(UPPER + DIGITS, 5)}-${chars(UPPER + DIGITS, 5)}`,
    1,
  ),
  ...tokenSamples(
    'discord',
    'detect-secrets DiscordBotTokenDetector',
    'discord',
    () => `M${urlsafe(23)}.${urlsafe(6)}.${urlsafe(27)}`,
    1,
  ),
  ...tokenSamples(
    'telegram',
    'gitleaks telegram-bot-api-token',
    'telegram',
    () => `${digits(10)}:A${urlsafe(34)}`,
    1,
  ),
  ...tokenSamples(
    'mailchimp',
    'detect-secrets MailchimpDetector',
    'mailchimp',
    () => `${hex(32)}-us${digits(2)}`,
    1,
  ),
  ...tokenSamples(
    'azure',
    'gitleaks azure-ad-client-secret',
    'azure',
    () => `${alnum(3)}8Q~${chars(`${ALNUM}_~.-`, 34)}`,
    1,
  ),
  ...tokenSamples(
    'terraform',
    'gitleaks hashicorp-tf-api-token',
    'tfc',
    () => `${alnum(14)}.atlasv1.${urlsafe(67)}`,
    1,
  ),
  ...tokenSamples(
    'maxmind',
    'gitleaks maxmind-license-key',
    'maxmind',
    () => `${alnum(6)}_${alnum(29)}_mmk`,
    1,
  ),
  ...tokenSamples(
    'facebook',
    'gitleaks facebook-access-token',
    'fb',
    () => `${digits(15)}|${urlsafe(32)}`,
    1,
  ),
];

function jwt(): string {
  const header = base64Of('{"alg":"RS256","typ":"JWT","kid":"k1"}').replace(/=+$/, '');
  const payload = base64Of(
    `{"sub":"${hex(12)}","iss":"https://idp.example.com","exp":${digits(10)}}`,
  ).replace(/=+$/, '');
  return `${header}.${payload}.${urlsafe(43)}`;
}

/** A sample whose secret is `value`, shown in the log line `render` makes of it. */
const at = (
  family: string,
  source: string,
  value: string,
  render: (v: string) => string,
): SecretSample => ({ family, source, text: render(value), secrets: [value] });

const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;

const contexts: SecretSample[] = [
  // detect-secrets KeywordDetector / gitleaks generic-api-key: secret-named keys.
  at(
    'assignment',
    'detect-secrets KeywordDetector',
    password(),
    (v) => `${ts()} [ERROR] login failed password=${v} user=ops`,
  ),
  at('assignment', 'detect-secrets KeywordDetector', password(), (v) => `env DB_PASSWORD: "${v}"`),
  at(
    'assignment',
    'gitleaks generic-api-key',
    password(),
    (v) => `{"user":"svc","password":"${v}","retries":3}`,
  ),
  at(
    'assignment',
    'detect-secrets KeywordDetector',
    password(),
    (v) => `PGPASSWORD=${v} psql -h db-main -U app`,
  ),
  at('assignment', 'gitleaks generic-api-key', password(), (v) => `config.mysql.passwd = '${v}'`),
  at(
    'assignment',
    'gitleaks generic-api-key',
    alnum(32),
    (v) => `client_secret=${v}&grant_type=client_credentials`,
  ),
  at('assignment', 'gitleaks generic-api-key', b64(40), (v) => `aws_secret_access_key = ${v}`),
  at('assignment', 'gitleaks generic-api-key', hex(64), (v) => `"credentials" : "${v}"`),
  at('assignment', 'gitleaks generic-api-key', alnum(30), (v) => `mySecretString=${v}`),
  at('assignment', 'gitleaks generic-api-key', urlsafe(100), (v) => `private-key: ${v}`),
  at(
    'assignment',
    'detect-secrets KeywordDetector',
    password(),
    (v) => `$config['db_pass'] => '${v}'`,
  ),
  at('assignment', 'gitleaks generic-api-key', urlsafe(40), (v) => `AUTH_TOKEN := "${v}"`),
  at('assignment', 'gitleaks generic-api-key', hex(128), (v) => `SECRET_KEY_BASE=${v}`),
  at(
    'assignment',
    'gitleaks generic-api-key',
    alnum(32),
    (v) => `System.setProperty("API_TOKEN", "${v}")`,
  ),
  at(
    'assignment',
    'detect-secrets KeywordDetector',
    password(),
    (v) => `{\\"password\\":\\"${v}\\",\\"user\\":\\"app\\"}`,
  ),
  at('assignment', 'detect-secrets KeywordDetector', alnum(40), (v) => `  "apiKey": "${v}",`),
  at(
    'assignment',
    'gitleaks generic-api-key',
    urlsafe(48),
    (v) => `refresh_token=${v} expires_in=3600`,
  ),
  at(
    'assignment',
    'gitleaks generic-api-key',
    alnum(32),
    (v) => `map[user:svc token:${v} retries:3]`,
  ),
  // Passwords holding "@" or spaces.
  at(
    'assignment',
    'issue #11 finding',
    password('space'),
    (v) => `login retry password="${v}" user=bob`,
  ),
  at('assignment', 'issue #11 finding', password('space'), (v) => `{"db":{"password":"${v}"}}`),
  at('assignment', 'issue #11 finding', password('space'), (v) => `SMTP_PASSWORD='${v}'`),
  at('assignment', 'issue #11 finding', password('at'), (v) => `ldap bind failed: password=${v}`),
  at(
    'assignment',
    'issue #11 finding',
    password('space'),
    (v) => `Server=sql-01;Database=orders;User Id=sa;Password=${v};Encrypt=True`,
  ),
  // Azure: detect-secrets AzureStorageKeyDetector (AccountKey=, 88 base64), SAS sig=.
  at(
    'azure',
    'detect-secrets AzureStorageKeyDetector',
    `${b64(86)}==`,
    (v) =>
      `DefaultEndpointsProtocol=https;AccountName=prodlogs;AccountKey=${v};EndpointSuffix=core.windows.net`,
  ),
  at(
    'azure',
    'Azure SAS (sig=)',
    encodeURIComponent(`${b64(43)}=`),
    (v) =>
      `GET https://prodlogs.blob.core.windows.net/app/log.gz?sv=2022-11-02&ss=b&srt=o&sp=r&se=2024-06-01T00:00:00Z&sig=${v} 403`,
  ),
  at(
    'azure',
    'Azure Service Bus SharedAccessKey',
    `${b64(43)}=`,
    (v) =>
      `Endpoint=sb://orders.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=${v}`,
  ),
  // Google API key in a query string; tokens in query strings.
  at(
    'google',
    'gitleaks gcp-api-key',
    `AIza${urlsafe(35)}`,
    (v) => `GET https://maps.googleapis.com/maps/api/geocode/json?address=x&key=${v} 200`,
  ),
  at(
    'query',
    'gitleaks generic-api-key',
    alnum(40),
    (v) => `GET /v1/export?access_token=${v}&format=csv 401`,
  ),
  at(
    'query',
    'gitleaks generic-api-key',
    hex(32),
    (v) => `callback https://hooks.example.com/notify?token=${v}&id=7`,
  ),
  // Headers: gitleaks curl-auth-header.
  at('header', 'gitleaks curl-auth-header', hex(40), (v) => `Authorization: Token ${v}`),
  at('header', 'gitleaks curl-auth-header', alnum(40), (v) => `Authorization: Bearer ${v}`),
  at('header', 'gitleaks curl-auth-header', hex(40), (v) => `authorization: Api-Token ${v}`),
  at('header', 'gitleaks curl-auth-header', uuid(), (v) => `Authorization: ${v}`),
  at(
    'header',
    'gitleaks curl-auth-header',
    `${alnum(24)}.${alnum(16)}`,
    (v) => `headers={'Authorization': 'Bearer ${v}', 'Accept': 'application/json'}`,
  ),
  at(
    'header',
    'gitleaks curl-auth-header',
    base64Of(`proxyuser:${password()}`),
    (v) => `Proxy-Authorization: Basic ${v}`,
  ),
  at(
    'header',
    'gitleaks curl-auth-header',
    base64Of(`deploy:${password()}`),
    (v) => `upstream 401 with Basic ${v}`,
  ),
  at('header', 'gitleaks curl-auth-header', hex(40), (v) => `X-Api-Key: ${v}`),
  at('header', 'gitleaks curl-auth-header', uuid(), (v) => `-H "X-Octopus-ApiKey: ${v}"`),
  at(
    'header',
    'GitLab Private-Token header',
    alnum(20),
    (v) => `GET /api/v4/projects Private-Token: ${v}`,
  ),
  at('header', 'Vault X-Vault-Token header', alnum(26), (v) => `X-Vault-Token: ${v}`),
  at(
    'header',
    'session cookie',
    chars(LOWER + DIGITS, 32),
    (v) => `Cookie: _gitlab_session=${v}; theme=dark`,
  ),
  at(
    'header',
    'session cookie',
    urlsafe(32),
    (v) => `Set-Cookie: sessionid=${v}; Path=/; HttpOnly`,
  ),
  at('header', 'session cookie', hex(32).toUpperCase(), (v) => `Cookie: JSESSIONID=${v}`),
  at(
    'header',
    'HTTP Digest',
    hex(32),
    (v) =>
      `Authorization: Digest username="ops", realm="api", nonce="${hex(32)}", uri="/", response="${v}"`,
  ),
  // gitleaks curl-auth-user.
  at(
    'curl',
    'gitleaks curl-auth-user',
    password(),
    (v) => `curl --cacert ca.crt -u elastic:${v} https://localhost:9200`,
  ),
  at(
    'curl',
    'gitleaks curl-auth-user',
    password(),
    (v) => `curl -s --user 'api:${v}' https://api.mailgun.net/v3/messages`,
  ),
  at(
    'curl',
    'gitleaks curl-auth-user',
    password('at'),
    (v) => `curl -s -v --user "j.smith:${v}" "https://api.contoso.org/user/me"`,
  ),
  at(
    'curl',
    'gitleaks curl-auth-user',
    password(),
    (v) => `curl --user kevin:'${v}' -iX PATCH -H "Content-Type: application/json"`,
  ),
  at(
    'curl',
    'gitleaks curl-auth-user',
    password(),
    (v) => `curl -u ":${v}" https://localhost:9200`,
  ),
  at(
    'curl',
    'gitleaks curl-auth-user',
    `rk_live_${alnum(24)}`,
    (v) => `curl https://api.stripe.com/v1/charges -u ${v}:`,
  ),
  at(
    'curl',
    'gitleaks curl-auth-header',
    urlsafe(40),
    (v) => `curl -X POST -H 'Authorization: Bearer ${v}' https://api.example.com/v1/jobs`,
  ),
  // Command-line flags.
  at(
    'flag',
    'command line',
    urlsafe(28),
    (v) => `exec: vault login --token ${v} --address https://vault:8200`,
  ),
  at('flag', 'command line', password(), (v) => `pg_dump --password ${v} --host db-main`),
  at('flag', 'command line', password(), (v) => `sshpass -p '${v}' ssh deploy@web-01 uptime`),
  at('flag', 'command line', password(), (v) => `mysql -uroot -p${v} -h db-main orders`),
  at('flag', 'command line', urlsafe(36), (v) => `docker login -u ci -p ${v} registry.example.com`),
  at('flag', 'command line', password(), (v) => `redis-cli -h cache-01 -a ${v} INFO memory`),
  // Prose: the word names the secret and the value follows.
  at(
    'prose',
    'gitleaks generic-api-key (prose)',
    alnum(28),
    (v) => `pagerduty routing key ${v} rejected`,
  ),
  at(
    'prose',
    'gitleaks generic-api-key (prose)',
    `whsec_${alnum(32)}`,
    (v) => `verifying with webhook secret ${v}`,
  ),
  // detect-secrets BasicAuthDetector: URL userinfo.
  at(
    'url',
    'detect-secrets BasicAuthDetector',
    password(),
    (v) => `connect postgres://app_user:${v}@db.internal:5432/payments failed`,
  ),
  at(
    'url',
    'detect-secrets BasicAuthDetector',
    password(),
    (v) => `redis: dial redis://:${v}@cache-01:6379/0 timeout`,
  ),
  at(
    'url',
    'detect-secrets BasicAuthDetector',
    password('at'),
    (v) => `amqp://orders:${v}@rabbit-01:5672/vhost connection reset`,
  ),
  at(
    'url',
    'detect-secrets BasicAuthDetector',
    alnum(24),
    (v) => `mongodb+srv://reporting:${v}@cluster0.abcde.mongodb.net/app?retryWrites=true`,
  ),
  at(
    'url',
    'detect-secrets BasicAuthDetector',
    `ghs_${alnum(36)}`,
    (v) => `git fetch https://x-access-token:${v}@github.com/acme/app.git`,
  ),
  at(
    'url',
    'detect-secrets BasicAuthDetector',
    password(),
    (v) => `proxy=http://proxyuser:${v}@10.0.0.5:3128`,
  ),
  at(
    'url',
    'detect-secrets BasicAuthDetector',
    password(),
    (v) => `"DATABASE_URL": "mysql://root:${v}@mysql.svc:3306/app"`,
  ),
  // Webhooks: gitleaks slack-webhook-url, microsoft-teams-webhook.
  at(
    'webhook',
    'gitleaks slack-webhook-url',
    `T${alnum(8)}/B${alnum(10)}/${alnum(24)}`,
    (v) => `POST https://hooks.slack.com/services/${v} 404`,
  ),
  at(
    'webhook',
    'gitleaks microsoft-teams-webhook',
    `${uuid()}@${uuid()}/IncomingWebhook/${hex(32)}/${uuid()}`,
    (v) => `https://acme.webhook.office.com/webhookb2/${v}`,
  ),
  at(
    'webhook',
    'Discord webhook URL',
    urlsafe(68),
    (v) => `https://discord.com/api/webhooks/${digits(18)}/${v}`,
  ),
  // XML (gitleaks nuget-config-password) and npm (detect-secrets NpmDetector).
  at(
    'xml',
    'gitleaks nuget-config-password',
    password(),
    (v) => `<add key="ClearTextPassword" value="${v}" />`,
  ),
  at('xml', 'XML element', password(), (v) => `<password>${v}</password>`),
  at(
    'npm',
    'detect-secrets NpmDetector',
    `npm_${alnum(36)}`,
    (v) => `//registry.npmjs.org/:_authToken=${v}`,
  ),
  at('npm', 'detect-secrets NpmDetector', uuid(), (v) => `//npm.pkg.example.com/:_authToken=${v}`),
  // Kubernetes Secret data (base64 values) and base64 PEM (tls.key).
  at('k8s', 'gitleaks kubernetes-secret-yaml', base64Of(password()), (v) => `  password: ${v}`),
  at(
    'k8s',
    'base64 of -----BEGIN',
    base64Of(`-----BEGIN PRIVATE KEY-----\n${b64(64)}\n`),
    (v) => `  tls.key: ${v}`,
  ),
  at(
    'k8s',
    'docker config json',
    base64Of(`{"auths":{"registry.example.com":{"auth":"${base64Of(`ci:${password()}`)}"}}}`),
    (v) => `  .dockerconfigjson: ${v}`,
  ),
  // Opaque high-entropy values with no key (detect-secrets Base64HighEntropyString).
  at(
    'entropy',
    'detect-secrets Base64HighEntropyString',
    `${b64(44)}=`,
    (v) => `${ts()} [WARN] signing with ${v} failed`,
  ),
  at(
    'entropy',
    'detect-secrets Base64HighEntropyString',
    urlsafe(64),
    (v) => `decrypt error for blob ${v}`,
  ),
];

const PEM_BODY = () => Array.from({ length: 6 }, () => b64(64)).concat([`${b64(22)}==`]);

function pemLines(kind: string, body: readonly string[], prefix: () => string): string[] {
  return [
    `${prefix()}-----BEGIN ${kind}-----`,
    ...body.map((l) => `${prefix()}${l}`),
    `${prefix()}-----END ${kind}-----`,
  ];
}

const logPrefix = () => `${ts()} keygen[${digits(4)}]: `;
const rsa = PEM_BODY();
const ec = PEM_BODY();
const pkcs8 = PEM_BODY();
const openssh = PEM_BODY();
const encrypted = PEM_BODY();
const pgp = PEM_BODY();
const orphan = PEM_BODY();
const oneLine = b64(120);
const jsonKey = PEM_BODY();
const ssh2 = PEM_BODY();
const putty = PEM_BODY();

const blocks: SecretSample[] = [
  {
    family: 'key-block',
    source: 'gitleaks private-key; detect-secrets PrivateKeyDetector',
    text: pemLines('RSA PRIVATE KEY', rsa, logPrefix),
    secrets: rsa,
  },
  {
    family: 'key-block',
    source: 'gitleaks private-key',
    text: pemLines('EC PRIVATE KEY', ec, () => ''),
    secrets: ec,
  },
  {
    family: 'key-block',
    source: 'gitleaks private-key',
    text: pemLines('PRIVATE KEY', pkcs8, () => '').map((l) => `{"level":"info","msg":"${l}"}`),
    secrets: pkcs8,
  },
  {
    family: 'key-block',
    source: 'detect-secrets PrivateKeyDetector (OPENSSH)',
    text: pemLines('OPENSSH PRIVATE KEY', openssh, () => `${ts()} cloud-init: `),
    secrets: openssh,
  },
  {
    family: 'key-block',
    source: 'gitleaks private-key (encrypted PEM with headers)',
    text: [
      '-----BEGIN RSA PRIVATE KEY-----',
      'Proc-Type: 4,ENCRYPTED',
      `DEK-Info: AES-256-CBC,${hex(32).toUpperCase()}`,
      '',
      ...encrypted,
      '-----END RSA PRIVATE KEY-----',
    ],
    secrets: encrypted,
  },
  {
    family: 'key-block',
    source: 'gitleaks private-key; detect-secrets PrivateKeyDetector (PGP)',
    text: [
      '-----BEGIN PGP PRIVATE KEY BLOCK-----',
      'Version: GnuPG v2',
      '',
      ...pgp,
      `=${b64(4)}`,
      '-----END PGP PRIVATE KEY BLOCK-----',
    ],
    secrets: pgp,
  },
  {
    family: 'key-block',
    source: 'detect-secrets PrivateKeyDetector (SSH2 ENCRYPTED)',
    text: [
      '---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----',
      'Comment: "rsa-key-20240501"',
      ...ssh2,
      '---- END SSH2 ENCRYPTED PRIVATE KEY ----',
    ],
    secrets: ssh2,
  },
  {
    family: 'key-block',
    source: 'detect-secrets PrivateKeyDetector (PuTTY-User-Key-File-2)',
    text: [
      'PuTTY-User-Key-File-2: ssh-rsa',
      'Encryption: none',
      'Comment: rsa-key-20240501',
      'Public-Lines: 1',
      `AAAAB3NzaC1yc2EAAAADAQABAAABAQ${b64(34)}`,
      `Private-Lines: ${putty.length}`,
      ...putty,
      `Private-MAC: ${hex(40)}`,
    ],
    secrets: putty,
  },
  {
    family: 'key-block',
    source: 'key whose BEGIN line fell before the fetched window',
    text: [...orphan.map((l) => `${logPrefix()}${l}`), `${logPrefix()}-----END PRIVATE KEY-----`],
    secrets: orphan,
  },
  {
    family: 'key-block',
    source: 'gitleaks private-key (one line)',
    text: `loaded key -----BEGIN RSA PRIVATE KEY-----${oneLine}-----END RSA PRIVATE KEY----- from env`,
    secrets: [oneLine],
  },
  {
    family: 'key-block',
    source: 'GCP service-account JSON (gitleaks gcp-service-account)',
    text: `{"type": "service_account", "private_key_id": "${hex(40)}", "private_key": "-----BEGIN PRIVATE KEY-----\\n${jsonKey.join('\\n')}\\n-----END PRIVATE KEY-----\\n", "client_email": "ci@proj.iam.gserviceaccount.com"}`,
    secrets: jsonKey,
  },
];

/**
 * gitleaks' sample syntaxes (GenerateSampleSecrets: INI, JSON, XML, YAML, C#, Go, Java, Kotlin,
 * PHP, Python, Logstash, Make) with an identifier before "Token": the key alone must give away a
 * secret that has no format of its own.
 */
const SYNTAXES: readonly string[] = [
  '{i}Token="{s}"',
  '{i}Token = "{s}"',
  '{i}Token={s}',
  '{i}Token = {s}',
  '{\n    "{i}_token": "{s}"\n}',
  '{"config.ini": "{I}_TOKEN={s}\\nBACKUP_ENABLED=true"}',
  '<{i}Token>\n    {s}\n</{i}Token>',
  '{i}_token: {s}',
  "{i}_token: '{s}'",
  '{i}_token: "{s}"',
  'string {i}Token = "{s}";',
  'var {i}Token string = "{s}"',
  '{i}Token := "{s}"',
  '{i}Token := `{s}`',
  'String {i}Token = "{s}";',
  'var {i}Token = "{s}"',
  '\u0024{i}Token .= "{s}"', // PHP: $githubToken .= "…"
  "{i}Token = '{s}'",
  '{i}Token = "{s}"',
  'System.setProperty("{I}_TOKEN", "{s}")',
  '  "{i}Token" => "{s}"',
  '{i}_TOKEN = "{s}"',
  '{i}_TOKEN := "{s}"',
  '{i}_TOKEN ::= "{s}"',
  '{i}_TOKEN :::= "{s}"',
  '{i}_TOKEN ?= "{s}"',
];

const syntaxes: SecretSample[] = [
  ['generic', () => alnum(32)],
  ['password', () => password()],
].flatMap(([identifier, make]) =>
  SYNTAXES.map((syntax) => {
    const secret = (make as () => string)();
    const id = identifier as string;
    const text = syntax
      .replaceAll('{i}', id)
      .replaceAll('{I}', id.toUpperCase())
      .replaceAll('{s}', secret);
    return {
      family: 'assignment',
      source: 'gitleaks GenerateSampleSecrets syntaxes',
      text: text.includes('\n') && !text.includes('\\n') ? text.split('\n') : text,
      secrets: [secret],
    };
  }),
);

/**
 * A held-out set: formats and log styles the rules above were not written against, gathered
 * from other scanners' rule sets (gitleaks config/gitleaks.toml, trufflehog pkg/detectors,
 * detect-secrets plugins) and from the shapes incident logs take. Format samples sit in lines
 * with no secret-named key, so the format rule itself is what must catch them.
 */
const KEYLESS: readonly ((s: string) => string)[] = [
  (s) => `${ts()} ERROR upstream rejected ${s}: 401 Unauthorized`,
  (s) => `level=warn msg="retrying with ${s}" attempt=3`,
  (s) => `panic: invalid header value "${s}"`,
  (s) => `+ ./deploy.sh ${s} production`,
  (s) => `Error: 403 Forbidden for ${s} (scopes: read)`,
];

let keyless = 0;
const bare = (family: string, source: string, make: () => string, count = 1): SecretSample[] =>
  Array.from({ length: count }, () => {
    const value = make();
    const render = KEYLESS[keyless++ % KEYLESS.length] as (s: string) => string;
    return { family, source, text: render(value), secrets: [value] };
  });

const heldOutTokens: SecretSample[] = [
  ...bare(
    'slack',
    'gitleaks slack-bot-token',
    () => `xoxb-${digits(11)}-${digits(13)}-${alnum(24)}`,
    2,
  ),
  ...bare(
    'slack',
    'gitleaks slack-user-token',
    () => `xoxp-${digits(11)}-${digits(11)}-${digits(13)}-${hex(32)}`,
  ),
  ...bare(
    'slack',
    'gitleaks slack-app-token',
    () => `xapp-1-A${chars(UPPER + DIGITS, 10)}-${digits(13)}-${hex(64)}`,
  ),
  ...bare(
    'slack',
    'gitleaks slack-legacy-workspace-token',
    () => `xoxs-${digits(10)}-${digits(12)}-${digits(12)}-${hex(10)}`,
  ),
  ...bare(
    'google',
    'trufflehog gcpoauth: Google OAuth client secret (GOCSPX-)',
    () => `GOCSPX-${urlsafe(28)}`,
    2,
  ),
  ...bare(
    'google',
    'trufflehog googleoauth2: OAuth access token (ya29.)',
    () => `ya29.a0${urlsafe(150)}`,
    2,
  ),
  ...bare(
    'google',
    'GCS HMAC key access id (GOOG1E, 61 upper alnum)',
    () => `GOOG1E${chars(UPPER + DIGITS, 55)}`,
  ),
  ...bare(
    'dockerhub',
    'trufflehog dockerhub (dckr_pat_, dckr_oat_)',
    () => `dckr_pat_${urlsafe(27)}`,
    2,
  ),
  ...bare(
    'dockerhub',
    'trufflehog dockerhub (dckr_pat_, dckr_oat_)',
    () => `dckr_oat_${urlsafe(32)}`,
  ),
  ...bare('contentful', 'trufflehog contentfulpersonalaccesstoken', () => `CFPAT-${urlsafe(43)}`),
  ...bare('sourcegraph', 'gitleaks sourcegraph-access-token', () => `sgp_${hex(16)}_${hex(40)}`),
  ...bare('sourcegraph', 'gitleaks sourcegraph-access-token', () => `sgp_local_${hex(40)}`),
  ...bare('posthog', 'trufflehog posthog (phx_)', () => `phx_${alnum(43)}`),
  ...bare('hubspot', 'trufflehog hubspot private app token (pat-na1-)', () => `pat-na1-${uuid()}`),
  ...bare('hubspot', 'trufflehog hubspot private app token (pat-eu1-)', () => `pat-eu1-${uuid()}`),
  ...bare('xai', 'trufflehog xai', () => `xai-${alnum(80)}`),
  ...bare('groq', 'trufflehog groq', () => `gsk_${alnum(52)}`),
  ...bare('replicate', 'trufflehog replicate', () => `r8_${urlsafe(37)}`),
  ...bare('supabase', 'trufflehog supabasetoken', () => `sbp_${hex(40)}`),
  ...bare('tailscale', 'trufflehog tailscale', () => `tskey-auth-k${alnum(10)}CNTRL-${alnum(33)}`),
  ...bare('tailscale', 'trufflehog tailscale', () => `tskey-api-k${alnum(10)}CNTRL-${alnum(33)}`),
  ...bare('langsmith', 'trufflehog langsmith', () => `lsv2_pt_${hex(32)}_${hex(10)}`),
  ...bare('langsmith', 'trufflehog langsmith', () => `lsv2_sk_${hex(32)}_${hex(10)}`),
  ...bare('pinecone', 'trufflehog pinecone', () => `pcsk_${alnum(6)}_${alnum(63)}`),
  ...bare('buildkite', 'trufflehog buildkite', () => `bkua_${chars(LOWER + DIGITS, 40)}`),
  ...bare('circleci', 'trufflehog circleci personal token', () => `CCIPAT_${alnum(22)}_${hex(40)}`),
  ...bare('netlify', 'trufflehog netlify (nfp_)', () => `nfp_${alnum(36)}`),
  ...bare('doppler', 'trufflehog doppler (dp.st., dp.ct., dp.sa.)', () => `dp.st.prd.${alnum(43)}`),
  ...bare('doppler', 'trufflehog doppler (dp.st., dp.ct., dp.sa.)', () => `dp.ct.${alnum(43)}`),
  ...bare('doppler', 'trufflehog doppler (dp.st., dp.ct., dp.sa.)', () => `dp.sa.${alnum(43)}`),
  ...bare('stripe', 'Stripe webhook signing secret (whsec_)', () => `whsec_${alnum(32)}`, 2),
  ...bare('stripe', 'trufflehog stripe (sk_live_)', () => `sk_live_${alnum(99)}`),
  ...bare('typeform', 'gitleaks typeform-api-token', () => `tfp_${urlsafe(59)}`),
  ...bare('new-relic', 'trufflehog newreliclicensekey (…NRAL)', () => `eu01xx${hex(30)}NRAL`),
  ...bare('new-relic', 'trufflehog newreliclicensekey (…NRAL)', () => `${hex(36)}NRAL`),
  ...bare('new-relic', 'trufflehog newrelicinsightsquerykey (NRIQ-)', () => `NRIQ-${urlsafe(25)}`),
  ...bare(
    'new-relic',
    'gitleaks new-relic-user-api-key',
    () => `NRAK-${chars(UPPER + DIGITS, 27)}`,
  ),
  ...bare('mailgun', 'trufflehog mailgun (hex key)', () => `${hex(32)}-${hex(8)}-${hex(8)}`, 2),
  ...bare(
    'atlassian',
    'trufflehog atlassian (ATCTT3)',
    () => `ATCTT3xFfG${urlsafe(170)}=${alnum(8)}`,
  ),
  ...bare(
    'atlassian',
    'gitleaks atlassian-api-token',
    () => `ATATT3xFfGF0${urlsafe(174)}=${hex(8).toUpperCase()}`,
  ),
  ...bare('notion', 'Notion integration token (legacy secret_)', () => `secret_${alnum(43)}`),
  ...bare('notion', 'gitleaks notion-api-token', () => `ntn_${digits(11)}${alnum(35)}`),
  ...bare('facebook', 'Facebook user/app access token (EAA…)', () => `EAAG${alnum(160)}`),
  ...bare(
    'firebase',
    'Firebase Cloud Messaging server key (AAAA…:APA91b…)',
    () => `AAAA${urlsafe(7)}:APA91b${urlsafe(134)}`,
  ),
  ...bare(
    'azure',
    'Azure DevOps PAT (84 characters, AZDO signature)',
    () => `${alnum(52)}${chars(UPPER + DIGITS, 24)}AZDO${alnum(4)}`,
  ),
  ...bare(
    'openai',
    'gitleaks openai-api-key (sk-svcacct-, sk-admin-)',
    () => `sk-svcacct-${urlsafe(58)}T3BlbkFJ${urlsafe(58)}`,
  ),
  ...bare('openai', 'trufflehog openrouter', () => `sk-or-v1-${hex(64)}`),
  ...bare('anthropic', 'gitleaks anthropic-admin-api-key', () => `sk-ant-admin01-${urlsafe(93)}AA`),
  ...bare('grafana', 'gitleaks grafana-service-account-token', () => `glsa_${alnum(32)}_${hex(8)}`),
  ...bare(
    'grafana',
    'gitleaks grafana-cloud-api-token',
    () =>
      `glc_${base64Of(`{"o":"${digits(6)}","n":"stack-${digits(6)}-hm-read","k":"${alnum(24)}","m":{"r":"prod-eu-west-0"}}`)}`,
  ),
  ...bare(
    'age',
    'gitleaks age-secret-key',
    () => `AGE-SECRET-KEY-1${chars('QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L', 58)}`,
  ),
  ...bare('jwt', 'gitleaks jwt', () => jwt()),
  ...bare('telegram', 'trufflehog telegrambottoken', () => `${digits(10)}:AA${urlsafe(33)}`),
  ...bare('pulumi', 'gitleaks pulumi-api-token', () => `pul-${hex(40)}`),
  ...bare('linear', 'gitleaks linear-api-key', () => `lin_api_${alnum(40)}`),
  ...bare('databricks', 'gitleaks databricks-api-token', () => `dapi${hex(32)}-2`),
  ...bare('heroku', 'gitleaks heroku-api-key-v2', () => `HRKU-AA${urlsafe(58)}`),
  ...bare(
    'terraform',
    'gitleaks hashicorp-tf-api-token',
    () => `${alnum(14)}.atlasv1.${urlsafe(67)}`,
  ),
];

const gcpBody = PEM_BODY();

const heldOutContexts: SecretSample[] = [
  // A query string inside a URL-encoded parameter (redirects, OAuth callbacks, proxied URLs).
  at(
    'url-encoded',
    'RFC 3986 percent-encoding of a nested query (%3F ? %3D = %26 &)',
    chars(HEX, 32),
    (v) => `GET /oauth/callback?redirect=%2Fapp%3Fapi_key%3D${v}%26page%3D2&x=1 302`,
  ),
  at(
    'url-encoded',
    'RFC 3986 percent-encoding of a nested query',
    alnum(24),
    (v) => `proxy: upstream=https%3A%2F%2Fapi.example.com%2Fv1%3Faccess_token%3D${v} status=502`,
  ),
  // Honeycomb: the key goes in the X-Honeycomb-Team header (docs.honeycomb.io, API keys).
  at(
    'honeycomb',
    'docs.honeycomb.io API keys (configuration key in X-Honeycomb-Team)',
    chars(HEX, 32),
    (v) => `curl -H "X-Honeycomb-Team: ${v}" https://api.honeycomb.io/1/events/prod`,
  ),
  at(
    'honeycomb',
    'docs.honeycomb.io API keys (ingest keys hcaik_)',
    `hcaik_${chars(LOWER + DIGITS, 58)}`,
    (v) => `otel-collector: exporting to api.honeycomb.io with key ${v} failed: 401`,
  ),
  // Telegram's bot API puts the token in the path: /bot<token>/sendMessage.
  at(
    'telegram',
    'trufflehog telegrambottoken (tgram://, api.telegram.org/bot…)',
    `${digits(10)}:AA${urlsafe(33)}`,
    (v) => `POST https://api.telegram.org/bot${v}/sendMessage 429`,
  ),
  at(
    'slack',
    'gitleaks slack-webhook-url (workflows)',
    `T${chars(UPPER + DIGITS, 10)}/A${chars(UPPER + DIGITS, 10)}/${digits(18)}/${alnum(24)}`,
    (v) => `notify: POST https://hooks.slack.com/workflows/${v} -> 200`,
  ),
  // AWS: the secret key beside its name, in the places the CLI and SDKs print it.
  at(
    'aws',
    'gitleaks aws-access-token; AWS CLI sts output',
    b64(40),
    (v) => `    "SecretAccessKey": "${v}",`,
  ),
  at(
    'aws',
    'AWS CLI sts output',
    `IQoJb3JpZ2luX2VjE${b64(300)}`,
    (v) => `    "SessionToken": "${v}",`,
  ),
  at('aws', 'AWS credentials file', b64(40), (v) => `aws_secret_access_key=${v}`),
  at(
    'aws',
    'AWS SigV4 presigned URL',
    hex(64),
    (v) =>
      `GET https://acme-logs.s3.amazonaws.com/a.gz?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20240501T101500Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=${v} 403`,
  ),
  at(
    'azure',
    'gitleaks azure-ad-client-secret',
    `${alnum(3)}8Q~${chars(`${ALNUM}_~.-`, 34)}`,
    (v) => `AZURE_CLIENT_SECRET=${v}`,
  ),
  at(
    'azure',
    'trufflehog azure storage SAS (sig=)',
    `${alnum(20)}%2B${alnum(20)}%3D`,
    (v) =>
      `GET https://acme.blob.core.windows.net/backups/db.bak?sv=2022-11-02&ss=b&srt=co&sp=r&se=2024-06-01T00:00:00Z&spr=https&sig=${v} 403`,
  ),
  at(
    'azure',
    'trufflehog azuredevopspersonalaccesstoken',
    chars(LOWER + DIGITS, 52),
    (v) => `export AZURE_DEVOPS_EXT_PAT=${v}`,
  ),
  at(
    'azure',
    'trufflehog redis (Azure Cache for Redis connection string)',
    `${b64(43)}=`,
    (v) => `acme.redis.cache.windows.net:6380,password=${v},ssl=True,abortConnect=False`,
  ),
  // Datadog, New Relic, PagerDuty, Sentry, Okta: keyed by their own names.
  at(
    'datadog',
    'trufflehog datadogtoken (app key, 40)',
    hex(40),
    (v) => `DD_APP_KEY=${v} DD_SITE=datadoghq.eu`,
  ),
  at(
    'datadog',
    'trufflehog datadogapikey (api key, 32)',
    hex(32),
    (v) => `-H "DD-API-KEY: ${v}" https://api.datadoghq.com/api/v1/validate`,
  ),
  at(
    'datadog',
    'trufflehog datadogtoken (app key, 40)',
    hex(40),
    (v) => `-H "DD-APPLICATION-KEY: ${v}"`,
  ),
  at(
    'new-relic',
    'trufflehog newreliclicensekey',
    `${hex(36)}NRAL`,
    (v) => `  license_key: '${v}'`,
  ),
  at(
    'pagerduty',
    'trufflehog pagerdutyapikey (u+ and 18)',
    `u+${urlsafe(18)}`,
    (v) => `Authorization: Token token=${v}`,
  ),
  at(
    'pagerduty',
    'PagerDuty Events v2 routing key (32 hex)',
    hex(32),
    (v) => `{"routing_key":"${v}","event_action":"trigger"}`,
  ),
  at(
    'sentry',
    'Sentry DSN (public key as URL user)',
    hex(32),
    (v) => `SENTRY_DSN=https://${v}@o${digits(6)}.ingest.sentry.io/${digits(7)}`,
  ),
  at(
    'sentry',
    'Sentry DSN (legacy key:secret)',
    hex(32),
    (v) => `raven: dsn=https://${hex(32)}:${v}@sentry.example.com/12`,
  ),
  at(
    'okta',
    'gitleaks okta-access-token; Okta SSWS scheme',
    `00${urlsafe(40)}`,
    (v) => `Authorization: SSWS ${v}`,
  ),
  at('okta', 'gitleaks okta-access-token', `00${urlsafe(40)}`, (v) => `okta.client.token: ${v}`),
  at('twilio', 'trufflehog twilio (auth token, 32 hex)', hex(32), (v) => `TWILIO_AUTH_TOKEN=${v}`),
  at('heroku', 'gitleaks heroku-api-key', uuid(), (v) => `HEROKU_API_KEY=${v}`),
  at(
    'mailchimp',
    'gitleaks mailchimp-api-key',
    `${hex(32)}-us${digits(2)}`,
    (v) => `mailchimp: 401 for key ${v}`,
  ),
  at(
    'terraform',
    'Terraform CLI credentials block',
    `${alnum(14)}.atlasv1.${urlsafe(67)}`,
    (v) => `credentials "app.terraform.io" { token = "${v}" }`,
  ),
  // GCP service-account JSON as kubectl or a CI log prints it, one field per line.
  {
    family: 'key-block',
    source: 'GCP service-account JSON, pretty-printed (gitleaks gcp-service-account)',
    text: [
      '{',
      '  "type": "service_account",',
      `  "private_key_id": "${hex(40)}",`,
      `  "private_key": "-----BEGIN PRIVATE KEY-----\\n${gcpBody.join('\\n')}\\n-----END PRIVATE KEY-----\\n",`,
      '  "client_email": "deployer@acme-prod.iam.gserviceaccount.com"',
      '}',
    ],
    secrets: gcpBody,
  },
  // URL userinfo in the schemes services use (trufflehog uri, ftp, redis, rabbitmq, mongodb,
  // postgres, jdbc detectors).
  at(
    'url',
    'trufflehog rabbitmq (amqps)',
    password(),
    (v) => `amqps://orders:${v}@mq.internal:5671/%2F`,
  ),
  at(
    'url',
    'trufflehog postgres',
    password(),
    (v) => `dsn=postgresql://reporting:${v}@pg-replica-2.internal:5432/analytics?sslmode=require`,
  ),
  at(
    'url',
    'trufflehog jdbc (mysql)',
    password(),
    (v) => `jdbc:mysql://app:${v}@mysql-0.mysql:3306/orders?useSSL=true`,
  ),
  at(
    'url',
    'trufflehog ldap',
    password(),
    (v) => `ldaps://cn=admin,dc=acme,dc=io:${v}@ldap.acme.io:636`,
  ),
  at('url', 'trufflehog ftp', password(), (v) => `ftp://backup:${v}@ftp.example.net/dumps/`),
  at(
    'url',
    'trufflehog redis (rediss, with user)',
    urlsafe(32),
    (v) => `REDIS_URL=rediss://default:${v}@cache.upstash.io:6379`,
  ),
  at(
    'url',
    'trufflehog mongodb (replica set)',
    password(),
    (v) => `mongodb://admin:${v}@mongo-0:27017,mongo-1:27017/?replicaSet=rs0`,
  ),
  at(
    'url',
    'smtp URL',
    password(),
    (v) => `mailer: smtp://postmaster%40acme.io:${v}@smtp.mailgun.org:587 connect timeout`,
  ),
  at(
    'url',
    'trufflehog jdbc (oracle thin user/password@)',
    password(),
    (v) => `jdbc:oracle:thin:scott/${v}@//ora-01:1521/ORCL`,
  ),
  at(
    'url',
    'sqlplus user/password@connect',
    password(),
    (v) => `+ sqlplus -s system/${v}@ora-01:1521/ORCLPDB1 @migrate.sql`,
  ),
  // Passwords in the log styles of many tools.
  at(
    'assignment',
    'detect-secrets KeywordDetector (JSON, pwd)',
    password(),
    (v) => `{"host":"db-main","user":"app","pwd":"${v}"}`,
  ),
  at(
    'assignment',
    'detect-secrets KeywordDetector (logfmt, pass)',
    password(),
    (v) => `level=debug component=smtp user=alerts pass=${v}`,
  ),
  at(
    'assignment',
    'detect-secrets KeywordDetector (YAML, passwd)',
    password(),
    (v) => `    passwd: ${v}`,
  ),
  at('assignment', 'Ruby hash rocket', password(), (v) => `  :password => '${v}',`),
  at(
    'assignment',
    'Kafka SASL JAAS config',
    password(),
    (v) =>
      `sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="orders" password="${v}";`,
  ),
  at(
    'assignment',
    'Go struct dump',
    password(),
    (v) => `config: {Host:db-main Port:5432 User:app Password:${v} SSLMode:require}`,
  ),
  at(
    'assignment',
    'JVM system property',
    password(),
    (v) => `java -Dspring.datasource.password=${v} -jar app.jar`,
  ),
  at(
    'assignment',
    'mount.cifs options',
    password(),
    (v) => `mount -t cifs //nas/backups /mnt -o username=svc,password=${v},vers=3.0`,
  ),
  at(
    'assignment',
    'npmrc _auth (base64 of user:password)',
    base64Of(`ci:${password()}`),
    (v) => `_auth=${v}`,
  ),
  at(
    'assignment',
    'docker config auth (base64 of user:password)',
    base64Of(`ci:${alnum(8)}`),
    (v) => `{"auths":{"ghcr.io":{"auth":"${v}"}}}`,
  ),
  at(
    'flag',
    'command line (--password=)',
    password(),
    (v) => `mongodump --username=backup --password=${v} --out=/dump`,
  ),
  at(
    'flag',
    'command line (--db-password)',
    password(),
    (v) => `./migrate --db-host db-main --db-password '${v}' up`,
  ),
  at(
    'flag',
    'mysql -p attached, quoted',
    password(),
    (v) => `mysql -h db-main -u root -p'${v}' -e 'SHOW PROCESSLIST'`,
  ),
  at(
    'flag',
    'keytool -storepass / -keypass',
    password(),
    (v) => `keytool -importkeystore -srckeystore app.p12 -storepass ${v} -noprompt`,
  ),
  at(
    'flag',
    'keytool -storepass / -keypass',
    password(),
    (v) => `keytool -genkeypair -alias app -keypass ${v} -keystore app.jks`,
  ),
  at(
    'flag',
    'smbclient -U user%password',
    password(),
    (v) => `smbclient //fs01/share -U 'ACME\\svc_backup%${v}' -c 'ls'`,
  ),
  at(
    'sql',
    'SQL statement log (IDENTIFIED BY)',
    password(),
    (v) => `LOG:  statement: CREATE USER reporting IDENTIFIED BY '${v}'`,
  ),
  at(
    'sql',
    'SQL statement log (WITH PASSWORD)',
    password(),
    (v) =>
      `2024-05-01 10:15:00 UTC [811] LOG:  statement: ALTER ROLE app WITH LOGIN PASSWORD '${v}';`,
  ),
  at(
    'sql',
    'SQL statement log (SET PASSWORD)',
    password(),
    (v) => `Query	SET PASSWORD FOR 'app'@'%' = '${v}'`,
  ),
  at(
    'netrc',
    'netrc(5) machine/login/password',
    password(),
    (v) => `machine api.github.com login ci-bot password ${v}`,
  ),
  at(
    'netrc',
    'netrc(5) machine/login/password',
    password(),
    (v) => `login with user 'admin' and password '${v}' failed`,
  ),
  at('redis', 'redis.conf requirepass / masterauth', password(), (v) => `requirepass ${v}`),
  at('redis', 'redis.conf requirepass / masterauth', urlsafe(24), (v) => `masterauth ${v}`),
  at(
    'redis',
    'redis MONITOR (AUTH command)',
    password(),
    (v) => `1714558500.123456 [0 10.0.4.7:51234] "AUTH" "${v}"`,
  ),
  // Cookies: a session cookie is a bearer credential whatever its name.
  at(
    'cookie',
    'session cookie (express connect.sid)',
    `s%3A${urlsafe(32)}.${urlsafe(43)}`,
    (v) => `Cookie: connect.sid=${v}; theme=dark`,
  ),
  at(
    'cookie',
    'session cookie (GitHub _gh_sess)',
    `${b64(120)}--${hex(40)}`,
    (v) => `Cookie: _gh_sess=${v}; logged_in=yes`,
  ),
  at(
    'cookie',
    'session cookie (.ASPXAUTH)',
    hex(160).toUpperCase(),
    (v) => `Set-Cookie: .ASPXAUTH=${v}; path=/; secure; HttpOnly`,
  ),
  at(
    'cookie',
    'session cookie (ASP.NET_SessionId)',
    chars(LOWER + DIGITS, 24),
    (v) => `Cookie: ASP.NET_SessionId=${v}`,
  ),
  at(
    'cookie',
    'session cookie (Rack)',
    `BAh7${b64(90)}--${hex(40)}`,
    (v) => `Set-Cookie: rack.session=${v}; path=/; HttpOnly`,
  ),
  at(
    'cookie',
    'session cookie (PHPSESSID)',
    chars(LOWER + DIGITS, 26),
    (v) => `Cookie: PHPSESSID=${v}; lang=en`,
  ),
  at(
    'cookie',
    'session cookie (next-auth)',
    jwt(),
    (v) => `Cookie: __Secure-next-auth.session-token=${v}`,
  ),
  at(
    'cookie',
    'remember-me cookie',
    `${digits(5)}%7C${alnum(60)}`,
    (v) => `Set-Cookie: remember_web_59ba36add=${v}; expires=Fri, 31-May-2024 10:15:00 GMT`,
  ),
  at(
    'header',
    'Go http.Header dump',
    urlsafe(22),
    (v) => `req headers: map[Accept:[application/json] Authorization:[Bearer ${v}]]`,
  ),
  at('header', 'X-Auth-Token header', hex(32), (v) => `X-Auth-Token: ${v}`),
  at('header', 'Azure Functions key header', `${b64(54)}==`, (v) => `x-functions-key: ${v}`),
  at(
    'header',
    'Azure APIM subscription key header',
    hex(32),
    (v) => `Ocp-Apim-Subscription-Key: ${v}`,
  ),
  at(
    'assignment',
    'JSON string with an escaped quote inside the password',
    `${password()}\\"${alnum(6)}`,
    (v) => `{"user":"app","password":"${v}","db":"orders"}`,
  ),
  at(
    'webhook',
    'gitleaks microsoft-teams-webhook (legacy outlook.office.com connector)',
    `${uuid()}@${uuid()}/IncomingWebhook/${hex(32)}/${uuid()}`,
    (v) => `POST https://outlook.office.com/webhook/${v} 200`,
  ),
];

/** `kubectl get secret -o yaml` and `-o json`: every value under `data:` is a secret. */
const k8sSecretValues = [
  base64Of(password()),
  base64Of(password()),
  base64Of(`postgres://app:${password()}@db-main:5432/payments`),
  base64Of(alnum(40)),
  base64Of(`sk_live_${alnum(24)}`),
];
const k8sJsonValues = [base64Of(password()), base64Of(hex(32))];

const heldOutBlocks: SecretSample[] = [
  {
    family: 'k8s',
    source: 'gitleaks kubernetes-secret-yaml (kubectl get secret -o yaml)',
    text: [
      'apiVersion: v1',
      'data:',
      `  DATABASE_URL: ${k8sSecretValues[2]}`,
      `  DB_PASS: ${k8sSecretValues[0]}`,
      `  api: ${k8sSecretValues[1]}`,
      `  signing.pem: ${k8sSecretValues[3]}`,
      `  STRIPE: ${k8sSecretValues[4]}`,
      'kind: Secret',
      'metadata:',
      '  name: payments-env',
      '  namespace: payments',
      'type: Opaque',
    ],
    secrets: k8sSecretValues,
  },
  {
    family: 'k8s',
    source: 'gitleaks kubernetes-secret-yaml (kubectl get secret -o json)',
    text: [
      '{',
      '    "apiVersion": "v1",',
      '    "data": {',
      `        "admin": "${k8sJsonValues[0]}",`,
      `        "webhook": "${k8sJsonValues[1]}"`,
      '    },',
      '    "kind": "Secret",',
      '    "metadata": {',
      '        "name": "grafana-admin"',
      '    }',
      '}',
    ],
    secrets: k8sJsonValues,
  },
];

export const SECRET_SAMPLES: readonly SecretSample[] = [
  ...tokens,
  ...contexts,
  ...blocks,
  ...syntaxes,
  ...heldOutTokens,
  ...heldOutContexts,
  ...heldOutBlocks,
];
