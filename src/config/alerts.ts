import { z } from 'zod';
import { blankToUndefined } from './fields.ts';

/**
 * Alert webhooks: `POST /alerts/alertmanager`, `/alerts/grafana` and `/alerts/generic`, on when
 * both variables are set. The token is what the alerting system sends as `Authorization: Bearer`.
 */
export const AlertWebhookEnvSchema = z.object({
  ALERT_WEBHOOK_TOKEN: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .min(16, 'must be at least 16 characters (the bearer token your alerting system sends)')
      .optional(),
  ),
  ALERT_WEBHOOK_CHANNEL: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^[CG][A-Z0-9]+$/, 'must be a channel ID like C0123ABCD')
      .optional(),
  ),
});

export type AlertWebhookConfig = z.infer<typeof AlertWebhookEnvSchema>;

/** Rules across the two variables, each naming what to set. */
export function alertWebhookProblems(
  config: AlertWebhookConfig,
): { variable: keyof AlertWebhookConfig; message: string }[] {
  if (config.ALERT_WEBHOOK_TOKEN && !config.ALERT_WEBHOOK_CHANNEL)
    return [
      {
        variable: 'ALERT_WEBHOOK_CHANNEL',
        message:
          'required with ALERT_WEBHOOK_TOKEN: the channel ID webhook alerts are triaged in (e.g. C0123ABCD)',
      },
    ];
  if (config.ALERT_WEBHOOK_CHANNEL && !config.ALERT_WEBHOOK_TOKEN)
    return [
      {
        variable: 'ALERT_WEBHOOK_TOKEN',
        message:
          'required with ALERT_WEBHOOK_CHANNEL: the bearer token (16+ characters) POST /alerts/… requires',
      },
    ];
  return [];
}
