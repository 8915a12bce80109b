import { FakeOpenAi } from '../testing/fake-openai.ts';
import { FakeSlack } from '../testing/fake-slack.ts';
import { ScriptedModel } from '../testing/scripted-model.ts';
import { SlackLedger, slackEnv } from './slack.ts';

/** What every phase runs its replicas against: a fake Slack Web API and the scripted model, on loopback. */
export type Fakes = {
  slack: FakeSlack;
  openai: FakeOpenAi;
  model: ScriptedModel;
  ledger: SlackLedger;
  /** Environment for a replica using these fakes; the phase adds its store and tunables. */
  env(extra: Record<string, string>): Record<string, string>;
  close(): Promise<void>;
};

export async function startFakes(options: {
  latencyMs: number;
  fleetFile: string;
  /** SLACK_WRITE_INTERVAL_MS; null leaves the bot's default. */
  writeIntervalMs: number | null;
}): Promise<Fakes> {
  const slack = await FakeSlack.start();
  const model = new ScriptedModel();
  const openai = await FakeOpenAi.start([], {
    latencyMs: options.latencyMs,
    whenExhausted: model.step,
    estimateUsage: true,
  });
  return {
    slack,
    openai,
    model,
    ledger: new SlackLedger(slack),
    env: (extra) => ({
      ...slackEnv(slack),
      OPENAI_API_KEY: 'bench',
      OPENAI_BASE_URL: openai.url,
      OPENAI_MODEL: 'bench-model',
      FLEET_FILE: options.fleetFile,
      LOG_LEVEL: 'info',
      ...(options.writeIntervalMs === null
        ? {}
        : { SLACK_WRITE_INTERVAL_MS: String(options.writeIntervalMs) }),
      ...extra,
    }),
    close: async () => {
      await Promise.all([slack.close(), openai.close()]);
    },
  };
}
