import { noBroadcast, visible } from './text.ts';

const ZWSP = '\u200B';

/**
 * Standard markdown for Slack's `markdown` block (docs.slack.dev/reference/block-kit/blocks/
 * markdown-block: standard markdown, at most 12,000 characters). Untrusted text (a report, a log
 * line, model output) is escaped with `md`, so it can never become a heading, a list, emphasis, a
 * link or a Slack mention; links are built with `mdLink` only.
 */

/**
 * Characters markdown or Slack would read as inline markup, backslash-escaped (CommonMark's escape
 * for ASCII punctuation), and what would open a block (a heading, a list, a quote) where the text
 * starts; newlines become spaces, so the text stays on its line.
 */
export function md(text: string): string {
  const escaped = visible(text)
    .replace(/\r?\n/g, ' ')
    .replace(/[\\`*_[\]<>~|&]/g, (c) => `\\${c}`)
    .replace(/^(\s*)([#+\->]|\d+[.)])/, (_m, space: string, mark: string) => `${space}\\${mark}`);
  // A bare URL is auto-linked (GFM's autolink extension, which Slack's markdown follows) unless
  // it follows an escaped `<`, which is not where an autolink may start; broadcast words disarmed.
  return noBroadcast(
    escaped
      .replace(/(?<!\\<)\b([a-z][a-z0-9+.-]{1,20}):\/\//gi, `$1:${ZWSP}//`)
      .replace(/\b(www)\./gi, `$1${ZWSP}.`)
      .replace(/\b(mailto):(?=\S)/gi, `$1:${ZWSP}`),
  );
}

/** Cuts plain text to `max` characters, then escapes it. */
export function mdCut(text: string, max: number): string {
  return md(text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1)).trimEnd()}…`);
}

/** A link that cannot leave its `[label](url)`: http(s) only, the URL's closing characters encoded. */
export function mdLink(url: string, label: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return md(`${label} ${url}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return md(`${label} ${url}`);
  const safe = parsed.href.replace(
    /[()<>\s]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
  return `[${md(label)}](${safe})`;
}

/** "## Title" and "- item" lines, capped at `cap` items with a note saying how many were left out. */
export function mdSection(
  title: string,
  items: readonly string[],
  cap: number,
  noun: string,
): string[] {
  if (items.length === 0) return [];
  const shown = items.slice(0, cap).map((i) => `- ${i}`);
  const hidden = items.length - shown.length;
  return [
    `**${title}**`,
    ...shown,
    ...(hidden > 0 ? [`- _… ${hidden} more ${noun} in the incident record_`] : []),
    '',
  ];
}
