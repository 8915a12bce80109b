import { pino } from 'pino';

export type Logger = pino.Logger;

/** Structured JSON logs on stderr, so stdout stays for what a command prints. */
export function createLogger(level: pino.LevelWithSilent, name = 'level-zero-operator'): Logger {
  return pino({ name, level, base: { pid: process.pid } }, pino.destination(2));
}

/** A logger that drops everything (tests, benchmarks). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
