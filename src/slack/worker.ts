import type { Logger } from '../logger.ts';
import type { Investigation, Operator } from '../operator/investigate.ts';
import type { Job, Store } from '../store/store.ts';
import { describeError } from '../tools/errors.ts';
import { briefMessage } from './blocks/brief.ts';
import { applyProgress, initialProgress, progressMessage } from './blocks/progress.ts';
import { INVESTIGATE, InvestigationJob } from './jobs.ts';
import type { Metrics } from './metrics.ts';
import { postToResponseUrl } from './respond.ts';
import type { SlackMessage, SlackWriter } from './writer.ts';

export type WorkerSettings = {
  /** This replica's name on the leases it takes. */
  owner: string;
  /** Investigations this replica runs at once; the rest wait in the queue. */
  concurrency: number;
  /** A job whose replica stops renewing its lease this long is taken over by another. */
  leaseMs: number;
  /** How often to look for work queued by other replicas or left by dead ones. */
  pollMs: number;
  /** Attempts before a job is given up on, with a message saying so. */
  maxAttempts: number;
  /** At most one progress update per message this often; the latest state wins. */
  progressIntervalMs?: number;
};

/**
 * Progress is worth an edit only while an investigation is slow: the first update waits this long
 * (a quick brief makes it unnecessary), later ones at least as long apart. Edits are budgeted by
 * Slack per workspace, so every progress edit saved is room for a brief.
 */
const DEFAULT_PROGRESS_INTERVAL_MS = 1_500;

