/**
 * Credentials recognisable by their own shape: a vendor prefix and a known length and alphabet,
 * a structure (three dot-separated parts, digits and a colon), or — failing both — the
 * randomness of a long base64 string.
 *
 * The facts (prefixes, lengths, alphabets) come from the rule sets of two public secret scanners,
 * gitleaks (rule ids below) and Yelp's detect-secrets (plugin names below); the code is ours.
 * Lengths are kept a little looser than the scanners' where a token may grow, because a hidden
 * token costs nothing and a leaked one does.
 *
 * Linear time: one scan finds the places where any prefix starts a word (a literal alternation,
 * which the regex engine searches quickly); at each such place only the few rules of that prefix
 * run, anchored (sticky) and with bounded quantifiers, so the work per place is bounded.
 */
import type { Scan } from './scan.ts';
import { entropy, wordSet, words } from './shape.ts';

type TokenRule = {
  id: string;
  prefixes: readonly string[];
  /** Sticky and anchored at the prefix. With a capture group (flag d), only group 1 is masked. */
  pattern: RegExp;
  accept?: (match: string) => boolean;
};

const rule = (
  id: string,
  prefixes: readonly string[],
  pattern: RegExp,
  accept?: (match: string) => boolean,
): TokenRule => ({ id, prefixes, pattern, ...(accept ? { accept } : {}) });

const hasDigit = (s: string) => /[0-9]/.test(s);

