import { z } from 'zod';
import type { Metrics } from '../../metrics.ts';
import type { Job, Store } from '../../store/ports.ts';
import type { FoldCheck, Investigation, Operator } from '../investigation/investigate.ts';
import { applyProgress, initialProgress } from '../investigation/progress.ts';
import type { Presenter } from '../presentation/presenter.ts';
import { type JobHandler, JobRejected } from './runner.ts';

/** The kind of job the intake queues. */
export const INVESTIGATE = 'investigate';

/** What a runner needs to investigate an incident opened by the intake and present it. */
export const InvestigationJob = z.object({
  incidentId: z.string(),
  actor: z.string(),
  /** The presenter's note of where to answer (opaque to the core). */
  route: z.string(),
  /** The alert group this incident answers, so repeats can point at it. */
  groupId: z.string().nullable(),
  /** For alerts: what the alert is about (title, labels, host fields); the rest is context. */
  subject: z.string().nullable().optional(),
  /** For alerts: it may fold into a storm of incidents that share its cause. */
  fold: z.boolean().optional(),
});
export type InvestigationJob = z.infer<typeof InvestigationJob>;

/**
 * Runs `send` at most once per `intervalMs`, on the trailing edge, the first time after a full
 * interval. Real time, not the injected clock: it paces what people see, not what the incident
 * records.
 */
function throttle(
  send: () => void,
  intervalMs: number,
): { request(): void; cancel(): void; stop(): void } {
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let lastSent = performance.now();
  return {
    request() {
      if (timer || stopped) return;
      const wait = Math.max(0, lastSent + intervalMs - performance.now());
      timer = setTimeout(() => {
        timer = null;
        lastSent = performance.now();
        send();
      }, wait);
    },
    cancel() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
    /** No more sends after this. */
    stop() {
      stopped = true;
    },
  };
}

export type InvestigationJobsDeps = {
  store: Store;
  operator: Operator;
  presenter: Presenter;
  metrics: Metrics;
  /** How alerts fold into storms of one cause; absent = every alert is its own incident. */
  fold?: FoldCheck;
};

/**
 * The investigate job: run the investigation with progress shown while it is slow, present the
 * brief, and record what it cost. Progress is worth an update only while an investigation is
 * slow: the first waits the presenter's interval (a quick brief makes it unnecessary).
 */
export class InvestigationJobs implements JobHandler {
  private readonly deps: InvestigationJobsDeps;

  constructor(deps: InvestigationJobsDeps) {
    this.deps = deps;
  }

  private payload(job: Job): InvestigationJob {
    const parsed = InvestigationJob.safeParse(job.payload);
    if (!parsed.success) throw new JobRejected(`invalid payload: ${parsed.error.message}`);
    return parsed.data;
  }

  async run(job: Job): Promise<void> {
    const payload = this.payload(job);
    const started = performance.now();
    const investigation = await this.investigate(payload);
    const presenting = performance.now();
    const { presenter } = this.deps;
    if (investigation.folded) {
      await presenter.folded(payload.incidentId, payload.route, investigation.folded);
      presenter.stormGrew(investigation.folded.parentId);
    } else await presenter.brief(payload.incidentId, payload.route, investigation);
    const finished = performance.now();
    this.observe(investigation, (finished - started) / 1000, finished - presenting);
  }

  async giveUp(job: Job, why: string): Promise<void> {
    const parsed = InvestigationJob.safeParse(job.payload);
    if (!parsed.success) return;
    await this.deps.presenter.gaveUp(parsed.data.incidentId, parsed.data.route, why);
  }

  private async investigate(payload: InvestigationJob): Promise<Investigation> {
    const { store, operator, presenter } = this.deps;
    const incident = await store.incidents.get(payload.incidentId);
    if (!incident) throw new Error(`incident ${payload.incidentId} does not exist`);
    let state = initialProgress;
    const progress = throttle(() => {
      // Best effort and low priority: a failed or late progress update changes nothing.
      presenter.progress(incident, state).catch(() => {});
    }, presenter.progressIntervalMs);
    try {
      return await operator.investigate(
        {
          report: incident.report,
          source: incident.source,
          actor: payload.actor,
          incidentId: incident.id,
          subject: payload.subject ?? null,
          ...(payload.fold && this.deps.fold ? { fold: this.deps.fold } : {}),
        },
        {
          onProgress: (event) => {
            state = applyProgress(state, event);
            progress.request();
          },
          onPreliminary: (brief) => {
            // The preliminary brief supersedes progress: no progress edit may overwrite it.
            progress.cancel();
            progress.stop();
            return presenter.preliminary(payload.incidentId, payload.route, brief);
          },
        },
      );
    } finally {
      progress.cancel();
    }
  }

  /** Investigation time split into model, tools, presenting (rate limits included) and the bot itself. */
  private observe(investigation: Investigation, seconds: number, presentingMs: number): void {
    const { metrics } = this.deps;
    const presentSeconds = (presentingMs + investigation.escalationMs) / 1000;
    const { modelMs, toolMs, turns, planner, fallbackReason } = investigation.brief.planner;
    metrics.investigationSeconds.observe(seconds);
    metrics.modelSeconds.observe(modelMs / 1000);
    metrics.toolSeconds.observe(toolMs / 1000);
    metrics.slackSeconds.observe(presentSeconds);
    metrics.overheadSeconds.observe(
      Math.max(0, seconds - presentSeconds - (modelMs + toolMs) / 1000),
    );
    metrics.modelTurns.observe(turns);
    if (investigation.brief.planner.model)
      metrics.modelPromptTokens.observe(investigation.brief.planner.tokens.prompt);
    metrics.investigations.inc({ planner, action: investigation.brief.action });
    if (fallbackReason) metrics.plannerFallbacks.inc();
    if (investigation.escalation)
      metrics.escalations.inc({ sent: String(investigation.escalation.sent) });
    if (investigation.folded) metrics.folds.inc();
  }
}
