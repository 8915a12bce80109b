import type { SlackMessage } from './writer.ts';

/**
 * Posts to a response_url (slash commands, button clicks): the way to answer in a channel the bot
 * is not a member of. Slack accepts a few posts per URL within 30 minutes.
 */
export async function postToResponseUrl(
  url: string,
  message: SlackMessage & {
    response_type?: 'in_channel' | 'ephemeral';
    replace_original?: boolean;
  },
  fetchImpl: typeof fetch = fetch,
): Promise<void> {
  const response = await fetchImpl(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(message),
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) throw new Error(`response_url answered HTTP ${response.status}`);
}
