import type { Clock } from '../../domain/clock.ts';
import { describeError, OperatorError } from '../../domain/errors.ts';
import type { Logger } from '../../logger.ts';
import type { Job, JobQueue } from '../../store/ports.ts';

export type RunnerSettings = {
  /** This replica's name on the leases it takes. */
  owner: string;
  /** Jobs this replica runs at once; the rest wait in the queue. */
  concurrency: number;
  /** A job whose replica stops renewing its lease this long is taken over by another. */
  leaseMs: number;
  /** How often to look for work queued by other replicas or left by dead ones. */
  pollMs: number;
  /** Attempts before a job is given up on. */
  maxAttempts: number;
};

/** A job that can never succeed (its payload is invalid): failed at once, not retried. */
export class JobRejected extends OperatorError {
  constructor(message: string) {
    super('job_rejected', message);
  }
}

/** What runs one kind of job. */
export interface JobHandler {
  /**
   * Does the job; throws to have it retried (after its lease) until maxAttempts, or JobRejected
   * when retrying cannot help.
   */
  run(job: Job): Promise<void>;
  /** Called once when a job will not be tried again, with why. */
  giveUp(job: Job, why: string): Promise<void>;
}

export type RunnerDeps = {
  jobs: JobQueue;
  handlers: Readonly<Record<string, JobHandler>>;
  settings: RunnerSettings;
  clock: Clock;
  logger: Logger;
  /** Jobs running in this replica, after each change (for a gauge). */
  onBusy?: (running: number) => void;
};

/**
 * Runs queued jobs: claims one with a lease, keeps the lease alive while it works, and finishes
 * it. A replica that dies mid-way stops renewing; another replica's runner takes the job over
 * when the lease runs out. Nothing here throws into the event loop: a store that stops answering
 * is logged and retried on the next poll.
 */
export class JobRunner {
  private readonly deps: RunnerDeps;
  private running = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  private pumping = false;
  private pumpAgain = false;
  /** The claim loop in progress, so stop() also waits for a job it is just claiming. */
  private pumped: Promise<void> = Promise.resolve();

  constructor(deps: RunnerDeps) {
    this.deps = deps;
  }

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.wake(), this.deps.settings.pollMs);
    this.timer.unref();
    this.wake();
  }

  /** Stops taking work and waits for the jobs already running. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.pumped;
    await Promise.allSettled([...this.inFlight]);
  }

  get busy(): number {
    return this.running;
  }

  /** Looks for work now (a job was just queued here, or a poll tick). */
  wake(): void {
    if (this.stopped) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumped = this.pump();
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        while (!this.stopped && this.running < this.deps.settings.concurrency) {
          const job = await this.deps.jobs.claim({
            owner: this.deps.settings.owner,
            now: this.deps.clock.now(),
            leaseMs: this.deps.settings.leaseMs,
          });
          if (!job) break;
          this.launch(job);
        }
      } while (this.pumpAgain && !this.stopped);
    } catch (error) {
      this.deps.logger.error({ err: error }, 'could not claim a job');
    } finally {
      this.pumping = false;
    }
  }

  private launch(job: Job): void {
    this.running += 1;
    this.deps.onBusy?.(this.running);
    const work = this.run(job)
      .catch((error) => this.deps.logger.error({ err: error, job: job.id }, 'job crashed'))
      .finally(() => {
        this.running -= 1;
        this.deps.onBusy?.(this.running);
        this.inFlight.delete(work);
        this.wake();
      });
    this.inFlight.add(work);
  }

  private async run(job: Job): Promise<void> {
    const { jobs, settings, logger, clock } = this.deps;
    const owner = settings.owner;
    const handler = this.deps.handlers[job.kind];
    if (!handler) {
      await jobs.finish(job.id, owner, 'failed', `unknown job kind ${job.kind}`);
      return;
    }
    if (job.attempts > settings.maxAttempts) {
      await this.giveUp(handler, job, `it failed ${job.attempts - 1} times`);
      return;
    }
    const renew = setInterval(
      () => {
        jobs.renew(job.id, owner, clock.now(), settings.leaseMs).then(
          (held) => {
            if (!held)
              logger.warn({ job: job.id }, 'lost the lease on a job; another replica took it over');
          },
          // A store blip must not kill the replica: the lease is tried again on the next tick.
          (error: unknown) => logger.warn({ err: error, job: job.id }, 'could not renew a lease'),
        );
      },
      Math.max(50, Math.floor(settings.leaseMs / 3)),
    );
    try {
      await handler.run(job);
      await jobs.finish(job.id, owner, 'done');
    } catch (error) {
      if (error instanceof JobRejected) {
        await jobs.finish(job.id, owner, 'failed', error.message);
        return;
      }
      logger.error({ err: error, job: job.id, attempt: job.attempts }, 'job failed');
      // Left running: when the lease runs out it is retried (here or elsewhere), up to maxAttempts.
      if (job.attempts >= settings.maxAttempts)
        await this.giveUp(handler, job, describeError(error));
    } finally {
      clearInterval(renew);
    }
  }

  private async giveUp(handler: JobHandler, job: Job, why: string): Promise<void> {
    await this.deps.jobs.finish(job.id, this.deps.settings.owner, 'failed', why);
    await handler
      .giveUp(job, why)
      .catch((error) =>
        this.deps.logger.error(
          { err: error, job: job.id },
          'could not say that a job was given up',
        ),
      );
  }
}
