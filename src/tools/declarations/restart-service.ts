import { z } from 'zod';
import { tool } from '../tool.ts';
import { serverId } from './server-id.ts';

export const restartService = tool({
  name: 'restart_service',
  description:
    'PROPOSE a restart of one server in scope; NOT executed: a policy guard checks it and a human approves it. Only for resource exhaustion or a hung process.',
  arguments: z.strictObject({
    server_id: serverId,
    reason: z
      .string()
      .max(500)
      .optional()
      .describe('why a restart would help, citing evidence ids'),
  }),
  gate: 'proposal',
  run(args) {
    return {
      ok: true,
      content: {
        status: 'proposal_recorded',
        note: `A restart of ${args.server_id} is proposed, NOT executed. The policy guard checks it and an authorized human must approve it. Do not say it was restarted.`,
      },
      intent: { serverId: args.server_id, reason: args.reason ?? null },
    };
  },
});
