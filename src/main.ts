import { createLogger } from './logger.ts';
import { readEnvironment } from './root/environment.ts';
import { runMain } from './root/process.ts';
import { createSlackBot } from './root/slack.ts';

/** `npm start`: the Slack bot, until SIGINT or SIGTERM, then a graceful stop. */
async function main(): Promise<number> {
  const { env, config } = readEnvironment();
  const logger = createLogger(config.LOG_LEVEL);
  // Nothing may reject unhandled: if something does, it is a bug that must be loud — logged at
  // fatal with its stack, and the process exits as Node would, so a supervisor restarts it.
  process.on('unhandledRejection', (reason) => {
    logger.fatal({ err: reason }, 'unhandled promise rejection: this is a bug; exiting');
    process.exitCode = 1;
    setImmediate(() => process.exit(1));
  });
  const bot = await createSlackBot(config, { env, logger });
  await bot.start();
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await bot.stop();
  return 0;
}

if (import.meta.main) await runMain(main);
