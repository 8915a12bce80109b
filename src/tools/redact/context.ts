/**
 * Credentials recognisable by what stands before them: a secret-named key (`password=`,
 * `"client_secret": "…"`, `AccountKey=`, `X-Api-Key: …`, `<password>…</password>`), an
 * authorization scheme (`Authorization: Bearer|Basic|Token …`), the userinfo of a URL
 * (`postgres://user:…@host`, `redis://:…@host`) and `curl -u user:…`.
 *
 * What the mask hides is only the value: the key, the user and the host stay, they help diagnosis.
 *
 * Facts: detect-secrets KeywordDetector (the key words and their separators) and
 * BasicAuthDetector (URL userinfo); gitleaks generic-api-key (key words, assignment operators,
 * and its allow-list of look-alikes such as author, keyword, primaryKey, csrf-token),
 * curl-auth-header and curl-auth-user, azure storage account keys from detect-secrets
 * AzureStorageKeyDetector (AccountKey=), npm `_authToken` from detect-secrets NpmDetector.
 *
 * Linear time: a key is matched as one whole identifier (a look-behind makes a run of word
 * characters a candidate only at its start), and a value is read by hand and skipped over, so a
 * text full of `password=password=…` is read once.
 */
import type { Scan } from './scan.ts';
import {
  isBasicCredential,
  isNotSecretValue,
  looksLikeToken,
  looksRandom,
  wordSet,
  words,
} from './shape.ts';
import { KNOWN_PREFIXES } from './tokens.ts';

type Strength = 'strong' | 'weak' | 'authorization';

// Trailing parts of a key that say how the secret is stored, not what it is: db_password_b64.
const FILLER = wordSet(
  'value val str string b64 base64 base hex raw enc encoded encrypted plain plaintext text ' +
    'data bytes literal secure new old',
);
// Key words after which `_key` names a secret: api_key, AccountKey, SharedAccessKey, DD_API_KEY.
const SECRET_KEY_KINDS = wordSet(
  'api access secret private priv account shared client auth master encryption signing ' +
    'license service app application integration routing subscription storage db database ' +
    'admin write ingest ingestion webhook deploy ssh gpg pgp crypto cipher hmac jwt session ' +
    'root consumer partner merchant sas secondary instrumentation tls ssl sentry pusher ' +
    'connection x',
);
// Before `_key`, these name data, not secrets (gitleaks' generic-api-key allow-list and kin).
const DATA_KEY_KINDS = wordSet(
  'public pub publishable bucket foreign hot idx index natural primary schema sequence sort ' +
    'partition shard sharding cache idempotency dedup object file map lookup row group ' +
    'message composite compound unique surrogate experiment feature flag hash range cluster ' +
    'join short',
);
// Before `_token`, these name pagination or counting, not credentials (gitleaks allow-lists csrf).
const NOT_CREDENTIAL_TOKENS = wordSet(
  'page next continuation pagination cursor sync cancellation csrf xsrf max num total input ' +
    'output completion prompt public publishable',
);
// A key whose last word ends so names a secret, compounds included: PGPASSWORD, accessToken.
const STRONG_ENDINGS = [
  ...wordSet(
    'password passwd passphrase passcode secret token credentials credential apikey ' +
      'secretkey privatekey accesskey accountkey masterkey authkey signingkey encryptionkey ' +
      'sharedaccesskey clientsecret apisecret',
  ),
];
// A key whose last word is one of these promises a secret only when the value looks generated.
const WEAK_WORDS = wordSet(
  'key auth sig signature session sessionid sessid sid jsessionid phpsessid otp totp hmac ' +
    'cookie apitoken',
);

// Words that end in "pass" and name no password.
const PASS_LOOKALIKES = wordSet(
  'bypass compass encompass trespass surpass overpass underpass multipass onepass singlepass ' +
    'twopass firstpass secondpass',
);

/**
 * How much a key promises a secret. The last word decides (token_type, secret_name and
 * password_policy are not secrets); `strong` keys hide any value but states and placeholders,
 * `weak` ones (key, auth, sig, session) only values shaped like a credential.
 */
export function keyStrength(key: string): Strength | null {
  return described(key).strength;
}

type Described = { strength: Strength | null; last: string };

// Logs repeat their keys; remembering the verdict keeps a key-dense text cheap.
const DESCRIBED = new Map<string, Described>();

function described(key: string): Described {
  let known = DESCRIBED.get(key);
  if (known === undefined) {
    if (DESCRIBED.size >= 4096) DESCRIBED.clear();
    known = { strength: strengthOf(key), last: words(key).at(-1) ?? '' };
    DESCRIBED.set(key, known);
  }
  return known;
}

