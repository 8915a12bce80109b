/** Limits of the tool layer, declared once. */
export const TOOL_LIMITS = {
  defaultLogLines: 50,
  maxLogLines: 200,
  /** Characters of one log line kept; a runaway stack trace must not crowd out the rest. */
  maxLogLineLength: 500,
} as const;
