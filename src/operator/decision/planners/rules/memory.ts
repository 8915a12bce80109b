import type { Memory, PlannerDraft } from '../../../../domain/brief.ts';
import { chronicNote, memorySummary } from '../../../memory/words.ts';

/**
 * What the rules say about past incidents: the memory as a hypothesis (what happened last time is
 * a hint, not a fact about now), and, when a server keeps being restarted for the same signature,
 * the next action that fixes the cause. The decision itself does not change: the guard decides.
 */
export function withMemory(draft: PlannerDraft, memory: Memory | null | undefined): PlannerDraft {
  const seen = memorySummary(memory);
  const chronic = chronicNote(memory);
  if (!seen && !chronic) return draft;
  return {
    ...draft,
    hypotheses: [
      ...draft.hypotheses,
      ...(chronic
        ? [
            {
              text: `This keeps coming back: ${chronic}`,
              confidence: 'high' as const,
            },
          ]
        : seen
          ? [{ text: `${seen}: the same cause is likely`, confidence: 'medium' as const }]
          : []),
    ],
    nextActions: chronic
      ? [
          ...draft.nextActions,
          'Have the owning team fix the cause (a leak, a pool size, a bad query): a restart only buys time here',
        ]
      : draft.nextActions,
  };
}