function strengthOf(key: string): Strength | null {
  const parts = words(key);
  while (parts.length > 1) {
    const last = parts.at(-1) as string;
    if (FILLER.has(last) || /^\d+$/.test(last)) parts.pop();
    else break;
  }
  const last = parts.at(-1);
  const before = parts.at(-2);
  if (last === undefined) return null;
  if (last === 'authorization') return 'authorization';
  if (last === 'login' && before === 'sonar') return 'strong'; // gitleaks sonar-api-token
  // Honeycomb sends its API key in the X-Honeycomb-Team header (docs.honeycomb.io, API keys).
  if (last === 'team' && before === 'honeycomb') return 'strong';
  if (last === 'pass' || last === 'pwd' || last === 'pw') return 'strong';
  // A personal access token: AZURE_DEVOPS_EXT_PAT, GITLAB_PAT (trufflehog azuredevopspersonalaccesstoken).
  if (last === 'pat') return 'strong';
  // Compounds ending in "pass": keytool's -storepass and -keypass, redis' requirepass.
  if (last.endsWith('pass') && !PASS_LOOKALIKES.has(last)) return 'strong';
  if (last === 'id' && (before === 'session' || before === 'sess')) return 'weak';
  if (last === 'key') {
    if (before !== undefined && DATA_KEY_KINDS.has(before)) return null;
    return before !== undefined && SECRET_KEY_KINDS.has(before) ? 'strong' : 'weak';
  }
  if (last === 'token' && before !== undefined && NOT_CREDENTIAL_TOKENS.has(before)) return null;
  if (last === 'jsonwebtoken') return null; // io.jsonwebtoken: a Java package
  if (STRONG_ENDINGS.some((e) => last.endsWith(e))) {
    if (last.startsWith('public') || last.startsWith('csrf') || last.startsWith('xsrf'))
      return null;
    return 'strong';
  }
  return WEAK_WORDS.has(last) ? 'weak' : null;
}

/** Authorization schemes whose next word is the credential (RFC 7235 and vendors' own). */
const SCHEMES = wordSet(
  'bearer basic token api-token apikey api-key key negotiate ntlm oauth jwt ssws splunk ' +
    'geniekey bot sharedkey sharedaccesssignature klaviyo-api-key deepl-auth-key ' +
    'zoho-oauthtoken mac hawk digest',
);

const UNQUOTED_STOPS = '"\'`,;&';

type Value = { start: number; end: number; quoted: boolean; closed: boolean };

/** The value at `pos`: quoted (to the closing quote on the line) or a bare token. */
function readValue(scan: Scan, pos: number): Value {
  const text = scan.text;
  const lineEnd = scan.lineEnd(pos);
  let open = text[pos];
  let at = pos;
  if (open === '\\' && (text[pos + 1] === '"' || text[pos + 1] === "'")) {
    open = text[pos + 1];
    at = pos + 1;
  }
  if (open === '"' || open === "'" || open === '`') {
    let close = scan.next(open, at + 1);
    // Inside a plainly quoted value, \" is part of the value: "p@ss\"word".
    while (at === pos && close < lineEnd && escaped(text, close))
      close = scan.next(open, close + 1);
    if (close < lineEnd) {
      const end = text[close - 1] === '\\' && at > pos ? close - 1 : close;
      return { start: at + 1, end, quoted: true, closed: true };
    }
    // No closing quote on the line: the value runs to the end (the line was cut, or is broken).
    const end = Math.max(at + 1, scan.trimmedLineEnd(pos));
    return { start: at + 1, end, quoted: true, closed: false };
  }
  return { start: pos, end: scan.tokenEnd(pos, UNQUOTED_STOPS), quoted: false, closed: false };
}

/** True when the character at `at` is escaped by an odd run of backslashes. */
function escaped(text: string, at: number): boolean {
  let n = 0;
  while (at - n - 1 >= 0 && text[at - n - 1] === '\\') n++;
  return n % 2 === 1;
}

function trimEnd(text: string, start: number, end: number): number {
  let e = end;
  while (e > start && /\s/.test(text[e - 1] as string)) e--;
  return e;
}

/**
 * In a `;`-separated connection string a password may hold spaces: `Password=P@ss w0rd;`. When
 * the pair follows a `;`, the value runs to the next `;` if nothing between looks like another pair.
 */
function connectionStringEnd(scan: Scan, keyStart: number, value: Value): number {
  const text = scan.text;
  if (value.quoted || text[value.end] !== ' ') return value.end;
  let k = keyStart - 1;
  while (k >= 0 && text[k] === ' ') k--;
  if (text[k] !== ';') return value.end;
  const limit = Math.min(scan.lineEnd(value.end), value.end + 128);
  for (let i = value.end; i < limit; i++) {
    const c = text[i];
    if (c === ';') return trimEnd(text, value.start, i);
    if (c === '=' || c === '&' || c === '"' || c === "'") return value.end;
  }
  return value.end;
}

