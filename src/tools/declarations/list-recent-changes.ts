import { z } from 'zod';
import { redact } from '../redact.ts';
import { tool } from '../tool.ts';

export const listRecentChanges = tool({
  name: 'list_recent_changes',
  description: 'Recent deploys and configuration changes of a service, newest first. Read-only.',
  arguments: z.strictObject({
    service: z.string().trim().min(1, 'service is required').max(200),
  }),
  gate: 'read',
  backend: (backends) => backends.changes,
  subject: (args) => args.service,
  async run({ service }, { backend, signal }) {
    const changes = (await backend.listChanges(service, signal)).map((c) => ({
      ...c,
      description: redact(c.description),
    }));
    const [newest] = changes;
    const summary = newest
      ? `${service}: ${changes.length} recent change${changes.length > 1 ? 's' : ''}, newest "${newest.description}" at ${newest.at}`
      : `${service}: no recorded changes`;
    return { summary, data: { kind: 'changes', changes } };
  },
});
