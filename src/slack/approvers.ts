import type { WebClient } from '@slack/web-api';
import { errorCode } from '../domain/errors.ts';
import type { ApproverCheck, ApproverPolicy } from '../operator/approval/approval.ts';
import type { Coordination } from '../store/ports.ts';

/** How long a user group's membership is trusted before asking Slack again. */
const GROUP_CACHE_MS = 5 * 60_000;
/**
 * How long one click may wait for Slack to say who is in the approver groups: a click must be
 * answered within Slack's 3 seconds (https://docs.slack.dev/interactivity/handling-user-interaction/#acknowledgment_response),
 * and an answer after that is worth nothing to the person who clicked.
 */
export const GROUP_LOOKUP_TIMEOUT_MS = 2_000;

type GroupClient = Pick<WebClient, 'usergroups'>;

/** Why a lookup failed, in words that say what to do about it. */
const LOOKUP_HINTS: Record<string, string> = {
  missing_scope: 'add the usergroups:read scope to the app (manifest.json has it) and reinstall it',
  no_such_subteam: 'the group does not exist in this workspace: fix APPROVERS',
  subteam_not_found: 'the group does not exist in this workspace: fix APPROVERS',
  invalid_auth: 'the bot token is not valid: check SLACK_BOT_TOKEN',
  not_authed: 'the bot token is not valid: check SLACK_BOT_TOKEN',
  token_revoked: 'the bot token was revoked: reinstall the app',
  account_inactive: 'the bot token was revoked: reinstall the app',
  ratelimited: 'Slack is limiting requests: try again in a minute',
  slack_webapi_rate_limited_error: 'Slack is limiting requests: try again in a minute',
  timeout: `Slack did not answer within ${GROUP_LOOKUP_TIMEOUT_MS / 1000} s: try again`,
};

type Lookup = { ok: true; members: ReadonlySet<string> } | { ok: false; code: string };

class LookupTimeout extends Error {
  readonly code = 'timeout';
}

/** The store marker that says a group's membership changed recently, read by every replica. */
const changedKey = (group: string) => `usergroup-changed:${group}`;

export type SlackApproversOptions = {
  now?: () => number;
  /** An AbortSignal that fires `ms` from now (the Clock's `timeout`). */
  timeout?: (ms: number) => AbortSignal;
  onLookupFailed?: (group: string, error: unknown) => void;
  /**
   * Where a membership change is marked for every replica (the store's claims): while a group's
   * marker is live, its membership is read from Slack on every check and not cached.
   */
  coordination?: Pick<Coordination, 'claim' | 'held'>;
};

/**
 * APPROVERS: user IDs (U…/W…) approve directly; members of user groups (S…) approve too, read
 * from usergroups.users.list. If Slack cannot say who is in a group, nobody from it may approve:
 * the check fails closed — and says so, with Slack's reason and what to fix, instead of telling
 * a group member they are not allowed. Lookups are bounded in time, and a membership change
 * (`subteam_members_changed`) takes effect at once on every replica.
 */
export class SlackApprovers implements ApproverPolicy {
  private readonly users: ReadonlySet<string>;
  private readonly groups: readonly string[];
  private readonly client: GroupClient;
  private readonly cache = new Map<string, { members: ReadonlySet<string>; until: number }>();
  private readonly now: () => number;
  private readonly timeout: (ms: number) => AbortSignal;
  private readonly onLookupFailed: (group: string, error: unknown) => void;
  private readonly coordination: Pick<Coordination, 'claim' | 'held'> | null;

  constructor(
    approvers: readonly string[],
    client: GroupClient,
    options: SlackApproversOptions = {},
  ) {
    this.users = new Set(approvers.filter((id) => !id.startsWith('S')));
    this.groups = approvers.filter((id) => id.startsWith('S'));
    this.client = client;
    this.now = options.now ?? Date.now;
    this.timeout = options.timeout ?? ((ms) => AbortSignal.timeout(ms));
    this.onLookupFailed = options.onLookupFailed ?? (() => {});
    this.coordination = options.coordination ?? null;
  }

  /** The configured ids, for the brief's "who may approve" line. */
  get ids(): string[] {
    return [...this.users, ...this.groups];
  }

  /** Whether `group` is one of the approver groups (a change to any other group is no concern). */
  watches(group: string): boolean {
    return this.groups.includes(group);
  }

  /**
   * A group's membership changed (Slack's `subteam_members_changed`): forget it here at once, and
   * mark it in the store so every other replica reads it afresh too.
   */
  async membershipChanged(group: string): Promise<void> {
    this.cache.delete(group);
    await this.coordination?.claim(changedKey(group), new Date(this.now()), GROUP_CACHE_MS);
  }

  async isApprover(userId: string): Promise<boolean> {
    return (await this.check(userId)).allowed;
  }

  async check(userId: string): Promise<ApproverCheck> {
    if (this.users.has(userId)) return { allowed: true };
    // One deadline for every group: the whole answer comes within the bound.
    const signal = this.timeout(GROUP_LOOKUP_TIMEOUT_MS);
    const failed: { group: string; code: string }[] = [];
    for (const group of this.groups) {
      const lookup = await this.members(group, signal);
      if (lookup.ok && lookup.members.has(userId)) return { allowed: true };
      if (!lookup.ok) failed.push({ group, code: lookup.code });
    }
    // Not a member of any group that answered: the plain refusal.
    if (failed.length === 0) return { allowed: false };
    const why = failed
      .map(
        ({ group, code }) =>
          `user group ${group}: ${code}${LOOKUP_HINTS[code] ? ` — ${LOOKUP_HINTS[code]}` : ''}`,
      )
      .join('; ');
    return {
      allowed: false,
      reason: `I could not check your membership of ${why}. Until Slack answers, members of ${failed.length === 1 ? 'that group' : 'those groups'} cannot approve (nothing was restarted); a listed approver still can.`,
    };
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

  /** Whether another replica marked the group as changed recently; a store that cannot say counts as yes. */
  private async changedRecently(group: string): Promise<boolean> {
    if (!this.coordination) return false;
    try {
      return await this.coordination.held(changedKey(group), new Date(this.now()));
    } catch {
      return true;
    }
  }

  private async members(group: string, signal: AbortSignal): Promise<Lookup> {
    const changed = await this.changedRecently(group);
    const cached = this.cache.get(group);
    if (!changed && cached && cached.until > this.now())
      return { ok: true, members: cached.members };
    try {
      const result = await abortable(
        this.client.usergroups.users.list({ usergroup: group }),
        signal,
      );
      const members = new Set(result.users ?? []);
      // While a change is being taken in, nothing is cached that could outlive the marker.
      if (changed) this.cache.delete(group);
      else this.cache.set(group, { members, until: this.now() + GROUP_CACHE_MS });
      return { ok: true, members };
    } catch (error) {
      this.onLookupFailed(group, error);
      return { ok: false, code: errorCode(error) };
    }
  }
}

/** `work`, or a LookupTimeout once `signal` aborts (the request itself is left to finish). */
function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => {});
    return Promise.reject(new LookupTimeout('the user-group lookup timed out'));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      work.catch(() => {});
      reject(new LookupTimeout('the user-group lookup timed out'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