/** A value that opens a structure (`{…}`, `[…]`): its own pairs are read one by one. */
function opensStructure(text: string, value: Value): boolean {
  const first = text[value.start];
  return first === '{' || first === '[' || first === '(';
}

const isSchemeChar = (c: number) =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 45;

/** Masks what follows an authorization scheme; returns where reading stopped. */
function maskAfterScheme(scan: Scan, pos: number, limit: number): number {
  const text = scan.text;
  let schemeEnd = pos;
  while (schemeEnd < limit && isSchemeChar(text.charCodeAt(schemeEnd))) schemeEnd++;
  const scheme = text.slice(pos, schemeEnd).toLowerCase();
  let credStart = schemeEnd;
  while (credStart < limit && (text[credStart] === ' ' || text[credStart] === '\t')) credStart++;
  if (SCHEMES.has(scheme) && credStart > schemeEnd && credStart < limit) {
    if (scheme === 'digest' || scheme === 'hawk' || scheme === 'sharedaccesssignature') {
      // Parameter lists: hide them all.
      scan.mask(credStart, trimEnd(text, credStart, limit));
      return limit;
    }
    const credEnd = Math.min(limit, scan.tokenEnd(credStart, '"\'`,;'));
    const credential = text.slice(credStart, credEnd);
    if (credential.startsWith('<') || credential.startsWith('$')) return credEnd; // a placeholder
    if (!isNotSecretValue(credential) || scan.isCut(credEnd)) scan.mask(credStart, credEnd);
    return credEnd;
  }
  // No scheme: the whole value is the credential (`Authorization: 5eb4223e-…`, `sha256~…`).
  const end = Math.min(limit, scan.tokenEnd(pos, '"\'`,;'));
  const credential = text.slice(pos, end);
  const generated =
    credential.length >= 8 && /[0-9]/.test(credential) && /[A-Za-z]/.test(credential);
  if (generated || (scan.isCut(end) && credential.length > 0)) {
    scan.mask(pos, end);
  }
  return end;
}

// A secret-named key, then a separator. The look-ahead finds a key word inside the identifier
// (detect-secrets' denylist with gitleaks' additions) before the identifier is matched whole.
// The operators are gitleaks' (=, :, :=, ::=, :::=, ?=, =>, and a comma between quoted strings)
// with PHP's .= and typed declarations (`var token string = …`, `val token: String = …`).
// No two quantifiers in a row may take the same characters (blanks here), or a long run of them
// is split every possible way: each whitespace run belongs to exactly one quantifier.
// A key starts a word, or follows a percent-encoded character (`%3Ftoken%3D…`: a query string
// inside a URL-encoded parameter), whose `=` may be encoded too (%3D).
const ASSIGNMENT =
  /(?:(?<![\w.-])|(?<=%[0-9A-Fa-f]{2}))-{0,2}(?=[\w.-]*?(?:pass|pwd|pw\b|pat\b|secret|token|key|auth|cred|sig|session|sess|sid|otp|hmac|sonar|honeycomb-team))([A-Za-z_][\w.-]*)(\\?["'\]]{0,2}[ \t]*(?:(?::[ \t]*)?(?:string|String|str)[ \t]*=|=>|:{1,3}=|\?=|\.=|[:=]|%3[Dd]|(?<=["'][ \t]*),(?=[ \t]*\\?["']))[ \t]*)/gi;

