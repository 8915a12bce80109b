import { describe, expect, it } from 'vitest';
import {
  AppMentionEvent,
  ButtonClick,
  EventEnvelope,
  MessageEvent,
  SlashCommand,
} from '../../src/slack/payloads.ts';

describe('MessageEvent', () => {
  it('accepts an integration bot_message with attachments and keeps unknown keys', () => {
    const parsed = MessageEvent.parse({
      type: 'message',
      subtype: 'bot_message',
      channel: 'C0ALERTS',
      ts: '1.1',
      bot_id: 'B0GRAFANA',
      username: 'Grafana',
      attachments: [{ title: 'HighCPU', color: 'danger', fields: [{ title: 'a', value: 'b' }] }],
    });
    expect(parsed).toMatchObject({
      subtype: 'bot_message',
      username: 'Grafana',
      attachments: [{ title: 'HighCPU', color: 'danger' }],
    });
  });

  it('accepts edits and deletions (the listener skips them by subtype)', () => {
    expect(
      MessageEvent.safeParse({
        type: 'message',
        subtype: 'message_changed',
        channel: 'C1',
        ts: '2.2',
        message: { text: 'edited' },
      }).success,
    ).toBe(true);
    expect(
      MessageEvent.safeParse({
        type: 'message',
        subtype: 'message_deleted',
        channel: 'C1',
        ts: '2.3',
        deleted_ts: '2.2',
      }).success,
    ).toBe(true);
  });

  it('refuses a message without channel or ts, or with a text that is not a string', () => {
    expect(MessageEvent.safeParse({ type: 'message', ts: '1.1' }).success).toBe(false);
    expect(MessageEvent.safeParse({ type: 'message', channel: 'C1' }).success).toBe(false);
    expect(
      MessageEvent.safeParse({ type: 'message', channel: 'C1', ts: '1', text: 5 }).success,
    ).toBe(false);
    expect(MessageEvent.safeParse({ type: 'app_mention', channel: 'C1', ts: '1' }).success).toBe(
      false,
    );
  });
});

describe('AppMentionEvent', () => {
  it('needs the text; thread_ts is optional', () => {
    const base = { type: 'app_mention', channel: 'C1', ts: '1.1' };
    expect(AppMentionEvent.safeParse(base).success).toBe(false);
    expect(AppMentionEvent.parse({ ...base, text: '<@UBOT> hi', thread_ts: '0.9' })).toMatchObject({
      thread_ts: '0.9',
    });
  });
});

describe('EventEnvelope', () => {
  it('reads the event id when there is one', () => {
    expect(EventEnvelope.parse({ event_id: 'Ev1', type: 'event_callback' }).event_id).toBe('Ev1');
    expect(EventEnvelope.parse({}).event_id).toBeUndefined();
    expect(EventEnvelope.safeParse({ event_id: 7 }).success).toBe(false);
  });
});

describe('SlashCommand', () => {
  const command = {
    user_id: 'U1',
    channel_id: 'C1',
    response_url: 'https://hooks.slack.com/commands/T0/1/abc',
  };

  it('defaults a missing text to empty', () => {
    expect(SlashCommand.parse(command).text).toBe('');
  });

  it('needs a user, a channel and a response_url that is a URL', () => {
    expect(SlashCommand.safeParse({ ...command, response_url: 'not a url' }).success).toBe(false);
    expect(SlashCommand.safeParse({ ...command, user_id: undefined }).success).toBe(false);
    expect(SlashCommand.safeParse({ ...command, channel_id: undefined }).success).toBe(false);
  });
});

describe('ButtonClick', () => {
  const click = {
    type: 'block_actions',
    user: { id: 'U1', username: 'someone' },
    channel: { id: 'C1' },
    message: { ts: '1.1', thread_ts: '1.0' },
    response_url: 'https://hooks.slack.com/actions/T0/1/abc',
    actions: [{ action_id: 'approve_restart', value: 'proposal-1', type: 'button' }],
  };

  it('accepts a click on a message and keeps what the listener reads', () => {
    expect(ButtonClick.parse(click)).toMatchObject({
      user: { id: 'U1' },
      channel: { id: 'C1' },
      message: { ts: '1.1', thread_ts: '1.0' },
      actions: [{ value: 'proposal-1' }],
    });
  });

  it('accepts a click without channel, message or response_url (the container may carry them)', () => {
    const { channel: _c, message: _m, response_url: _r, ...bare } = click;
    expect(
      ButtonClick.safeParse({ ...bare, container: { channel_id: 'C1', message_ts: '1.1' } })
        .success,
    ).toBe(true);
  });

  it('refuses a click without actions, with an empty value, or without a user', () => {
    expect(ButtonClick.safeParse({ ...click, actions: [] }).success).toBe(false);
    expect(
      ButtonClick.safeParse({ ...click, actions: [{ action_id: 'approve_restart', value: '' }] })
        .success,
    ).toBe(false);
    expect(
      ButtonClick.safeParse({ ...click, actions: [{ action_id: 'approve_restart' }] }).success,
    ).toBe(false);
    const { user: _u, ...anonymous } = click;
    expect(ButtonClick.safeParse(anonymous).success).toBe(false);
  });

  it('refuses a response_url that is not a URL', () => {
    expect(ButtonClick.safeParse({ ...click, response_url: 'nope' }).success).toBe(false);
  });
});
