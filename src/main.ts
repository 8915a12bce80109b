import { readEnvironment } from './root/environment.ts';
import { runMain } from './root/process.ts';
import { createSlackBot } from './root/slack.ts';

/** `npm start`: the Slack bot, until SIGINT or SIGTERM, then a graceful stop. */
async function main(): Promise<number> {
  const { env, config } = readEnvironment();
  const bot = await createSlackBot(config, { env });
  await bot.start();
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await bot.stop();
  return 0;
}

if (import.meta.main) await runMain(main);