export function maskAssignments(scan: Scan): void {
  const text = scan.text;
  const pattern = new RegExp(ASSIGNMENT.source, ASSIGNMENT.flags);
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    const key = m[1] as string;
    const strength = keyStrength(key);
    const valueAt = m.index + m[0].length;
    if (strength === null || valueAt >= scan.lineEnd(valueAt)) continue;
    // arn:aws:secretsmanager:…:secret:name — a segment of an identifier, not a key.
    if (text[m.index - 1] === ':' && m[2] === ':') continue;
    // `password: value` must not be `http://` or `12:30`: the key word must be a real key.
    if (m[2]?.trim() === ':' && text[valueAt] === '/' && text[valueAt + 1] === '/') continue;
    const value = readValue(scan, valueAt);
    if (value.end <= value.start || opensStructure(text, value)) continue;
    // A PEM block as the value: the key-block rule hides the body and keeps the markers.
    if (/^-{4,5} ?BEGIN /.test(text.slice(value.start, value.start + 11))) continue;
    if (strength === 'authorization') {
      const limit = value.quoted ? value.end : scan.lineEnd(value.start);
      const stop = maskAfterScheme(scan, value.start, limit);
      pattern.lastIndex = Math.max(pattern.lastIndex, stop);
      continue;
    }
    // An encoded query's value ends at its encoded & (%26).
    const encodedAnd = m[2]?.includes('%') ? text.indexOf('%26', value.start) : -1;
    if (encodedAnd > value.start && encodedAnd < value.end) value.end = encodedAnd;
    const end = strength === 'strong' ? connectionStringEnd(scan, m.index, value) : value.end;
    const raw = text.slice(value.start, end);
    const cut = scan.isCut(end) || (!value.closed && value.quoted);
    if (/^(?:bearer|basic|token)$/i.test(raw) && !value.quoted) {
      // `auth: Bearer abc…` — the credential is the next word.
      const stop = maskAfterScheme(scan, value.start, scan.lineEnd(value.start));
      pattern.lastIndex = Math.max(pattern.lastIndex, stop);
      continue;
    }
    const comma = m[2]?.includes(',') === true;
    const secret =
      strength === 'strong' && !comma
        ? !isNotSecretValue(raw) &&
          !isWorkingDirectory(key, raw) &&
          !namesItself(key, raw) &&
          !namesSecretObject(key, raw)
        : strength === 'strong'
          ? // `"password", "email"` lists field names; `"PASSWORD", "s3cr3t!"` sets one.
            !isNotSecretValue(raw) && !/^[A-Za-z_][A-Za-z_.-]*$/.test(raw)
          : looksRandom(raw, 16) || (cut && raw.length > 0 && !isNotSecretValue(raw));
    // Secret or not, the value is read: matching again inside it would read it again.
    pattern.lastIndex = Math.max(pattern.lastIndex, end);
    if (secret) scan.mask(value.start, end);
  }
}

/** `secret: secret "name"`, `password: Password` — prose that repeats the key word. */
function namesItself(key: string, value: string): boolean {
  if (value.length > 16) return false;
  const word = value.toLowerCase();
  // `"db-credentials" : secret "db-credentials"`, `passwd: password expiry …`: a kind of secret
  // named in prose, not a value (curl's placeholders above are the same words).
  return described(key).last === word || SECRET_KIND_WORDS.has(word);
}

const SECRET_KIND_WORDS = wordSet('secret password passwd token credential credentials apikey');

// A DNS-1123 name (`payments-env`, `db-credentials.v2`): under a bare `secret` key — a Prometheus
// label, a Kubernetes event — it names a Secret object, it is not one.
const OBJECT_NAME = /^[a-z0-9]+(?:[-.][a-z0-9]+)+$/;

function namesSecretObject(key: string, value: string): boolean {
  return key.toLowerCase() === 'secret' && value.length <= 253 && OBJECT_NAME.test(value);
}

/** PWD and OLDPWD in an environment dump are directories, not passwords. */
function isWorkingDirectory(key: string, value: string): boolean {
  return /^(?:OLD)?PWD$/.test(key) && /^[~/.]/.test(value);
}

// `Bearer …`, `Basic …`, `Token …` outside a header, and prose such as `routing key R0ut…` or
// `webhook secret whsec_…`: the word after must look like a credential. Eight characters at
// least; a shorter one cut at a clip point is maskCutTails' job.
const BARE_SCHEME =
  /(?<![\w-])(bearer|basic|token|secret|key|password|passwd|passphrase)[ \t]+(?=[\w.~+/=-]{8})/gi;

export function maskBareSchemes(scan: Scan): void {
  const text = scan.text;
  for (const m of text.matchAll(BARE_SCHEME)) {
    const start = m.index + m[0].length;
    const end = scan.tokenEnd(start, '"\'`,;()<>[]{}');
    const credential = text.slice(start, end);
    const word = (m[1] as string).toLowerCase();
    // A credential holds no "=" but padding: `token_type=Bearer expires_in=3600` is two pairs.
    if (!/^[\w.~+/-]+=*$/.test(credential)) continue;
    const secret =
      word === 'basic'
        ? isBasicCredential(credential) || looksLikeToken(credential, 12)
        : word === 'bearer' || word.startsWith('pass')
          ? looksLikeToken(credential, 8)
          : looksRandom(credential, word === 'key' ? 20 : 16);
    if (secret && !isNotSecretValue(credential)) scan.mask(start, end);
  }
}

// Short password flags of the commands that take one: `mysql -pS3cret` (attached: `-p db` asks
// for the password), `sshpass -p …`, `docker login -p …`, `mongosh -p …`, `redis-cli -a …`.
const COMMAND =
  /\b(mysql|mysqldump|mysqladmin|mariadb|sshpass|docker|podman|nerdctl|helm|mongo|mongosh|mongodump|mongorestore|redis-cli)\b/g;
const SHORT_FLAG = /(?<![\w-])-([pa])(?=[^\s-]|[ \t]+[^\s-])/g;

const CONTAINER_TOOLS = new Set(['docker', 'podman', 'nerdctl', 'helm']);