const TOKEN_RULES: readonly TokenRule[] = [
  // gitleaks github-pat, github-oauth, github-app-token, github-refresh-token (36 alphanumerics);
  // detect-secrets GitHubTokenDetector. github-fine-grained-pat: github_pat_ and 82 word chars.
  rule('github', ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'], /gh[pousr]_[A-Za-z0-9]{20,255}/y),
  rule('github-fine-grained', ['github_pat_'], /github_pat_\w{22,255}/y),
  // gitleaks gitlab-* (glpat-, gldt-, glft-, glsoat-, glrt-, glcbt-, glimt-, glptt-, glagent-,
  // gloas-, glffct-; routable tokens add ".xx" and a 7-character suffix), gitlab-rrt (GR1348941);
  // detect-secrets GitLabTokenDetector.
  rule(
    'gitlab',
    ['glpat-', 'gldt-', 'glft-', 'glsoat-', 'glrt-', 'glcbt-', 'glimt-', 'glptt-', 'glagent-'],
    /gl(?:pat|dt|ft|soat|rt|cbt|imt|ptt|agent)-[\w.-]{20,1024}/y,
  ),
  rule('gitlab-oauth', ['gloas-', 'glffct-'], /gl(?:oas|ffct)-[\w-]{20,128}/y),
  rule('gitlab-runner-registration', ['GR1348941'], /GR1348941[\w-]{20,50}/y),
  // gitleaks slack-bot-token, slack-user-token, slack-legacy-*, slack-config-access-token
  // (xoxe.xoxp-), slack-config-refresh-token (xoxe-), slack-app-token (xapp-);
  // detect-secrets SlackDetector.
  rule(
    'slack',
    ['xoxa-', 'xoxb-', 'xoxp-', 'xoxo-', 'xoxs-', 'xoxr-', 'xoxe-', 'xoxe.'],
    /xox[abposre](?:\.xox[bp])?-[A-Za-z0-9-]{10,500}/y,
  ),
  rule('slack-app', ['xapp-'], /xapp-[A-Za-z0-9-]{10,500}/y),
  // gitleaks slack-webhook-url; detect-secrets SlackDetector: the path is the secret.
  rule(
    'slack-webhook',
    ['hooks.slack.com/'],
    /hooks\.slack\.com\/(?:services|workflows|triggers)\/([A-Za-z0-9+/_-]{8,200})/dy,
  ),
  // A Discord webhook URL carries its token as the last path segment.
  rule(
    'discord-webhook',
    ['discord.com/api/webhooks/', 'discordapp.com/api/webhooks/'],
    /discord(?:app)?\.com\/api\/webhooks\/\d{5,30}\/([\w-]{20,200})/dy,
  ),
  // gitleaks openai-api-key (sk-, sk-proj-, sk-svcacct-, sk-admin-), anthropic-api-key
  // (sk-ant-api03-), anthropic-admin-api-key (sk-ant-admin01-); detect-secrets OpenAIDetector.
  rule('openai-anthropic', ['sk-'], /sk-[\w-]{16,500}/y),
  // gitleaks stripe-access-token (sk_/rk_ with test, live or prod); detect-secrets StripeDetector.
  rule(
    'stripe',
    ['sk_live_', 'sk_test_', 'sk_prod_', 'rk_live_', 'rk_test_', 'rk_prod_'],
    /[sr]k_(?:live|test|prod)_[A-Za-z0-9]{10,255}/y,
  ),
  // gitleaks npm-access-token: npm_ and 36 alphanumerics (case-insensitive).
  rule('npm', ['npm_', 'NPM_'], /(?:npm|NPM)_[A-Za-z0-9]{36,64}/y),
  // gitleaks huggingface-access-token (hf_ and 34 letters), huggingface-organization-api-token.
  rule('huggingface', ['hf_', 'api_org_'], /(?:hf|api_org)_[A-Za-z0-9]{30,64}/y),
  // gitleaks sendgrid-api-token (SG. and 66 characters); detect-secrets SendGridDetector
  // (SG., 22, a dot, 43).
  rule('sendgrid', ['SG.'], /SG\.[\w-]{16,32}\.[\w-]{16,64}/y),
  // gitleaks vault-service-token (hvs. and 90-120 characters; legacy s. and 24 alphanumerics with
  // a digit), vault-batch-token (hvb. and 138-300). hvr. is the recovery token of the same family.
  rule('vault', ['hvs.', 'hvb.', 'hvr.'], /hv[sbr]\.[\w-]{24,400}/y),
  rule(
    'vault-legacy',
    ['s.'],
    /s\.[A-Za-z0-9]{24}(?![\w.-])/y,
    (m) => hasDigit(m) && /[a-z]/.test(m) && /[A-Z]/.test(m),
  ),
  // gitleaks digitalocean-pat, digitalocean-access-token, digitalocean-refresh-token.
  rule('digitalocean', ['dop_v1_', 'doo_v1_', 'dor_v1_'], /do[opr]_v1_[a-f0-9]{32,64}/y),
  // gitleaks shopify-access-token, -custom-access-token, -private-app-access-token, -shared-secret.
  rule('shopify', ['shpat_', 'shpca_', 'shppa_', 'shpss_'], /shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}/y),
  // gitleaks gcp-api-key: AIza and 35 word characters or dashes.
  rule('google-api-key', ['AIza'], /AIza[\w-]{35,40}/y),
  // gitleaks aws-access-token (A3T, AKIA, ASIA, ABIA, ACCA and 16 more); detect-secrets AWSKeyDetector.
  // aws-amazon-bedrock-api-key-long-lived: ABSK and 109-269 base64 characters.
  rule(
    'aws-access-key-id',
    ['AKIA', 'ASIA', 'ABIA', 'ACCA', 'A3T'],
    /(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])/y,
  ),
  rule('aws-bedrock', ['ABSK'], /ABSK[A-Za-z0-9+/]{109,269}={0,2}/y),
  // gitleaks jwt (ey…, a dot, ey…, a dot, a signature), grafana-api-key (eyJrIjoi), jwt-base64;
  // detect-secrets JwtTokenDetector. A lone base64 JSON object is masked when what it encodes
  // names a credential (a docker config's "auths", a session's "token"); a pagination cursor
  // such as {"offset":40} stays.
  rule('jwt', ['eyJ'], /eyJ[\w+/-]{5,4000}(?:\.[\w+/-]{0,8000}){0,4}={0,2}/y, (m) => {
    const dot = m.indexOf('.');
    if (dot >= 8) return true;
    if (dot !== -1 || m.length < 20) return false;
    const decoded = Buffer.from(m, 'base64').toString('latin1');
    return /auth|pass|secret|token|key|cred|sig|session|private/i.test(decoded);
  }),
  // Base64 of "-----BEGIN": a PEM block encoded once more, as Kubernetes secrets hold tls.key.
  rule('base64-pem', ['LS0tLS1CRUdJTi'], /LS0tLS1CRUdJTi[A-Za-z0-9+/]{0,20000}={0,2}/y),
  // gitleaks pypi-upload-token; detect-secrets PypiTokenDetector (pypi.org and test.pypi.org).
  rule('pypi', ['pypi-AgE'], /pypi-AgE[\w-]{50,1000}/y),
  // gitleaks age-secret-key: bech32 alphabet, 58 characters.
  rule('age', ['AGE-SECRET-KEY-1'], /AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}/y),
  // gitleaks artifactory-api-key (AKCp, 69), artifactory-reference-token (cmVmd, 59);
  // detect-secrets ArtifactoryDetector.
  rule('artifactory', ['AKCp'], /AKCp[A-Za-z0-9]{69}/y),
  rule('artifactory-reference', ['cmVmd'], /cmVmd[A-Za-z0-9]{59}/y),
  // gitleaks atlassian-api-token (ATATT3 and 186), alibaba-access-key-id (LTAI and 20),
  // clojars-api-token, cloudflare-origin-ca-key, databricks-api-token, doppler-api-token,
  // duffel-api-token, dynatrace-api-token, easypost-api-token, easypost-test-api-token.
  // trufflehog atlassian: ATCTT3 is the same family's other token.
  rule('atlassian', ['ATATT3', 'ATCTT3'], /AT[AC]TT3[\w=-]{100,300}/y),
  rule('alibaba', ['LTAI'], /LTAI[A-Za-z0-9]{20}(?![A-Za-z0-9])/y),
  rule('clojars', ['CLOJARS_'], /CLOJARS_[A-Za-z0-9]{60}/y),
  rule('cloudflare-origin-ca', ['v1.0-'], /v1\.0-[a-f0-9]{24}-[a-f0-9]{146}/y),
  rule('databricks', ['dapi'], /dapi[a-f0-9]{32}(?:-\d)?(?![A-Za-z0-9])/y),
  rule('doppler', ['dp.pt.'], /dp\.pt\.[A-Za-z0-9]{43}/y),
  rule('duffel', ['duffel_test_', 'duffel_live_'], /duffel_(?:test|live)_[\w=-]{43}/y),
  rule('dynatrace', ['dt0c01.'], /dt0c01\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{64}/y),
  rule('easypost', ['EZAK', 'EZTK'], /EZ[AT]K[A-Za-z0-9]{54}/y),
  // gitleaks facebook-page-access-token (EAAM/EAAC and 100+), square-access-token (EAAA, sq0atp-);
  // detect-secrets SquareOAuthDetector (sq0csp- and 43).
  // Graph API user and app tokens start EAAB / EAAG, with the same alphabet and length.
  rule('facebook-page', ['EAAM', 'EAAC', 'EAAB', 'EAAG'], /EAA[MCBG][A-Za-z0-9]{100,500}/y),
  rule('square', ['EAAA', 'sq0atp-'], /(?:EAAA|sq0atp-)[\w-]{22,60}/y),
  rule('square-oauth-secret', ['sq0csp-'], /sq0csp-[\w-]{43}/y),
  // gitleaks flutterwave-secret-key, flutterwave-encryption-key; flyio-access-token; frameio-api-token.
  rule(
    'flutterwave',
    ['FLWSECK_TEST-', 'FLWSECK-'],
    /FLWSECK(?:_TEST)?-[a-hA-H0-9]{12,32}(?:-X)?/y,
  ),
  rule(
    'flyio',
    ['fo1_', 'fm1a_', 'fm1r_', 'fm2_'],
    /(?:fo1_[\w-]{43}|fm1[ar]_[A-Za-z0-9+/]{100,2000}={0,3}|fm2_[A-Za-z0-9+/]{100,2000}={0,3})/y,
  ),
  rule('frameio', ['fio-u-'], /fio-u-[\w=-]{64}/y),
  // gitleaks grafana-cloud-api-token (glc_), grafana-service-account-token (glsa_, 32, _, 8 hex).
  rule('grafana', ['glc_'], /glc_[A-Za-z0-9+/]{32,400}={0,3}/y),
  rule('grafana-service-account', ['glsa_'], /glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}/y),
  // gitleaks harness-api-key, heroku-api-key-v2, infracost-api-token, intra42-client-secret,
  // linear-api-key, notion-api-token, octopus-deploy-api-key, openshift-user-token,
  // perplexity-api-key, planetscale-*, postman-api-token, prefect-api-token, pulumi-api-token,
  // readme-api-token, rubygems-api-token, scalingo-api-token, sendinblue-api-token,
  // sentry-org-token, sentry-user-token, settlemint-*, shippo-api-token, airtable-personnal-access-token,
  // adobe-client-secret, defined-networking-api-token, 1password-secret-key,
  // 1password-service-account-token, new-relic-user-api-key, new-relic-insert-key,
  // mailgun-private-api-token, twitter-bearer-token.
  rule('harness', ['pat.', 'sat.'], /[ps]at\.[\w-]{22}\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{20}/y),
  rule('heroku', ['HRKU-AA'], /HRKU-AA[\w-]{58}/y),
  rule('infracost', ['ico-'], /ico-[A-Za-z0-9]{32}/y),
  rule('intra42', ['s-s4t2ud-', 's-s4t2af-'], /s-s4t2(?:ud|af)-[a-f0-9]{64}/y),
  rule('linear', ['lin_api_'], /lin_api_[A-Za-z0-9]{40}/y),
  rule('notion', ['ntn_'], /ntn_[0-9]{11}[A-Za-z0-9]{35}/y),
  rule('octopus-deploy', ['API-'], /API-[A-Z0-9]{26}(?![A-Za-z0-9])/y),
  rule('openshift', ['sha256~'], /sha256~[\w-]{43}/y),
  rule('perplexity', ['pplx-'], /pplx-[A-Za-z0-9]{48}/y),
  rule(
    'planetscale',
    ['pscale_tkn_', 'pscale_oauth_', 'pscale_pw_'],
    /pscale_(?:tkn|oauth|pw)_[\w=.-]{32,64}/y,
  ),
  rule('postman', ['PMAK-'], /PMAK-[a-fA-F0-9]{24}-[a-fA-F0-9]{34}/y),
  rule('prefect', ['pnu_'], /pnu_[A-Za-z0-9]{36}/y),
  rule('pulumi', ['pul-'], /pul-[a-f0-9]{40}/y),
  rule('readme', ['rdme_'], /rdme_[a-z0-9]{70}/y),
  rule('rubygems', ['rubygems_'], /rubygems_[a-f0-9]{48}/y),
  rule('scalingo', ['tk-us-'], /tk-us-[\w-]{48}/y),
  rule('sendinblue', ['xkeysib-'], /xkeysib-[a-f0-9]{64}-[A-Za-z0-9]{16}/y),
  rule('sentry', ['sntrys_', 'sntryu_'], /(?:sntrys_eyJ[\w+/=]{40,1000}|sntryu_[a-f0-9]{64})/y),
  rule('settlemint', ['sm_aat_', 'sm_pat_', 'sm_sat_'], /sm_(?:aat|pat|sat)_[A-Za-z0-9]{16}/y),
  rule('shippo', ['shippo_live_', 'shippo_test_'], /shippo_(?:live|test)_[a-fA-F0-9]{40}/y),
  rule('airtable', ['pat'], /pat[A-Za-z0-9]{14}\.[a-f0-9]{64}/y),
  rule('adobe', ['p8e-'], /p8e-[A-Za-z0-9]{32}/y),
  rule('defined-networking', ['dnkey-'], /dnkey-[\w=-]{26}-[\w=-]{52}/y),
  rule(
    '1password',
    ['A3-', 'ops_eyJ'],
    /(?:A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}|ops_eyJ[A-Za-z0-9+/]{250,4000}={0,3})/y,
  ),
  rule('new-relic', ['NRAK-', 'NRII-'], /NR(?:AK-[A-Za-z0-9]{27}|II-[A-Za-z0-9-]{32})/y),
  rule('mailgun', ['key-'], /key-[a-f0-9]{32}(?![A-Za-z0-9])/y),
  rule('twitter-bearer', ['AAAAAAAAAAAAAAAAAAAAAA'], /A{22}[A-Za-z0-9%]{80,100}/y),
  // gitleaks twilio-api-key (SK and 32 hex); detect-secrets TwilioKeyDetector.
  rule('twilio', ['SK'], /SK[0-9a-fA-F]{32}(?![A-Za-z0-9])/y),
  // trufflehog detectors (pkg/detectors/<name>): prefixes, lengths and alphabets of formats
  // gitleaks has no rule for. Google: OAuth client secrets (GOCSPX-, since 2021), OAuth access
  // tokens (googleoauth2: ya29.), GCS HMAC access ids (GOOG1, like AKIA an id that opens a key).
  rule('google-oauth-client-secret', ['GOCSPX-'], /GOCSPX-[\w-]{24,40}/y),
  rule('google-oauth-access-token', ['ya29.'], /ya29\.[\w-]{20,2048}/y),
  rule('gcs-hmac-access-id', ['GOOG1'], /GOOG1[A-Z0-9]{50,60}(?![A-Za-z0-9])/y),
  // dockerhub: dckr_pat_ and 27, dckr_oat_ and 32 (organisation access tokens).
  rule('dockerhub', ['dckr_pat_', 'dckr_oat_'], /dckr_(?:pat|oat)_[\w-]{27,40}/y),
  // contentfulpersonalaccesstoken, sourcegraph (also gitleaks sourcegraph-access-token),
  // sourcegraphcody (slk_), posthog (phx_, personal keys; phc_ project keys are public).
  rule('contentful', ['CFPAT-'], /CFPAT-[\w-]{43}/y),
  rule('sourcegraph', ['sgp_'], /sgp_(?:[a-fA-F0-9]{16}_|local_)?[a-fA-F0-9]{40}/y),
  rule('sourcegraph-cody', ['slk_'], /slk_[a-f0-9]{64}/y),
  rule('posthog', ['phx_'], /phx_\w{40,50}/y),
  // hubspot private app tokens: pat-na1- or pat-eu1- and a UUID.
  rule(
    'hubspot',
    ['pat-na1-', 'pat-eu1-'],
    /pat-(?:na|eu)1-[a-fA-F0-9]{8}(?:-[a-fA-F0-9]{4}){3}-[a-fA-F0-9]{12}/y,
  ),
  // xai (xai- and 80), groq (gsk_ and 52), replicate (r8_ and 37), langsmith (lsv2_pt_/lsv2_sk_),
  // pinecone (pcsk_), supabasetoken (sbp_ and 40 hex).
  rule('xai', ['xai-'], /xai-\w{70,90}/y),
  rule('groq', ['gsk_'], /gsk_[A-Za-z0-9]{48,56}/y),
  rule('replicate', ['r8_'], /r8_[\w-]{37}/y),
  rule('langsmith', ['lsv2_pt_', 'lsv2_sk_'], /lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}/y),
  rule('pinecone', ['pcsk_'], /pcsk_[A-Za-z0-9]{5,6}_[A-Za-z0-9]{60,70}/y),
  rule('supabase', ['sbp_'], /sbp_(?:oauth_)?[a-f0-9]{40}/y),
  // tailscale (tskey-<kind>-<id>-<secret>), buildkite (bkua_ and 40), circleci (CCIPAT_),
  // netlify (nfp_ and 36), typeform (also gitleaks typeform-api-token: tfp_).
  rule('tailscale', ['tskey-'], /tskey-[a-z]{3,10}-[A-Za-z0-9]{6,40}-[A-Za-z0-9_]{20,80}/y),
  rule('buildkite', ['bkua_'], /bkua_[a-z0-9]{40}/y),
  rule('circleci', ['CCIPAT_'], /CCIPAT_[A-Za-z0-9]{22}_[a-fA-F0-9]{40}/y),
  rule('netlify', ['nfp_'], /nfp_\w{36,40}/y),
  rule('typeform', ['tfp_'], /tfp_[\w.=-]{40,59}/y),
  // doppler: personal (dp.pt.), CLI (dp.ct.), service (dp.st. with an optional config name),
  // service-account (dp.sa.), SCIM and audit tokens.
  rule(
    'doppler-tokens',
    ['dp.ct.', 'dp.st.', 'dp.sa.', 'dp.scim.', 'dp.audit.'],
    /dp\.(?:ct|sa|scim|audit|st(?:\.[a-z0-9_-]{2,35})?)\.[A-Za-z0-9]{40,44}/y,
  ),
  // Stripe webhook signing secrets (whsec_), shown by `stripe listen` and in webhook settings.
  rule('stripe-webhook-secret', ['whsec_'], /whsec_[A-Za-z0-9+/=]{32,100}/y),
  // newrelicinsightsquerykey (NRIQ-), newrelicbrowserkey (NRBR-), gitleaks new-relic-browser-api-token (NRJS-).
  rule(
    'new-relic-keys',
    ['NRIQ-', 'NRBR-', 'NRJS-'],
    /NR(?:IQ-[\w-]{25,32}|BR-[a-f0-9]{19}|JS-[a-f0-9]{19})/y,
  ),
  // Honeycomb API keys (docs.honeycomb.io, "API Keys"): ingest keys hcaik_ (classic hcxik_),
  // management keys hcamk_ (classic hcxmk_), then the key id and secret in lowercase alphanumerics.
  rule('honeycomb', ['hcaik_', 'hcxik_', 'hcamk_', 'hcxmk_'], /hc[ax](?:ik|mk)_[a-z0-9]{20,64}/y),
  // Notion's integration tokens before ntn_: secret_ and 43 alphanumerics.
  rule(
    'notion-legacy',
    ['secret_'],
    /secret_[A-Za-z0-9]{43}(?![\w-])/y,
    (m) => hasDigit(m) && /[a-z]/.test(m) && /[A-Z]/.test(m),
  ),
];