/** Runs `send` at most once per `intervalMs`, on the trailing edge, the first time after a full interval. */
function throttle(send: () => void, intervalMs: number): { request(): void; cancel(): void } {
  let timer: NodeJS.Timeout | null = null;
  let lastSent = Date.now();
  return {
    request() {
      if (timer) return;
      const wait = Math.max(0, lastSent + intervalMs - Date.now());
      timer = setTimeout(() => {
        timer = null;
        lastSent = Date.now();
        send();
      }, wait);
    },
    cancel() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}

export type WorkerDeps = {
  store: Store;
  operator: Operator;
  writer: SlackWriter;
  /** The configured approvers, shown under the restart buttons. */
  approverIds: readonly string[];
  settings: WorkerSettings;
  metrics: Metrics;
  logger: Logger;
  fetch?: typeof fetch;
  now?: () => Date;
};

/**
 * Runs queued investigations: claims a job with a lease, keeps the lease alive while it works,
 * shows progress, and replaces the progress message with the brief. A replica that dies mid-way
 * stops renewing; another replica's worker takes the job over when the lease runs out.
 */
export class InvestigationWorker {
  private readonly deps: WorkerDeps;
  private readonly now: () => Date;
  private running = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  private pumping = false;
  private pumpAgain = false;
  /** The claim loop in progress, so stop() also waits for a job it is just claiming. */
  private pumped: Promise<void> = Promise.resolve();

  constructor(deps: WorkerDeps) {
    this.deps = deps;
    this.now = deps.now ?? (() => new Date());
  }

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.wake(), this.deps.settings.pollMs);
    this.timer.unref();
    this.wake();
  }

  /** Stops taking work and waits for the investigations already running. */
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
          const job = await this.deps.store.claimJob({
            owner: this.deps.settings.owner,
            now: this.now(),
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
    this.deps.metrics.jobsQueued.set(this.running);
    const work = this.run(job)
      .catch((error) => this.deps.logger.error({ err: error, job: job.id }, 'job crashed'))
      .finally(() => {
        this.running -= 1;
        this.deps.metrics.jobsQueued.set(this.running);
        this.inFlight.delete(work);
        this.wake();
      });
    this.inFlight.add(work);
  }

  private async run(job: Job): Promise<void> {
    const { store, settings, logger } = this.deps;
    const owner = settings.owner;
    if (job.kind !== INVESTIGATE) {
      await store.finishJob(job.id, owner, 'failed', `unknown job kind ${job.kind}`);
      return;
    }
    const parsed = InvestigationJob.safeParse(job.payload);
    if (!parsed.success) {
      await store.finishJob(job.id, owner, 'failed', `invalid payload: ${parsed.error.message}`);
      return;
    }
    const payload = parsed.data;
    if (job.attempts > settings.maxAttempts) {
      await this.giveUp(job, payload, `it failed ${job.attempts - 1} times`);
      return;
    }

    const renew = setInterval(
      () => {
        void store.renewJobLease(job.id, owner, this.now(), settings.leaseMs).then((held) => {
          if (!held)
            logger.warn({ job: job.id }, 'lost the lease on a job; another replica took it over');
        });
      },
      Math.max(50, Math.floor(settings.leaseMs / 3)),
    );
    try {
      const started = performance.now();
      const investigation = await this.investigate(payload);
      const presenting = performance.now();
      await this.present(payload, investigation);
      const finished = performance.now();
      const seconds = (finished - started) / 1000;
      // Putting the brief in Slack, and the escalation into its channel (rate limits included).
      const slackSeconds = (finished - presenting + investigation.escalationMs) / 1000;
      const { modelMs, toolMs, turns } = investigation.brief.planner;
      this.deps.metrics.investigationSeconds.observe(seconds);
      this.deps.metrics.modelSeconds.observe(modelMs / 1000);
      this.deps.metrics.toolSeconds.observe(toolMs / 1000);
      this.deps.metrics.slackSeconds.observe(slackSeconds);
      this.deps.metrics.overheadSeconds.observe(
        Math.max(0, seconds - slackSeconds - (modelMs + toolMs) / 1000),
      );
      this.deps.metrics.modelTurns.observe(turns);
      this.deps.metrics.investigations.inc({
        planner: investigation.brief.planner.planner,
        action: investigation.brief.action,
      });
      if (investigation.brief.planner.fallbackReason) this.deps.metrics.plannerFallbacks.inc();
      if (investigation.escalation) {
        this.deps.metrics.escalations.inc({ sent: String(investigation.escalation.sent) });
      }
      await store.finishJob(job.id, owner, 'done');
    } catch (error) {
      logger.error({ err: error, job: job.id, attempt: job.attempts }, 'investigation failed');
      // Left running: when the lease runs out it is retried (here or elsewhere), up to maxAttempts.
      if (job.attempts >= settings.maxAttempts)
        await this.giveUp(job, payload, describeError(error));
    } finally {
      clearInterval(renew);
    }
  }

  private async investigate(payload: InvestigationJob): Promise<Investigation> {
    const { store, operator, writer } = this.deps;
    const incident = await store.getIncident(payload.incidentId);
    if (!incident) throw new Error(`incident ${payload.incidentId} does not exist`);
    // Never wait for Slack to start: progress goes to the intake's message if it is there already.
    const thread = incident.thread?.messageTs ? incident.thread : null;
    let state = initialProgress;
    const progress = throttle(() => {
      if (!thread?.messageTs) return;
      // Best effort and low priority: a failed or late progress update changes nothing.
      writer
        .update(thread.channel, thread.messageTs, progressMessage(state), { priority: 'low' })
        .catch(() => {});
    }, this.deps.settings.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS);
    try {
      return await operator.investigate(
        { report: incident.report, source: 'slack', actor: payload.actor, incidentId: incident.id },
        (event) => {
          state = applyProgress(state, event);
          progress.request();
        },
      );
    } finally {
      progress.cancel();
    }
  }

  /** Replaces the progress message with the brief, or posts it where it can. */
  private async present(payload: InvestigationJob, investigation: Investigation): Promise<void> {
    const message = briefMessage(investigation.brief, {
      approvers: this.deps.approverIds,
      ...(investigation.proposal ? { proposalState: investigation.proposal.state } : {}),
    });
    await this.deliver(payload, message);
  }

  private async deliver(payload: InvestigationJob, message: SlackMessage): Promise<void> {
    const { writer, store } = this.deps;
    const current = (await store.getIncident(payload.incidentId))?.thread ?? null;
    if (current?.messageTs) {
      await writer.update(current.channel, current.messageTs, message);
      return;
    }
    if (!payload.replyTo && payload.responseUrl) {
      // A command whose intake could not post answers through its response_url.
      await postToResponseUrl(
        payload.responseUrl,
        { ...message, response_type: 'in_channel', replace_original: false },
        this.deps.fetch,
      );
      return;
    }
    // No progress message (yet): the brief becomes the incident's message itself.
    const { ts } = await writer.post(payload.channel, message, { threadTs: payload.replyTo });
    const thread = { channel: payload.channel, threadTs: payload.replyTo ?? ts, messageTs: ts };
    if (await store.setIncidentThreadIfUnposted(payload.incidentId, thread)) return;
    // The progress message landed meanwhile: the brief goes there, and this copy goes away.
    const winner = (await store.getIncident(payload.incidentId))?.thread;
    if (winner?.messageTs) await writer.update(winner.channel, winner.messageTs, message);
    await writer.delete(payload.channel, ts).catch(() => {});
  }

  private async giveUp(job: Job, payload: InvestigationJob, why: string): Promise<void> {
    await this.deps.store.finishJob(job.id, this.deps.settings.owner, 'failed', why);
    const text = `⚠️ The investigation of ${payload.incidentId} was given up: ${why}. Nothing was restarted. Investigate by hand or run /triage again.`;
    await this.deliver(payload, { text }).catch((error) =>
      this.deps.logger.error({ err: error, job: job.id }, 'could not say that a job was given up'),
    );
  }
}
