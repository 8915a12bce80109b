import type { MrkdwnElement, PlainTextElement } from '@slack/types';
import { visible } from '../../domain/visible.ts';

/**
 * Text for Slack: escaping, safe cutting, mentions, dates and links. Everything that reaches mrkdwn
 * from a report, a log line or a model goes through `esc`, so it can never become a mention,
 * a broadcast (<!channel>) or a disguised link.
 */

/**
 * Slack turns a bare URL in mrkdwn into a link (https://docs.slack.dev/messaging/formatting-message-text/#linking-urls),
 * so a URL in a log line or a model's words would become something to click that nobody chose to
 * link. A zero-width space after the scheme's colon (and inside `www.`) keeps the text as it reads
 * and stops Slack from recognising it; links the bot means are made with `link()`.
 */
const ZWSP = '\u200B';
export function noAutoLink(text: string): string {
  return text
    .replace(/\b([a-z][a-z0-9+.-]{1,20}):\/\//gi, `$1:${ZWSP}//`)
    .replace(/\b(www)\./gi, `$1${ZWSP}.`)
    .replace(/\b(mailto):(?=\S)/gi, `$1:${ZWSP}`);
}

export { visible } from '../../domain/visible.ts';

/**
 * Slack notifies a whole channel for "@channel", "@here" and "@everyone" typed as words when a
 * message is parsed with link_names, and its markdown block translates standard markdown into its
 * own; a zero-width space after the @ keeps the word as it reads and makes it nothing to notify.
 */
export function noBroadcast(text: string): string {
  return text.replace(/@(channel|here|everyone)\b/gi, `@${ZWSP}$1`);
}

/**
 * Slack's three mrkdwn control characters, as Slack's formatting guide says to escape them, bare
 * URLs defused (noAutoLink), broadcast words disarmed (noBroadcast) and invisible characters
 * removed (visible).
 */
export function esc(text: string): string {
  return noBroadcast(
    noAutoLink(visible(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')),
  );
}

const ELLIPSIS = '…';

/** Cuts plain text to `max` characters with …, never splitting a surrogate pair. */
export function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - ELLIPSIS.length);
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end).trimEnd()}${ELLIPSIS}`;
}

/**
 * Cuts mrkdwn to `max` characters without leaving half of a <…> token (mention, date, link) or
 * an &…; entity, either of which Slack would show as garbage or refuse.
 */
export function cutMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - ELLIPSIS.length);
  const open = text.lastIndexOf('<', end - 1);
  if (open !== -1 && text.lastIndexOf('>', end - 1) < open) end = open;
  const amp = text.lastIndexOf('&', end - 1);
  if (amp !== -1 && text.lastIndexOf(';', end - 1) < amp && end - amp <= 5) end = amp;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end).trimEnd()}${ELLIPSIS}`;
}

/** Raw text from outside, escaped and cut to `max` characters before escaping. */
export function escCut(text: string, max: number): string {
  return esc(cut(text, max));
}

export function plain(text: string, max: number): PlainTextElement {
  return { type: 'plain_text', text: cut(visible(text), max), emoji: true };
}

export function mrkdwn(text: string, max: number): MrkdwnElement {
  return { type: 'mrkdwn', text: cutMrkdwn(text, max) };
}

// Slack ids are upper-case letters and digits and always carry a digit; "SRE" is a team name, not a group id.
const SLACK_ID = /^[A-Z][A-Z0-9]{2,}$/;
const isSlackId = (id: string) => SLACK_ID.test(id) && /\d/.test(id);

export function isUserId(id: string): boolean {
  return isSlackId(id) && (id.startsWith('U') || id.startsWith('W'));
}

export function isUserGroupId(id: string): boolean {
  return isSlackId(id) && id.startsWith('S');
}

export function isChannelId(id: string): boolean {
  return isSlackId(id) && (id.startsWith('C') || id.startsWith('G'));
}

/**
 * A user (U…/W…), user group (S…) or channel (C…/G…) id as a Slack mention; anything else
 * (cli:alice, operator, a team name) as escaped text.
 */
export function mention(id: string): string {
  if (isUserId(id)) return `<@${id}>`;
  if (isUserGroupId(id)) return `<!subteam^${id}>`;
  if (isChannelId(id)) return `<#${id}>`;
  return esc(id);
}

const pad = (n: number) => String(n).padStart(2, '0');

function fallbackTime(d: Date, withDate: boolean): string {
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
  return withDate
    ? `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${time}`
    : time;
}

/**
 * A time every reader sees in their own time zone; the fallback (UTC) is what clients that
 * cannot render dates, and notifications, show. An unparseable time is shown as given.
 */
export function slackDate(iso: string, style: 'time' | 'datetime' = 'datetime'): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return esc(iso);
  const unix = Math.floor(d.getTime() / 1000);
  const format = style === 'time' ? '{time}' : '{date_short_pretty} {time}';
  return `<!date^${unix}^${format}|${fallbackTime(d, style !== 'time')}>`;
}

/** A time within an incident: the clock alone on the incident's day, with the date otherwise. */
export function incidentTime(iso: string, incidentDay: string): string {
  return slackDate(iso, iso.slice(0, 10) === incidentDay ? 'time' : 'datetime');
}

/**
 * A link Slack cannot be tricked by: http(s) only, with the characters that end or split a
 * <url|label> token percent-encoded. Anything else is shown as escaped text, not a link.
 */
export function link(url: string, label: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return esc(`${label} ${url}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return esc(`${label} ${url}`);
  const safe = parsed.href.replace(
    /[<>|\s]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
  return `<${safe}|${esc(label).replace(/\|/g, '¦')}>`;
}

/** "a, b, c and 4 more": a long list cut to what a reader takes in. */
export function listSome(items: readonly string[], max: number): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}
