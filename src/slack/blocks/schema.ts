import { z } from 'zod';
import { SLACK_LIMITS as L, MESSAGE_BUDGET } from './limits.ts';

/**
 * The block types these renderers emit, with Slack's limits, as a zod schema. Strict objects, so
 * a misspelt key fails here rather than as invalid_blocks from Slack. Tests validate every rendered
 * message with it; the listener may too, before posting, to log a bug instead of a Slack error.
 */

const text = (max: number) => z.string().min(1).max(max);
const plainText = (max: number) =>
  z.strictObject({ type: z.literal('plain_text'), text: text(max), emoji: z.boolean().optional() });
const mrkdwnText = (max: number) =>
  z.strictObject({ type: z.literal('mrkdwn'), text: text(max), verbatim: z.boolean().optional() });
const textObject = (max: number) => z.union([plainText(max), mrkdwnText(max)]);
const blockId = z.string().min(1).max(L.blockId).optional();

const Header = z.strictObject({
  type: z.literal('header'),
  block_id: blockId,
  text: plainText(L.headerText),
});

const Section = z
  .strictObject({
    type: z.literal('section'),
    block_id: blockId,
    text: textObject(L.sectionText).optional(),
    fields: z.array(textObject(L.sectionFieldText)).min(1).max(L.sectionFields).optional(),
  })
  .refine((s) => s.text !== undefined || s.fields !== undefined, 'a section needs text or fields');

const Context = z.strictObject({
  type: z.literal('context'),
  block_id: blockId,
  elements: z.array(textObject(L.contextElementText)).min(1).max(L.contextElements),
});

const Divider = z.strictObject({ type: z.literal('divider'), block_id: blockId });

const Confirm = z.strictObject({
  title: plainText(L.confirmTitle),
  text: textObject(L.confirmText),
  confirm: plainText(L.confirmButton),
  deny: plainText(L.confirmButton),
  style: z.enum(['primary', 'danger']).optional(),
});

const ButtonElement = z.strictObject({
  type: z.literal('button'),
  action_id: z.string().min(1).max(L.actionId),
  text: plainText(L.buttonText),
  value: z.string().max(L.buttonValue).optional(),
  url: z.string().max(L.buttonUrl).optional(),
  style: z.enum(['primary', 'danger']).optional(),
  confirm: Confirm.optional(),
});

const Actions = z.strictObject({
  type: z.literal('actions'),
  block_id: blockId,
  elements: z.array(ButtonElement).min(1).max(L.actionsElements),
});

/** docs.slack.dev/reference/block-kit/blocks/markdown-block: standard markdown, 12,000 characters. */
const Markdown = z.strictObject({
  type: z.literal('markdown'),
  block_id: blockId,
  text: text(12_000),
});

/** docs.slack.dev/reference/block-kit/blocks/table-block: 100 rows, 20 cells each. */
const Table = z.strictObject({
  type: z.literal('table'),
  block_id: blockId,
  column_settings: z
    .array(
      z.strictObject({
        align: z.enum(['left', 'center', 'right']).optional(),
        is_wrapped: z.boolean().optional(),
      }),
    )
    .max(20)
    .optional(),
  rows: z
    .array(
      z.array(z.strictObject({ type: z.literal('raw_text'), text: z.string().min(1) })).max(20),
    )
    .min(1)
    .max(100),
});

export const EmittedBlock = z.union([Header, Section, Context, Divider, Actions, Markdown, Table]);

export const EmittedMessage = z
  .strictObject({
    text: text(L.messageText),
    blocks: z.array(EmittedBlock).min(1).max(L.blocksPerMessage),
  })
  .refine(
    (m) => JSON.stringify(m.blocks).length <= MESSAGE_BUDGET.blocksJsonChars,
    `blocks exceed ${MESSAGE_BUDGET.blocksJsonChars} characters of JSON (msg_blocks_too_long)`,
  );

/** A modal or a Home tab as views.open and views.publish take it (100 blocks, 24-character titles). */
export const EmittedView = z.strictObject({
  type: z.enum(['modal', 'home']),
  callback_id: z.string().max(255).optional(),
  title: plainText(24).optional(),
  close: plainText(24).optional(),
  private_metadata: z.string().max(3000).optional(),
  blocks: z
    .array(z.union([Header, Section, Context, Divider, Actions]))
    .min(1)
    .max(100),
});

const problemsOf = (error: z.ZodError) =>
  error.issues.map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`);

/** Problems with a message as Slack would see them, or an empty list. */
export function messageProblems(message: unknown): string[] {
  const result = EmittedMessage.safeParse(message);
  return result.success ? [] : problemsOf(result.error);
}

/** Problems with a view (modal, Home tab), or an empty list. */
export function viewProblems(view: unknown): string[] {
  const result = EmittedView.safeParse(view);
  return result.success ? [] : problemsOf(result.error);
}
