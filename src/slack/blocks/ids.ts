/**
 * The identifiers the Slack listener and these renderers share: the listener registers handlers on
 * the action ids and finds the restart controls in a posted brief by the block id prefixes.
 */
export const ACTION_IDS = {
  approve: 'approve_restart',
  deny: 'deny_restart',
  /** The "Full brief" button: opens the whole brief in a modal, for anyone. */
  openBrief: 'open_full_brief',
} as const;

/** The modal that shows a whole brief (views.open), and App Home (views.publish). */
export const VIEW_IDS = {
  fullBrief: 'lzo_full_brief',
} as const;

/**
 * Block id prefixes; the proposal id follows a dot, so an updated message never reuses a block id
 * (Slack's advice for chat.update) and a click names the proposal twice (block and value).
 */
export const BLOCK_IDS = {
  restartActions: 'lzo_restart_actions',
  restartApprovers: 'lzo_restart_approvers',
  restartDecision: 'lzo_restart_decision',
  /** The compact brief's "Full brief" button row; the incident id follows a dot. */
  briefNav: 'lzo_brief_nav',
} as const;

export function blockId(prefix: string, proposalId: string | null): string {
  return proposalId ? `${prefix}.${proposalId}`.slice(0, 255) : prefix;
}

export function hasPrefix(id: string | undefined, prefix: string): boolean {
  return id === prefix || (id?.startsWith(`${prefix}.`) ?? false);
}
