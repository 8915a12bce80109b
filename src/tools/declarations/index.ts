import { describeWorkload } from './describe-workload.ts';
import { escalateToEngineer } from './escalate-to-engineer.ts';
import { fetchPodLogs } from './fetch-pod-logs.ts';
import { fetchRecentLogs } from './fetch-recent-logs.ts';
import { getServerHealth } from './get-server-health.ts';
import { listRecentChanges } from './list-recent-changes.ts';
import { restartService } from './restart-service.ts';

/** Every tool, in the order the model is shown them. Adding a tool: one file, one line here. */
export const TOOLS = [
  getServerHealth,
  fetchRecentLogs,
  listRecentChanges,
  describeWorkload,
  fetchPodLogs,
  restartService,
  escalateToEngineer,
] as const;