export function maskCommandPasswords(scan: Scan): void {
  const text = scan.text;
  if (!/ -[pa]/.test(text)) return;
  const commands = new RegExp(COMMAND.source, 'g');
  let last: { at: number; name: string } | null = null;
  let next = commands.exec(text);
  for (const m of text.matchAll(SHORT_FLAG)) {
    while (next !== null && next.index < m.index) {
      last = { at: next.index, name: next[1] as string };
      next = commands.exec(text);
    }
    if (!last || !sameCommand(scan, last.at, m.index)) continue;
    const flag = m[1] as string;
    const name = last.name;
    const attached = text[m.index + 2] !== ' ' && text[m.index + 2] !== '\t';
    // Container tools take -p as a password only in `login` (`docker run -p 8080:80` publishes).
    const login = CONTAINER_TOOLS.has(name) ? scan.next(' login', last.at) < m.index : true;
    const takes =
      flag === 'a'
        ? name === 'redis-cli'
        : name.startsWith('my') || name === 'mariadb'
          ? attached
          : name !== 'redis-cli' && login;
    if (!takes) continue;
    let at = m.index + 2;
    while (text[at] === ' ' || text[at] === '\t') at++;
    const value = readValue(scan, at);
    const raw = text.slice(value.start, value.end);
    if (value.end > value.start && !isNotSecretValue(raw) && !/^\$\{?\w+\}?$/.test(raw)) {
      scan.mask(value.start, value.end);
    }
  }
}

// XML: <password>…</password> and <add key="Password" value="…"/> (gitleaks nuget-config-password).
const XML_ELEMENT = /<(?=[\w.:-]{0,40}?(?:pass|secret|token|key|auth|cred))([\w.:-]{1,80})>/gi;
const XML_ADD = /<add\s+key="([\w.:-]{1,80})"\s+value="([^"\n]{1,512})"/dgi;

export function maskXml(scan: Scan): void {
  const text = scan.text;
  if (!text.includes('<')) return;
  for (const m of text.matchAll(XML_ELEMENT)) {
    const tag = m[1] as string;
    const start = m.index + m[0].length;
    let valueStart = start;
    let end = scan.next('<', start);
    const lineEnd = scan.lineEnd(start);
    let blank = start;
    while (blank < lineEnd && /\s/.test(text[blank] as string)) blank++;
    if (end > lineEnd && blank === lineEnd) {
      // <password>\n  value\n</password>: the value is the next line, the closing tag the one after.
      valueStart = lineEnd + 1;
      const valueEnd = scan.lineEnd(valueStart);
      const after = text.slice(valueEnd + 1, valueEnd + 200 + tag.length).trimStart();
      if (valueEnd >= text.length || !after.startsWith(`</${tag}>`)) continue;
      while (valueStart < valueEnd && /\s/.test(text[valueStart] as string)) valueStart++;
      end = valueEnd;
      while (end > valueStart && /\s/.test(text[end - 1] as string)) end--;
    } else if (end > lineEnd || !text.startsWith(`</${tag}>`, end)) continue;
    const value = text.slice(valueStart, end);
    if (keyStrength(tag) !== null && !isNotSecretValue(value.trim())) scan.mask(valueStart, end);
  }
  for (const m of text.matchAll(XML_ADD)) {
    const where = m.indices?.[2];
    if (!where || keyStrength(m[1] as string) === null || isNotSecretValue(m[2] as string))
      continue;
    scan.mask(where[0], where[1]);
  }
}

// Command-line flags: --password hunter2, --api-key abc…, --token=… is an assignment above.
const FLAG =
  /(?<![\w-])--?(?=[\w-]*?(?:pass|pwd|secret|token|key|auth|cred))([A-Za-z][\w-]*)[ \t]+(?=[^\s-])/gi;

export function maskFlags(scan: Scan): void {
  const text = scan.text;
  if (!text.includes('-')) return;
  for (const m of text.matchAll(FLAG)) {
    const strength = keyStrength(m[1] as string);
    if (strength === null || strength === 'authorization') continue;
    const value = readValue(scan, m.index + m[0].length);
    const raw = text.slice(value.start, value.end);
    const secret =
      strength === 'strong'
        ? !isNotSecretValue(raw) && !/^[~/.]/.test(raw)
        : looksRandom(raw, 16) || scan.isCut(value.end);
    if (secret) scan.mask(value.start, value.end);
  }
}

