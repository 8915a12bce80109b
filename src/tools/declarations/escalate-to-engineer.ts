import { z } from 'zod';
import { tool } from '../tool.ts';

export const escalateToEngineer = tool({
  name: 'escalate_to_engineer',
  description:
    'Ask for escalation to an engineer when a restart will not help. The package is built from the evidence and sent with the brief; refused without evidence.',
  arguments: z.strictObject({
    summary: z.string().min(1, 'summary is required').max(2000),
    reason: z.string().max(500).optional().describe('why a restart will not help'),
  }),
  gate: 'escalation',
  run(args, { session }) {
    if (!session.hasEvidence())
      return {
        ok: false,
        error:
          'refused: no evidence has been gathered. Call get_server_health / fetch_recent_logs first; an escalation must carry evidence.',
      };
    return {
      ok: true,
      content: {
        status: 'escalation_requested',
        note: 'The escalation package (impact, timeline, evidence, ownership, actions taken) is assembled from the evidence and sent with the brief.',
      },
      intent: { summary: args.summary, reason: args.reason ?? null },
    };
  },
});
