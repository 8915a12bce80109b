import type { IncidentBrief } from '../../domain/brief.ts';
import type { IncidentRecord } from '../../store/ports.ts';
import type { DecisionOutcome, ReconciledOutcome } from '../approval/approval.ts';
import type { Folded, Investigation } from '../investigation/investigate.ts';
import type { ProgressState } from '../investigation/progress.ts';

/**
 * How the core shows incidents to people, whatever the platform. The intake, the job runner and
 * the expiry sweep call it; a chat adapter implements it (Slack's writes Block Kit messages). A
 * `route` is the presenter's own opaque note of where to answer (a channel, a reply URL); the core
 * stores it with the job and hands it back untouched.
 */
export interface Presenter {
  /**
   * Shows that a just-opened incident is being investigated. Best effort: it never throws, and an
   * investigation never waits for it.
   */
  announce(incidentId: string, route: string): Promise<void>;
  /** How long to wait before the first progress update, and between updates. */
  readonly progressIntervalMs: number;
  /** Shows how far an investigation has come. Best effort, lowest priority. */
  progress(incident: IncidentRecord, state: ProgressState): Promise<void>;
  /**
   * Shows a preliminary brief (the rules planner's, while a model reasons): no decision buttons,
   * marked as preliminary, replaced in place by the final brief. Best effort.
   */
  preliminary(incidentId: string, route: string, brief: IncidentBrief): Promise<void>;
  /** Shows the finished investigation's brief; throws when it could not, so the job is retried. */
  brief(incidentId: string, route: string, investigation: Investigation): Promise<void>;
  /** Says that an investigation was given up on, and why. */
  gaveUp(incidentId: string, route: string, why: string): Promise<void>;
  /** An alert joined an existing group: its repeat count changed. */
  repeated(groupId: string): void;
  /** A proposal expired undecided (the periodic sweep): show it where the brief is. */
  expired(outcome: Extract<DecisionOutcome, { kind: 'expired' }>): Promise<void>;
  /**
   * A restart whose replica stopped half-way was settled by the reconciler: tell the incident's
   * thread the truth (restarted, failed, not performed, or unknown) where the brief is.
   */
  reconciled(outcome: ReconciledOutcome): Promise<void>;
  /**
   * The investigation folded into a storm's parent: a cheap answer where the alert is (a
   * reaction, at most one short line pointing to the parent), instead of a brief. Throws when it
   * could not, so the job is retried.
   */
  folded(incidentId: string, route: string, folded: Folded): Promise<void>;
  /** A storm grew (or a member resolved): its parent's live summary follows, debounced. */
  stormGrew(parentId: string): void;
  /**
   * The incident resolved: its brief is edited in place and its thread told once. `route` is where
   * the recovery itself arrived, when it arrived somewhere (an alert channel message).
   */
  resolved(incidentId: string, route: string | null): Promise<void>;
}