/** Prefixes long and distinctive enough that a token cut short after one is still a secret. */
export const KNOWN_PREFIXES: readonly string[] = [
  ...new Set(
    TOKEN_RULES.flatMap((r) => r.prefixes).filter(
      (p) => p.length >= 3 && p !== 'pat' && p !== 'secret_',
    ),
  ),
];

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// Short prefixes are common in ordinary text ("s." in Java packages, "SK" in SKUs): they become
// candidates only when what follows could complete a token.
const GUARDS: Readonly<Record<string, string>> = {
  's.': '(?=[A-Za-z0-9]{24}(?![\\w.-]))',
  SK: '(?=[0-9a-fA-F]{32})',
  pat: '(?=[A-Za-z0-9]{14}\\.)',
  'pat.': '(?=[\\w-]{22}\\.)',
  'sat.': '(?=[\\w-]{22}\\.)',
  'sk-': '(?=[\\w-]{16})',
  hf_: '(?=[A-Za-z0-9]{30})',
  eyJ: '(?=[\\w+/-]{5})',
  'A3-': '(?=[A-Z0-9]{6}-)',
  A3T: '(?=[A-Z0-9]{17})',
  'key-': '(?=[a-f0-9]{32})',
  'API-': '(?=[A-Z0-9]{26})',
  secret_: '(?=[A-Za-z0-9]{43}(?![\\w-]))',
  r8_: '(?=[\\w-]{37})',
  'xai-': '(?=\\w{70})',
};

