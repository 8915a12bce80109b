import type { AppMentionEvent, MessageEvent } from './payloads.ts';

/**
 * The readable text of a Slack message, wherever an alerting integration put it: `text`,
 * attachments (pretext, title, text, fields) or blocks (sections, fields, headers, rich text).
 */

const DECODE: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>' };

/** Slack markup to plain words: links keep their label, mentions of the bot disappear. */
export function plainText(text: string, botUserId?: string): string {
  return text
    .replace(/<@([UW][A-Z0-9]+)(\|[^>]*)?>/g, (_m, id: string) =>
      id === botUserId ? '' : `@${id}`,
    )
    .replace(/<#[CG][A-Z0-9]+\|([^>]*)>/g, '#$1')
    .replace(/<!subteam\^[A-Z0-9]+(\|([^>]*))?>/g, (_m, _g, label?: string) => label ?? '@group')
    .replace(/<!(here|channel|everyone)[^>]*>/g, '@$1')
    .replace(/<((?:https?|mailto):[^|>]+)\|([^>]+)>/g, '$2')
    .replace(/<((?:https?|mailto):[^>]+)>/g, '$1')
    .replace(/&(amp|lt|gt);/g, (entity) => DECODE[entity] ?? entity)
    .replace(/[ \t]+/g, ' ')
    .trim();
}

function blockTexts(node: unknown, out: string[]): void {
  if (Array.isArray(node)) {
    for (const child of node) blockTexts(child, out);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const record = node as Record<string, unknown>;
  // Rich text leaves and section/header/context text objects all carry `text` as a string.
  if (typeof record.text === 'string') out.push(record.text);
  else if (record.text && typeof record.text === 'object') blockTexts(record.text, out);
  if (record.type === 'link' && typeof record.url === 'string' && typeof record.text !== 'string')
    out.push(record.url);
  for (const key of ['fields', 'elements', 'blocks'] as const) blockTexts(record[key], out);
}

export function alertText(event: MessageEvent | AppMentionEvent, botUserId?: string): string {
  const parts: string[] = [];
  if (event.text) parts.push(event.text);
  for (const a of event.attachments ?? []) {
    for (const piece of [a.pretext, a.title, a.text]) if (piece) parts.push(piece);
    for (const f of a.fields ?? []) parts.push([f.title, f.value].filter(Boolean).join(': '));
    if (!a.pretext && !a.title && !a.text && a.fallback) parts.push(a.fallback);
  }
  // A file shared as the alert (a graph, a report) is named by its title.
  const files = event.type === 'message' ? (event.files ?? []) : [];
  for (const f of files) if (f.title && !parts.includes(f.title)) parts.push(f.title);
  // Blocks usually repeat `text`; only read them when they add something.
  const fromBlocks: string[] = [];
  blockTexts(event.blocks ?? [], fromBlocks);
  // Compared as plain text: `text` arrives escaped (&gt;) while rich-text pieces are raw (>).
  const joined = plainText(parts.join('\n'));
  for (const t of fromBlocks) if (!joined.includes(plainText(t))) parts.push(t);
  return plainText([...new Set(parts)].join('\n'), botUserId);
}
