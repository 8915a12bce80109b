import { z } from 'zod';
import { tool } from '../tool.ts';
import { serverId } from './server-id.ts';

export const getServerHealth = tool({
  name: 'get_server_health',
  description:
    'CPU %, memory % and status (healthy|warning|critical|error|down) of one server now. Read-only.',
  arguments: z.strictObject({ server_id: serverId }),
  gate: 'read',
  backend: (backends) => backends.health,
  subject: (args) => args.server_id,
  async run({ server_id }, { backend, signal }) {
    const h = await backend.getHealth(server_id, signal);
    return {
      summary: `${server_id}: cpu ${h.cpu}%, memory ${h.memory}%, status ${h.status}`,
      data: { kind: 'health', cpu: h.cpu, memory: h.memory, status: h.status },
      link: h.link,
    };
  },
});