// scheme://userinfo@host: the authority ends at "/", "?" or whitespace; the userinfo ends at its
// last "@", so a password holding "@" is hidden whole. "#" is allowed: people put it in DSN
// passwords unencoded, and a fragment never precedes an "@" in a real URL.
const URL_USERINFO = /:\/\/([^\s/?"'<>\\]*)@/g;

export function maskUrlCredentials(scan: Scan): void {
  const text = scan.text;
  if (!text.includes('://')) return;
  for (const m of text.matchAll(URL_USERINFO)) {
    const userinfo = m[1] as string;
    const start = m.index + 3;
    const colon = userinfo.indexOf(':');
    if (colon === -1) {
      // A token used as the user name: https://<token>@github.com.
      if (looksLikeToken(userinfo, 20)) scan.mask(start, start + userinfo.length);
      continue;
    }
    const password = userinfo.slice(colon + 1);
    if (isNotSecretValue(password)) continue;
    scan.mask(start + colon + 1, start + userinfo.length);
  }
}

// gitleaks curl-auth-user: `curl … -u user:password` / `--user`, on the line of a curl command.
const CURL = /\bcurl\b/g;
const CURL_USER = /(?<![\w-])(?:-u|--user)(?:=|[ \t]+)/g;

export function maskCurlUser(scan: Scan): void {
  const text = scan.text;
  if (!text.includes('curl')) return;
  const curl = new RegExp(CURL.source, 'g');
  let lastCurl = -1;
  let nextCurl = curl.exec(text);
  for (const m of text.matchAll(CURL_USER)) {
    while (nextCurl !== null && nextCurl.index < m.index) {
      lastCurl = nextCurl.index;
      nextCurl = curl.exec(text);
    }
    if (lastCurl < 0 || !sameCommand(scan, lastCurl, m.index)) continue;
    maskUserPassword(scan, m.index + m[0].length);
  }
}

const PLACEHOLDERS = wordSet('pass password passwd secret token test username');

/** True when `curlAt` is on the line of `at` or on one of up to 5 lines continued by "\\". */
function sameCommand(scan: Scan, curlAt: number, at: number): boolean {
  let start = scan.lineStart(at);
  for (let i = 0; i < 5 && curlAt < start; i++) {
    const previousEnd = start - 1;
    const last = scan.text[previousEnd - 1] === '\r' ? previousEnd - 2 : previousEnd - 1;
    if (previousEnd <= 0 || scan.text[last] !== '\\') return false;
    start = scan.text.lastIndexOf('\n', previousEnd - 1) + 1;
  }
  return curlAt >= start;
}

function maskUserPassword(scan: Scan, from: number): void {
  const text = scan.text;
  let pos = from;
  let end = scan.tokenEnd(pos, '');
  // Quotes may wrap the pair or either half: "user:pass", 'user:pass', user:'pass', "u":"p".
  const q = text[pos];
  if ((q === '"' || q === "'") && text[end - 1] === q && text.indexOf(q, pos + 1) === end - 1) {
    pos++;
    end--;
  }
  const token = text.slice(pos, end);
  const colon = /["']/.test(token)
    ? token.replace(/"[^"]*"|'[^']*'/g, (q) => 'q'.repeat(q.length)).indexOf(':')
    : token.indexOf(':');
  if (colon === -1) return;
  const unquote = (from: number, to: number): [number, number] => {
    let a = from;
    let b = to;
    while (a < b && /["']/.test(text[a] as string)) a++;
    while (b > a && /["']/.test(text[b - 1] as string)) b--;
    if (text[a] === '{' && text[b - 1] === '}') {
      a++;
      b--;
    }
    return [a, b];
  };
  const [userStart, userEnd] = unquote(pos, pos + colon);
  const [passStart, passEnd] = unquote(pos + colon + 1, end);
  const password = text.slice(passStart, passEnd);
  const user = text.slice(userStart, userEnd);
  // Shell variables and the placeholders of examples are no secret: $1:$2, ${user}:${pass}, test:test.
  if (/^\$\{?\w+\}?$/.test(password) || password === user || PLACEHOLDERS.has(password)) return;
  if (passEnd > passStart && !isNotSecretValue(password)) scan.mask(passStart, passEnd);
  else if (passEnd === passStart && userEnd > userStart) scan.mask(userStart, userEnd);
}

/**
 * A line clipped by the caller may end inside a secret that no pattern can finish matching: the
 * start of a known token (`ghp_ab…`), the password of a URL whose `@` was cut off. Mask the tail.
 */
export function maskCutTails(scan: Scan): void {
  const text = scan.text;
  for (const cut of scan.cutPositions) {
    const lineStart = scan.lineStart(cut);
    let start = cut;
    while (start > lineStart && !/[\s"'`,;()<>[\]{}|]/.test(text[start - 1] as string)) start--;
    if (start === cut) continue;
    const token = text.slice(start, cut);
    // The token itself, or what follows "=", ":", "@" or "/" inside it, may start a secret.
    for (let i = 0; i < token.length; i++) {
      if (i > 0 && !'=:@/'.includes(token[i - 1] as string)) continue;
      if (KNOWN_PREFIXES.some((p) => token.startsWith(p, i))) {
        scan.mask(start + i, cut);
        break;
      }
    }
    // `Bearer abc` cut after a few characters of the credential.
    if (
      /(?:^|[^\w-])(?:bearer|basic|token)[ \t]+$/i.test(
        text.slice(Math.max(lineStart, start - 12), start),
      )
    ) {
      scan.mask(start, cut);
    }
    const scheme = token.indexOf('://');
    if (scheme !== -1) {
      const authority = token.slice(scheme + 3);
      const colon = authority.indexOf(':');
      if (colon !== -1 && !/[/?#@]/.test(authority)) scan.mask(start + scheme + 4 + colon, cut);
    }
  }
}

// A password word, then blanks, then the password: `.netrc` (netrc(5): machine … login …
// password …), redis.conf directives (requirepass, masterauth), SQL (`PASSWORD 'x'`), and prose
// such as `with user 'admin' and password 'x'`. Quoted values are taken whole; a bare one must
// look chosen (letters with digits or punctuation), so `password for user` stays.
const PASSWORD_WORD = /(?:password|passwd|passphrase|requirepass|masterauth)[ \t]+(?=\S)/gi;

const isWordChar = (c: number) => isIdentifierStart(c) || (c >= 48 && c <= 57) || c === 45;
const isIdentifierStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;

/** A bare word that reads as a password: letters with digits or symbols, no path, no pair. */
function looksChosen(value: string): boolean {
  if (value.length < 6 || value.length > 256) return false;
  if (/[=/\\]|^[-(<[{]|[)>\]}:.,;]$/.test(value)) return false;
  const letters = /[A-Za-z]/.test(value);
  return letters && (/[0-9]/.test(value) || /[^A-Za-z0-9]/.test(value));
}

export function maskPasswordWords(scan: Scan): void {
  const text = scan.text;
  if (!/pass|masterauth/i.test(text)) return;
  for (const m of text.matchAll(PASSWORD_WORD)) {
    // The word must start a word (a look-behind here would slow the scan of every character).
    if (m.index > 0 && isWordChar(text.charCodeAt(m.index - 1))) continue;
    const at = m.index + m[0].length;
    const q = text[at];
    if (q === '"' || q === "'") {
      const close = scan.next(q, at + 1);
      if (close >= scan.lineEnd(at) || close === at + 1) continue;
      const value = text.slice(at + 1, close);
      // Prose quotes a word ('reset'); a value with blanks at its ends is a quoted phrase.
      if (value.length > 256 || /^[A-Za-z]+$|^\s|\s$/.test(value) || isNotSecretValue(value))
        continue;
      scan.mask(at + 1, close);
      continue;
    }
    const end = scan.tokenEnd(at, '"\'`,;');
    const value = text.slice(at, end);
    if (looksChosen(value) && !isNotSecretValue(value)) scan.mask(at, end);
  }
}

// SQL that sets a password (statement logs of PostgreSQL, MySQL, Oracle): `IDENTIFIED BY 'x'`,
// `IDENTIFIED WITH mysql_native_password BY 'x'`, `SET PASSWORD FOR u = 'x'`, `PASSWORD('x')`.
// A bare `PASSWORD 'x'` is maskPasswordWords' job.
const SQL_PASSWORD =
  /\b(?:identified[ \t]+(?:with[ \t]+\w{1,64}[ \t]+)?(?:by|as)(?:[ \t]+password)?[ \t]+(["'])([^"'\n]{1,256})\1|set[ \t]+password[ \t]+(?:for[ \t]+[^\s=]{1,128}[ \t]*)?=[ \t]*(?:password[ \t]*\([ \t]*)?(["'])([^"'\n]{1,256})\3)/dgi;

export function maskSqlPasswords(scan: Scan): void {
  const text = scan.text;
  if (!/identified|set[ \t]+password/i.test(text)) return;
  for (const m of text.matchAll(new RegExp(SQL_PASSWORD.source, SQL_PASSWORD.flags))) {
    const group = m[2] === undefined ? 4 : 2;
    const where = m.indices?.[group];
    if (where && !isNotSecretValue(m[group] as string)) scan.mask(where[0], where[1]);
  }
}

// Redis MONITOR and slowlog print commands with their arguments: `"AUTH" "pw"` or
// `"AUTH" "user" "pw"`, and `"CONFIG" "SET" "requirepass" "pw"`. The last argument is the password.
const REDIS_AUTH = /"(?:auth|requirepass|masterauth)"((?:[ \t]+"(?:[^"\\\n]|\\.){0,256}"){1,2})/gi;

export function maskRedisAuth(scan: Scan): void {
  const text = scan.text;
  if (!text.includes('"')) return;
  for (const m of text.matchAll(REDIS_AUTH)) {
    const args = m[1] as string;
    const end = m.index + m[0].length - 1;
    const start = m.index + m[0].length - args.length + args.lastIndexOf('"', args.length - 2) + 1;
    if (end > start) scan.mask(start, end);
  }
}

// Oracle's user/password@connect: `jdbc:oracle:thin:scott/tiger@//host:1521/db` and the
// command lines of its tools (`sqlplus -s system/pw@db`, sqlldr, rman, expdp, impdp) —
// trufflehog jdbc's Oracle form.
const ORACLE_LOGIN =
  /(?:\bjdbc:oracle:\w{1,10}:|\b(?:sqlplus|sqlldr|rman|expdp|impdp)(?:[ \t]+-\w+)*[ \t]+(?:(?:target|auxiliary|catalog|userid)(?:[ \t]*=[ \t]*|[ \t]+))?["']?)[A-Za-z][\w$#]{0,127}\/([^\s/@"']{1,256})@/dgi;

export function maskOracleLogins(scan: Scan): void {
  const text = scan.text;
  if (!text.includes('/') || !text.includes('@')) return;
  for (const m of text.matchAll(ORACLE_LOGIN)) {
    const where = m.indices?.[1];
    if (where && !isNotSecretValue(m[1] as string)) scan.mask(where[0], where[1]);
  }
}

// Samba's tools take `-U user%password` (smbclient, rpcclient, smbcacls, smbget, smbmap, net,
// winexe). On such a command line, what follows the first `%` of the -U value is the password.
const SAMBA =
  /\b(?:smbclient|rpcclient|smbcacls|smbget|smbmap|smbpasswd|net|winexe|crackmapexec|nxc)\b/g;
const SAMBA_USER = /(?<![\w-])(?:-U|--user(?:name)?)(?:=|[ \t]+)/g;

export function maskSambaUsers(scan: Scan): void {
  const text = scan.text;
  if (!text.includes('%')) return;
  const tools = new RegExp(SAMBA.source, 'g');
  let last = -1;
  let next = tools.exec(text);
  for (const m of text.matchAll(SAMBA_USER)) {
    while (next !== null && next.index < m.index) {
      last = next.index;
      next = tools.exec(text);
    }
    if (last < 0 || !sameCommand(scan, last, m.index)) continue;
    const value = readValue(scan, m.index + m[0].length);
    const percent = text.slice(value.start, value.end).indexOf('%');
    if (percent === -1 || value.start + percent >= value.end - 1) continue;
    scan.mask(value.start + percent + 1, value.end);
  }
}

// Cookies carry sessions: whatever a cookie is called, a long generated value in a `Cookie:`
// or `Set-Cookie:` header is a bearer credential (`connect.sid`, `_gh_sess`, `.ASPXAUTH`,
// `ASP.NET_SessionId`). Analytics and preference cookies stay, as do Set-Cookie attributes.
const COOKIE_HEADER = /(?<![\w-])(set-)?cookie["']?[ \t]*[:=][ \t]*["']?/gi;
const COOKIE_ATTRIBUTES = wordSet('path domain expires max-age samesite secure httponly priority');
const NOT_SESSION_COOKIE = /^(?:_ga\w*|_gid|_gat\w*|_gcl\w*|_fbp|_hj\w*|theme|lang|locale|tz)$/i;

export function maskCookies(scan: Scan): void {
  const text = scan.text;
  if (!text.includes('ookie') && !text.includes('OOKIE')) return;
  const pattern = new RegExp(COOKIE_HEADER.source, COOKIE_HEADER.flags);
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    const quote = text[m.index + m[0].length - 1];
    const lineEnd = scan.lineEnd(m.index);
    const end =
      quote === '"' || quote === "'"
        ? Math.min(scan.next(quote, m.index + m[0].length), lineEnd)
        : lineEnd;
    const setCookie = m[1] !== undefined;
    let at = m.index + m[0].length;
    for (let first = true; at < end; first = false) {
      const pairEnd = Math.min(scan.next(';', at), end);
      const eq = scan.next('=', at);
      if (eq < pairEnd && (first || !setCookie)) {
        const name = text.slice(at, eq).trim();
        let valueEnd = pairEnd;
        while (valueEnd > eq + 1 && /\s/.test(text[valueEnd - 1] as string)) valueEnd--;
        const value = text.slice(eq + 1, valueEnd).replace(/^"|"$/g, '');
        if (
          !COOKIE_ATTRIBUTES.has(name.toLowerCase()) &&
          !NOT_SESSION_COOKIE.test(name) &&
          /^[\w.~+/=%:|!*-]{16,}$/.test(value) &&
          /[0-9]/.test(value) &&
          /[A-Za-z]/.test(value) &&
          !isNotSecretValue(value)
        ) {
          scan.mask(eq + 1, valueEnd);
        }
      }
      at = pairEnd + 1;
    }
    pattern.lastIndex = Math.max(pattern.lastIndex, end);
  }
}
