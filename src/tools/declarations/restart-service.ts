import { z } from 'zod';
import { tool } from '../tool.ts';
import { serverId } from './server-id.ts';

export const restartService = tool({
  name: 'restart_service',
  description:
    'PROPOSE a restart of one server in this incident. It is NOT executed: a policy guard checks it and an authorized human must approve it. Use only for resource exhaustion or a hung process with no dependency, disk, deploy or security signal.',
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