// A prefix counts where a word starts: not after a letter, digit, underscore or dash.
const CANDIDATES = new RegExp(
  `(?<![A-Za-z0-9_-])(?:${[...new Set(TOKEN_RULES.flatMap((r) => r.prefixes))]
    .sort((a, b) => b.length - a.length)
    .map((p) => escapeRegExp(p) + (GUARDS[p] ?? ''))
    .join('|')})`,
  'g',
);

// For each prefix, the rules to try where it matched: its own and those of its shorter prefixes
// ("pat." also tries "pat"). The alternation above prefers the longest prefix at a position.
const BY_PREFIX = new Map<string, TokenRule[]>();
for (const prefix of new Set(TOKEN_RULES.flatMap((r) => r.prefixes))) {
  BY_PREFIX.set(
    prefix,
    TOKEN_RULES.filter((r) => r.prefixes.some((p) => prefix.startsWith(p))),
  );
}

/** How many different characters `token` has after its prefix. */
function distinct(token: string, from: number): number {
  const seen = new Set<string>();
  for (let i = from; i < token.length && seen.size < 4; i++) seen.add(token[i] as string);
  return seen.size;
}

/** Masks every token of a known vendor format. */
export function maskKnownTokens(scan: Scan): void {
  const text = scan.text;
  const candidates = new RegExp(CANDIDATES.source, 'g');
  for (let m = candidates.exec(text); m !== null; m = candidates.exec(text)) {
    const at = m.index;
    for (const r of BY_PREFIX.get(m[0]) ?? []) {
      r.pattern.lastIndex = at;
      const found = r.pattern.exec(text);
      if (!found) continue;
      if (r.accept && !r.accept(found[0])) {
        // A long run that is not this token: do not start again inside it for every prefix.
        if (found[0].length > 64) candidates.lastIndex = at + found[0].length;
        continue;
      }
      // Placeholders (ghp_xxxx…, AKIAXXXX…) are no secret: gitleaks gives its rules entropy floors.
      if (distinct(found[0], m[0].length) < 4) continue;
      const group = found.indices?.[1];
      if (group) scan.mask(group[0], group[1]);
      else scan.mask(at, at + found[0].length);
      candidates.lastIndex = at + found[0].length;
      break;
    }
  }
}

