import type { HomeView, ModalView } from '@slack/types';
import type { WebClient } from '@slack/web-api';

/** The Web API calls for surfaces other than messages; the Bolt app's WebClient satisfies it. */
export type ViewsClient = Pick<WebClient, 'views'>;

/**
 * Modals and the Home tab. views.open needs the trigger_id of an interaction less than 3 s old
 * (docs.slack.dev/reference/methods/views.open), so it is called straight from the listener, never
 * queued; views.publish sets one user's Home tab.
 */
export class SlackViews {
  private readonly client: ViewsClient;

  constructor(client: ViewsClient) {
    this.client = client;
  }

  /** Opens a modal; the view id it answers with, for later updates. */
  async open(triggerId: string, view: ModalView): Promise<string | null> {
    const result = await this.client.views.open({ trigger_id: triggerId, view });
    return result.view?.id ?? null;
  }

  async update(viewId: string, view: ModalView): Promise<void> {
    await this.client.views.update({ view_id: viewId, view });
  }

  async publish(userId: string, view: HomeView): Promise<void> {
    await this.client.views.publish({ user_id: userId, view });
  }
}
