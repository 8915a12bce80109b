import { z } from 'zod';

/**
 * Variables that choose and configure real backends (Prometheus, Loki, Kubernetes, webhook,
 * PagerDuty, service catalog, deploy log). Merged into the one EnvSchema in env.ts.
 */
export const BackendEnvSchema = z.object({});