type StructuralRule = {
  id: string;
  /** A literal the text must contain for the rule to run at all (gitleaks calls them keywords). */
  keyword?: string;
  /** Global; each pattern starts where a word starts, so a long run is tried once, not per char. */
  pattern: RegExp;
  /** How many characters before the match a look-behind took as part of the secret. */
  before?: number;
};

const STRUCTURAL_RULES: readonly StructuralRule[] = [
  // detect-secrets DiscordBotTokenDetector: M/N/O, 23-25, a dot, 6, a dot, 27+.
  {
    id: 'discord-bot',
    pattern: /(?<![\w.-])[MNO][\w-]{23,25}\.[\w-]{6}\.[\w-]{27,38}(?![\w.-])/g,
  },
  // gitleaks telegram-bot-api-token; detect-secrets TelegramBotTokenDetector: digits, ":A", 34.
  // The bot API carries it in the path (trufflehog telegrambottoken): /bot<token>/sendMessage.
  {
    id: 'telegram-bot',
    keyword: ':A',
    pattern: /(?:(?<=\/bot)|(?<![\w:]))\d{5,16}:A[\w-]{34}(?![\w-])/g,
  },
  // gitleaks mailchimp-api-key; detect-secrets MailchimpDetector: 32 hex, "-us" and a datacenter.
  { id: 'mailchimp', keyword: '-us', pattern: /(?<![\w-])[0-9a-f]{32}-us\d{1,2}(?![\w-])/g },
  // gitleaks azure-ad-client-secret: 3 characters, a digit, "Q~", 31-34 more.
  {
    id: 'azure-ad-client-secret',
    keyword: 'Q~',
    pattern: /(?<![\w~.-])[\w~.]{3}\dQ~[\w~.-]{31,34}(?![\w~.-])/g,
  },
  // gitleaks hashicorp-tf-api-token: 14 characters, ".atlasv1.", 60-70 more.
  {
    id: 'terraform-cloud',
    keyword: '.atlasv1.',
    pattern: /(?<![\w-])[A-Za-z0-9]{14}\.atlasv1\.[\w=-]{60,70}/g,
  },
  // gitleaks maxmind-license-key: 6, "_", 29, "_mmk".
  { id: 'maxmind', keyword: '_mmk', pattern: /(?<![\w-])[A-Za-z0-9]{6}_[A-Za-z0-9]{29}_mmk/g },
  // gitleaks facebook-access-token: an app id of 15-16 digits, "|" (or %7C), the app secret.
  {
    id: 'facebook-app-token',
    pattern: /(?<![\w|%])\d{15,16}(?:\||%7C)[\w-]{27,40}(?![\w-])/g,
  },
  // trufflehog newreliclicensekey: 40 characters ending NRAL (EU keys start eu01xx).
  {
    id: 'new-relic-license-key',
    keyword: 'NRAL',
    pattern: /(?<![\w-])(?:eu01xx[0-9a-f]{30}|[0-9a-f]{36})NRAL(?![\w-])/g,
  },
  // trufflehog mailgun: the current key format, 32 hex, a dash, 8 hex, a dash, 8 hex.
  // The pattern starts at the dash, a literal the engine finds fast; the look-behind checks the hex.
  {
    id: 'mailgun-key',
    pattern: /(?<=(?<![\w-])[0-9a-f]{32})-[0-9a-f]{8}-[0-9a-f]{8}(?![\w-])/g,
    before: 32,
  },
  // Azure DevOps personal access tokens since 2024: 84 characters, "AZDO" at 77-80.
  {
    id: 'azure-devops-pat',
    keyword: 'AZDO',
    pattern: /(?<![\w-])[A-Za-z0-9]{76}AZDO[A-Za-z0-9]{4}(?![\w-])/g,
  },
  // Firebase Cloud Messaging legacy server keys: AAAA, 7, ":APA91b", then 134.
  {
    id: 'fcm-server-key',
    keyword: ':APA91b',
    pattern: /(?<![\w-])AAAA[\w-]{7}:APA91b[\w-]{100,200}/g,
  },
  // gitleaks microsoft-teams-webhook: the path after webhookb2/ is the secret; connectors made
  // before the move to webhook.office.com have the same path under outlook.office(365).com/webhook/.
  {
    id: 'teams-webhook',
    keyword: 'office',
    pattern:
      /(?:\.webhook\.office\.com\/webhookb2|outlook\.office(?:365)?\.com\/webhook)\/([^\s"'<>]{16,600})/dg,
  },
];

export function maskStructuredTokens(scan: Scan): void {
  const text = scan.text;
  for (const r of STRUCTURAL_RULES) {
    if (r.keyword && !text.includes(r.keyword)) continue;
    const pattern = new RegExp(r.pattern.source, r.pattern.flags);
    for (const m of text.matchAll(pattern)) {
      const group = m.indices?.[1];
      if (group) scan.mask(group[0], group[1]);
      else scan.mask(m.index - (r.before ?? 0), m.index + m[0].length);
    }
  }
}

/**
 * detect-secrets' Base64HighEntropyString, narrowed for logs: a run of 32+ base64 characters with
 * upper case, lower case and digits and at least ENTROPY_FLOOR bits per character. Hex is left
 * alone on purpose — commit SHAs, digests and trace ids are what an incident is diagnosed with —
 * as are paths (a run that starts with "/") and subresource digests ("sha512-…").
 */
const HIGH_ENTROPY = /(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{32,}={0,2}/g;
const MIN_LENGTH = 32;
const ENTROPY_FLOOR = 4.2;

export function isHighEntropyToken(token: string): boolean {
  const body = token.replace(/=+$/, '');
  if (body.length < MIN_LENGTH || body.startsWith('/') || /^sha\d{1,3}-/.test(body)) return false;
  if (!/[a-z]/.test(body) || !/[A-Z]/.test(body) || !/[0-9]/.test(body)) return false;
  return entropy(body) >= ENTROPY_FLOOR;
}

// Named as an identifier, a digest or a public key, a random-looking value is no secret:
// `SHA256:Xq3…` (an SSH fingerprint), `X-Amz-Cf-Id: …`, `public_key = "…"`, `next_page_token=…`.
const NAMED_NOT_SECRET = wordSet(
  'public pub publickey pubkey fingerprint hash digest checksum etag id ids trace span ' +
    'request cursor page after before sha1 sha256 sha384 sha512 md5 integrity version commit ' +
    'revision ray nonce',
);
const PUBLIC_KEY_TYPE =
  /^(?:ssh-(?:rsa|dss|ed25519)|ecdsa-sha2-nistp\d{3}|sk-ssh-ed25519@openssh\.com)$/;

const isIdentifierChar = (c: number) =>
  (c >= 97 && c <= 122) ||
  (c >= 65 && c <= 90) ||
  (c >= 48 && c <= 57) ||
  c === 95 ||
  c === 46 ||
  c === 45;

/**
 * What names the value at `start`: the identifier before `=` or `:` (quotes and spaces allowed
 * around them), or an SSH public-key type. Reads at most a few dozen characters backwards.
 */
function namedNotSecret(text: string, start: number): boolean {
  let i = start;
  const skip = (chars: string) => {
    while (i > 0 && chars.includes(text[i - 1] as string)) i--;
  };
  skip(' \t');
  const wordEnd = i;
  while (i > 0 && wordEnd - i < 40 && !/\s/.test(text[i - 1] as string)) i--;
  if (wordEnd > i && PUBLIC_KEY_TYPE.test(text.slice(i, wordEnd))) return true;
  i = start;
  skip('"\' \t');
  if (i === 0 || (text[i - 1] !== '=' && text[i - 1] !== ':')) return false;
  i--;
  skip('"\' \t');
  const keyEnd = i;
  while (i > 0 && keyEnd - i < 64 && isIdentifierChar(text.charCodeAt(i - 1))) i--;
  return keyEnd > i && words(text.slice(i, keyEnd)).some((w) => NAMED_NOT_SECRET.has(w));
}

export function maskHighEntropy(scan: Scan): void {
  const text = scan.text;
  for (const m of text.matchAll(HIGH_ENTROPY)) {
    const run = m[0];
    const path = run.includes('/') && /(?:^|\/)[a-z]{3,}(?:\/|$)/.test(run);
    if (path || run.includes('---')) {
      // A path (com/services/…) or text glued to a PEM marker (KEY-----MIIE…): judge each part.
      const separator = path ? /\/+|-{3,}/g : /-{3,}/g;
      let at = m.index;
      for (const part of run.split(separator)) {
        const start = run.indexOf(part, at - m.index) + m.index;
        if (isHighEntropyToken(part) && !namedNotSecret(text, start)) {
          scan.mask(start, start + part.length);
        }
        at = start + part.length;
      }
    } else if (isHighEntropyToken(run) && !namedNotSecret(text, m.index)) {
      scan.mask(m.index, m.index + run.length);
    }
  }
}
