import type { WebClient } from '@slack/web-api';
import type { ApproverPolicy } from '../operator/approval/approval.ts';

/** How long a user group's membership is trusted before asking Slack again. */
const GROUP_CACHE_MS = 5 * 60_000;

type GroupClient = Pick<WebClient, 'usergroups'>;

/**
 * APPROVERS: user IDs (U…/W…) approve directly; members of user groups (S…) approve too, read
 * from usergroups.users.list. If Slack cannot say who is in a group, nobody from it may approve:
 * the check fails closed.
 */
export class SlackApprovers implements ApproverPolicy {
  private readonly users: ReadonlySet<string>;
  private readonly groups: readonly string[];
  private readonly client: GroupClient;
  private readonly cache = new Map<string, { members: ReadonlySet<string>; until: number }>();
  private readonly now: () => number;
  private readonly onLookupFailed: (group: string, error: unknown) => void;

  constructor(
    approvers: readonly string[],
    client: GroupClient,
    options: { now?: () => number; onLookupFailed?: (group: string, error: unknown) => void } = {},
  ) {
    this.users = new Set(approvers.filter((id) => !id.startsWith('S')));
    this.groups = approvers.filter((id) => id.startsWith('S'));
    this.client = client;
    this.now = options.now ?? Date.now;
    this.onLookupFailed = options.onLookupFailed ?? (() => {});
  }

  /** The configured ids, for the brief's "who may approve" line. */
  get ids(): string[] {
    return [...this.users, ...this.groups];
  }

  async isApprover(userId: string): Promise<boolean> {
    if (this.users.has(userId)) return true;
    for (const group of this.groups) {
      if ((await this.members(group)).has(userId)) return true;
    }
    return false;
  }

  describe(): string {
    if (this.users.size === 0 && this.groups.length === 0) {
      return 'No approvers are configured, so nobody can approve restarts: set APPROVERS to Slack user IDs (U…) or user-group IDs (S…) and restart the bot.';
    }
    const who = [
      ...[...this.users].map((u) => `<@${u}>`),
      ...this.groups.map((g) => `<!subteam^${g}>`),
    ];
    return `Restarts can be approved by ${who.join(', ')}.`;
  }

  private async members(group: string): Promise<ReadonlySet<string>> {
    const cached = this.cache.get(group);
    if (cached && cached.until > this.now()) return cached.members;
    try {
      const result = await this.client.usergroups.users.list({ usergroup: group });
      const members = new Set(result.users ?? []);
      this.cache.set(group, { members, until: this.now() + GROUP_CACHE_MS });
      return members;
    } catch (error) {
      this.onLookupFailed(group, error);
      return new Set();
    }
  }
}
