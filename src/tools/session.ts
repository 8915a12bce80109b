import type { Evidence, EvidenceData, EvidenceSource } from '../domain/evidence.ts';
import type { ToolName } from '../domain/vocabulary.ts';

export type ToolCallRecord = {
  tool: ToolName | string;
  args: unknown;
  ok: boolean;
  /** The evidence this call produced, if any. */
  evidenceId: string | null;
  by: 'prefetch' | 'planner';
};

export type RestartIntent = { serverId: string; reason: string | null };
export type EscalationIntent = { summary: string; reason: string | null };

/**
 * What one investigation has gathered: numbered evidence, every tool call, and the intents a
 * planner expressed (a restart proposal, an escalation request). Intents are only wishes here;
 * the policy guard and the approval path decide what happens.
 */
export class ToolSession {
  private readonly items: Evidence[] = [];
  readonly calls: ToolCallRecord[] = [];
  readonly restartIntents: RestartIntent[] = [];
  readonly escalationIntents: EscalationIntent[] = [];

  addEvidence(source: EvidenceSource, summary: string, data: EvidenceData): Evidence {
    const evidence: Evidence = { id: `E${this.items.length + 1}`, source, summary, data };
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
}
