import { EXIT, runCommand } from '../cli/common.ts';
import { loadConfig } from '../config/env.ts';
import { createSlackBot } from './app.ts';

/** `npm start`: the Slack bot, until SIGINT or SIGTERM, then a graceful stop. */
async function main(): Promise<number> {
  const bot = await createSlackBot(loadConfig());
  await bot.start();
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await bot.stop();
  return EXIT.ok;
}

if (import.meta.main) await runCommand(main);
