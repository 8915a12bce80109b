/**
 * Slack's Block Kit limits, declared once. Slack rejects a whole message (invalid_blocks,
 * msg_blocks_too_long) when one of these is exceeded, so every renderer here cuts to them.
 *
 * Sources (Block Kit reference, docs.slack.dev/reference/block-kit/…, mirrored in the
 * @slack/types doc comments):
 * - blocks/section-block: text 3000; fields at most 10 items, 2000 characters each
 * - blocks/header-block: plain_text 150
 * - blocks/context-block: at most 10 elements
 * - blocks/actions-block: at most 25 elements
 * - block_id (every block): 255
 * - block-elements/button-element: text 75, action_id 255, value 2000, url 3000
 * - composition-objects/confirmation-dialog-object: title 100, text 300, confirm/deny 30
 * - messaging: at most 50 blocks per message; methods/chat.postMessage truncates `text` over 40,000
 */
export const SLACK_LIMITS = {
  blocksPerMessage: 50,
  messageText: 40_000,
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  blockId: 255,
  buttonText: 75,
  actionId: 255,
  buttonValue: 2000,
  buttonUrl: 3000,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  /** A context text element has no documented cap of its own; a text object's is 3000. */
  contextElementText: 3000,
} as const;

/**
 * Limits we hold ourselves to, below Slack's, because Slack enforces them without documenting them.
 *
 * chat.postMessage answers msg_blocks_too_long well below 50 × 3000 characters: the cumulative
 * size of a message's blocks is capped server-side (reports put it near 12,000–13,000 characters
 * of text, counted with some overhead per block: slackapi/bolt-js#2509, #2867). We keep the whole
 * serialized `blocks` array under this, which is stricter than any count of text alone.
 */
export const MESSAGE_BUDGET = {
  /** JSON.stringify(blocks).length for a whole message. */
  blocksJsonChars: 12_000,
  /** Room kept free in a brief so withDecision can add its blocks without re-fitting. */
  reservedBlocksForDecision: 2,
  reservedJsonForDecision: 1_500,
  /** One fact, check or log line: long enough to read, short enough that 200 of them cannot crowd out the decision. */
  itemChars: 500,
  /** The notification `text`: one line, not a document. */
  fallbackTextChars: 300,
} as const;
