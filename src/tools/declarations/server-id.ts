import { z } from 'zod';

/** The argument every server-scoped tool takes. */
export const serverId = z.string().trim().min(1, 'server_id is required').max(200);
