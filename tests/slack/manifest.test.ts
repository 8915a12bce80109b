import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { App } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { silentLogger } from '../../src/logger.ts';
import type { ListenerDeps } from '../../src/slack/listeners/deps.ts';
import { registerListeners } from '../../src/slack/listeners/index.ts';

const Manifest = z.object({
  features: z.object({
    app_home: z.object({
      home_tab_enabled: z.boolean(),
      messages_tab_enabled: z.boolean(),
      messages_tab_read_only_enabled: z.boolean(),
    }),
    bot_user: z.object({ display_name: z.string() }),
    slash_commands: z.array(
      z.object({ command: z.string(), url: z.string(), usage_hint: z.string() }),
    ),
  }),
  oauth_config: z.object({ scopes: z.object({ bot: z.array(z.string()) }) }),
  settings: z.object({
    event_subscriptions: z.object({ request_url: z.string(), bot_events: z.array(z.string()) }),
    interactivity: z.object({ is_enabled: z.boolean(), request_url: z.string() }),
    socket_mode_enabled: z.boolean(),
  }),
});

const manifest = Manifest.parse(
  JSON.parse(readFileSync(resolve(import.meta.dirname, '../../manifest.json'), 'utf8')),
);

/** What the bot registers with Bolt, captured without starting anything. */
function registrations() {
  const seen = { events: [] as string[], commands: [] as string[], actions: [] as string[] };
  const app = {
    event: (name: string) => seen.events.push(name),
    command: (name: string) => seen.commands.push(name),
    action: (id: string) => seen.actions.push(id),
  };
  const deps: ListenerDeps = {
    intake: { accept: async () => ({ kind: 'duplicate' }) },
    decisions: {
      click: async () => ({ kind: 'unknown', message: '' }),
      clickFailed: async () => {},
    },
    readiness: { failed: () => {}, succeeded: () => {} },
    background: () => {},
    conversation: { accept: async () => ({ kind: 'not_a_follow_up' }) },
    surfaces: {
      openFullBrief: async () => true,
      refreshModal: async () => {},
      publishHome: async () => {},
      listMessage: async () => ({ text: '', blocks: [] }),
      statusMessage: async () => null,
    },
    postmortems: { post: async () => null },
    writer: { post: async () => ({ ts: '1.1' }) },
    approvers: { watches: () => false, membershipChanged: async () => {} },
    alertChannels: new Set(),
    logger: silentLogger(),
  };
  registerListeners(app as unknown as App, deps);
  return seen;
}

/** The Events API subscriptions that deliver each Bolt event, and the scopes each needs. */
const EVENT_SUBSCRIPTIONS: Record<string, { events: string[]; scopes: string[] }> = {
  app_mention: { events: ['app_mention'], scopes: ['app_mentions:read'] },
  message: {
    events: ['message.channels', 'message.groups'],
    scopes: ['channels:history', 'groups:history'],
  },
  subteam_members_changed: { events: ['subteam_members_changed'], scopes: ['usergroups:read'] },
  // docs.slack.dev/reference/events/app_home_opened: no scope; the Home tab must be enabled.
  app_home_opened: { events: ['app_home_opened'], scopes: [] },
};

describe('manifest.json installs everything the bot uses', () => {
  const used = registrations();
  const scopes = new Set(manifest.oauth_config.scopes.bot);

  it('subscribes to every event the bot listens to, with the scopes they need', () => {
    expect(used.events.sort()).toEqual([
      'app_home_opened',
      'app_mention',
      'message',
      'subteam_members_changed',
    ]);
    for (const event of used.events) {
      const needs = EVENT_SUBSCRIPTIONS[event];
      expect(needs, `no manifest mapping for ${event}`).toBeDefined();
      for (const e of needs?.events ?? [])
        expect(manifest.settings.event_subscriptions.bot_events).toContain(e);
      for (const s of needs?.scopes ?? []) expect(scopes).toContain(s);
    }
  });

  it('declares every slash command, and the commands scope', () => {
    expect(used.commands).toEqual(['/triage']);
    expect(manifest.features.slash_commands.map((c) => c.command)).toEqual(used.commands);
    expect(scopes).toContain('commands');
  });

  it('enables interactivity for the Approve/Deny and Full brief buttons (messages, modal, Home)', () => {
    expect(used.actions.sort()).toEqual(['approve_restart', 'deny_restart', 'open_full_brief']);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
  });

  it('turns on the Home tab App Home publishes to, and leaves the Messages tab off', () => {
    // The bot answers no direct messages, so it asks for no im:* scope and no message.im event.
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    expect(manifest.features.app_home.messages_tab_enabled).toBe(false);
    expect([...scopes].filter((s) => s.startsWith('im:'))).toEqual([]);
    expect(manifest.settings.event_subscriptions.bot_events).not.toContain('message.im');
  });

  it('has the scopes for posting, updating, reacting to alerts and reading approver groups, and Socket Mode on', () => {
    expect(scopes).toContain('chat:write');
    // Alerts are answered with reactions (reactions.add): taken in, folded, resolved.
    expect(scopes).toContain('reactions:write');
    expect(scopes).toContain('usergroups:read');
    expect(manifest.settings.socket_mode_enabled).toBe(true);
  });

  it('points every HTTP-mode URL at /slack/events', () => {
    const urls = [
      manifest.settings.event_subscriptions.request_url,
      manifest.settings.interactivity.request_url,
      ...manifest.features.slash_commands.map((c) => c.url),
    ];
    for (const url of urls) expect(url).toMatch(/\/slack\/events$/);
  });
});
