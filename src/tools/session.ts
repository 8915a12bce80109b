import type { Evidence, EvidenceData, EvidenceSource } from '../domain/evidence.ts';

export type RestartIntent = { serverId: string; reason: string | null };
export type EscalationIntent = { summary: string; reason: string | null };

/** What a gated tool recorded: a wish for the policy guard, never an action. */
export type Intent =
  | { gate: 'proposal'; wish: RestartIntent }
  | { gate: 'escalation'; wish: EscalationIntent };

export type ToolCallRecord = {
  /** The tool asked for, as named (an unknown name is recorded too). */
  tool: string;
  /** Validated arguments when they were valid, else what was sent. */
  args: unknown;
  ok: boolean;
  /** The evidence this call produced, if any. */
  evidenceId: string | null;
  by: 'prefetch' | 'planner';
  /** Set for an accepted call of a gated tool. */
  intent?: Intent;
};

/**
 * What one investigation has gathered: numbered evidence and every tool call, the intents a
 * planner expressed through gated tools (a restart proposal, an escalation request) included.
 * Intents are only wishes here; the policy guard and the approval path decide what happens.
 */
export class ToolSession {
  private readonly items: Evidence[] = [];
  readonly calls: ToolCallRecord[] = [];
  private readonly after: number;

  /**
   * `after`: the highest evidence number an incident already uses, so evidence gathered for a
   * follow-up or a re-assessment continues its numbering (E7, E8, …) and no id means two things.
   */
  constructor(options: { after?: number } = {}) {
    this.after = options.after ?? 0;
  }

  addEvidence(source: EvidenceSource, summary: string, data: EvidenceData): Evidence {
    const evidence: Evidence = {
      id: `E${this.after + this.items.length + 1}`,
      source,
      summary,
      data,
    };
    this.items.push(evidence);
    return evidence;
  }

  get evidence(): readonly Evidence[] {
    return this.items;
  }

  find(id: string): Evidence | undefined {
    return this.items.find((e) => e.id === id);
  }

  /** True when at least one tool answered with data (an error alone is not evidence of a problem's cause). */
  hasEvidence(): boolean {
    return this.items.some((e) => e.data.kind !== 'error');
  }

  record(call: ToolCallRecord): void {
    this.calls.push(call);
  }

  /** Tool names called, in order, including the gated ones a planner asked for. */
  calledTools(): string[] {
    return this.calls.map((c) => c.tool);
  }

  /** Restarts a planner proposed, in order. */
  get restartIntents(): RestartIntent[] {
    return this.calls.flatMap((c) => (c.intent?.gate === 'proposal' ? [c.intent.wish] : []));
  }

  /** Escalations a planner requested, in order. */
  get escalationIntents(): EscalationIntent[] {
    return this.calls.flatMap((c) => (c.intent?.gate === 'escalation' ? [c.intent.wish] : []));
  }
}
