import type { KnownBlock, SectionBlock } from '@slack/types';
import { SLACK_LIMITS } from './limits.ts';
import { cutMrkdwn } from './text.ts';

/**
 * Fitting a long message into Slack's limits: list sections are packed into sections of at most
 * 3000 characters, cut to a readable number of items with a visible note, and, when the whole
 * message is still too big, the lowest-priority sections are dropped and named in the footer.
 * Fixed blocks (header, decision fields, buttons) are never touched.
 */

/** A titled list of mrkdwn lines (already escaped) that may be shortened or dropped. */
export type Part = {
  kind: 'part';
  /** mrkdwn, e.g. "*What we know*"; omitted for a list that continues the section above. */
  title?: string;
  items: readonly string[];
  /** What an item is called in "… 7 more facts not shown". */
  noun: string;
  /** At most this many items are shown even when everything would fit: a brief, not a dump. */
  cap: number;
  /** Parts with a rank are dropped whole when the message does not fit, lowest rank first. */
  dropRank?: number;
  /** What the footer calls this part when it was dropped. */
  label: string;
};

export type Entry =
  | { kind: 'fixed'; blocks: readonly KnownBlock[] }
  | Part
  /** Rendered last, knowing what was dropped: the footer. */
  | { kind: 'footer'; render: (dropped: readonly Dropped[]) => readonly KnownBlock[] };

export type Dropped = { label: string; count: number };

export type FitOptions = {
  /** Where the whole brief can be read; named in every truncation note. */
  recordName: string;
  maxBlocks: number;
  maxJsonChars: number;
};

export function section(text: string): SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

/** Lines packed greedily into as few sections as Slack's 3000-character cap allows. */
export function packSections(lines: readonly string[]): SectionBlock[] {
  const max = SLACK_LIMITS.sectionText;
  const blocks: SectionBlock[] = [];
  let current = '';
  for (const raw of lines) {
    const line = cutMrkdwn(raw, max);
    if (current && current.length + 1 + line.length > max) {
      blocks.push(section(current));
      current = '';
    }
    current = current ? `${current}\n${line}` : line;
  }
  if (current) blocks.push(section(current));
  return blocks;
}

function partBlocks(part: Part, shown: number, recordName: string): SectionBlock[] {
  const items = part.items.slice(0, shown);
  const hidden = part.items.length - shown;
  const note =
    hidden > 0
      ? [
          `_… ${hidden} more ${part.noun} not shown; the full brief is in the incident record ${recordName}_`,
        ]
      : [];
  return packSections([...(part.title ? [part.title] : []), ...items, ...note]);
}

export const jsonSize = (blocks: readonly KnownBlock[]) => JSON.stringify(blocks).length;

/** The entries as blocks, within the block count and size budget whenever the fixed blocks allow. */
export function fitBlocks(entries: readonly Entry[], options: FitOptions): KnownBlock[] {
  const parts = entries.filter((e): e is Part => e.kind === 'part');
  const shown = new Map<Part, number>(parts.map((p) => [p, Math.min(p.cap, p.items.length)]));
  /** In the order they were dropped: lowest priority first. */
  const dropped: Part[] = [];

  const assemble = (): KnownBlock[] => {
    const droppedList = dropped.map((p) => ({ label: p.label, count: p.items.length }));
    return entries.flatMap((e): readonly KnownBlock[] => {
      if (e.kind === 'fixed') return e.blocks;
      if (e.kind === 'footer') return e.render(droppedList);
      if (dropped.includes(e) || e.items.length === 0) return [];
      return partBlocks(e, shown.get(e) ?? 0, options.recordName);
    });
  };
  const fits = (blocks: readonly KnownBlock[]) =>
    blocks.length <= options.maxBlocks && jsonSize(blocks) <= options.maxJsonChars;

  const droppable = parts
    .filter((p) => p.dropRank !== undefined)
    .sort((a, b) => (a.dropRank ?? 0) - (b.dropRank ?? 0));
  let blocks = assemble();
  while (!fits(blocks)) {
    const next = droppable.find((p) => !dropped.includes(p) && p.items.length > 0);
    if (next) {
      dropped.push(next);
    } else {
      // Halve the biggest list still showing something; each pass shrinks, so this ends.
      const biggest = parts
        .filter((p) => !dropped.includes(p) && (shown.get(p) ?? 0) > 0)
        .map((p) => ({ p, size: jsonSize(partBlocks(p, shown.get(p) ?? 0, options.recordName)) }))
        .sort((a, b) => b.size - a.size)[0];
      if (!biggest) break;
      shown.set(biggest.p, Math.floor((shown.get(biggest.p) ?? 0) / 2));
    }
    blocks = assemble();
  }
  return blocks;
}
