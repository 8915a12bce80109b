import { z } from 'zod';
import { kubernetesSummary } from '../kubernetes/lines.ts';
import { tool } from '../tool.ts';
import { kubernetesOf } from './kubernetes.ts';
import { serverId } from './server-id.ts';

export const describeWorkload = tool({
  name: 'describe_workload',
  description:
    "Kubernetes state of a server's workload: pods (phase, readiness, restarts, last termination reason and exit code), recent events, rollout status and revisions, node conditions. Read-only.",
  arguments: z.strictObject({
    server_id: serverId.describe('a server id, or a deployment or pod name'),
  }),
  gate: 'read',
  needs: 'kubernetes',
  backend: kubernetesOf,
  subject: (args) => args.server_id,
  async run({ server_id }, { backend, signal }) {
    const workload = await backend.describeWorkload(server_id, signal);
    return {
      summary: kubernetesSummary(server_id, workload),
      data: { kind: 'kubernetes', ...workload },
    };
  },
});
