import type { z } from 'zod';
import type { EvidenceData } from '../domain/evidence.ts';
import type { Backends } from './backends.ts';
import type { EscalationIntent, RestartIntent, ToolSession } from './session.ts';

/**
 * What a tool may do. `read` tools call a backend and every answer becomes evidence; `proposal`
 * and `escalation` tools only record an intent, which the policy guard and the approval path
 * decide on after the planner has finished.
 */
export type ToolGate = 'read' | 'proposal' | 'escalation';

/** What a read tool found: one line a human can read, the data, and a link when there is one. */
export type Finding = { summary: string; data: EvidenceData; link?: string | undefined };

/** The answer of a gated tool: a note for the planner and the intent recorded, or a refusal. */
export type GateAnswer<Intent> =
  | { ok: true; content: Record<string, unknown>; intent: Intent }
  | { ok: false; error: string };

type Declared<Name extends string, Args extends z.ZodType> = {
  /** The function name the model calls. */
  name: Name;
  /** What the model reads to decide when to call it. */
  description: string;
  /** Validated before anything runs; the model's function parameters are generated from it. */
  arguments: Args;
  /**
   * Offered to a model only when a server in the incident's scope is a Kubernetes workload, so
   * incidents elsewhere do not pay for tools they cannot use.
   */
  needs?: 'kubernetes';
};

export type ReadTool<
  Name extends string = string,
  Args extends z.ZodType = z.ZodType,
  Backend extends { readonly name: string } = { readonly name: string },
> = Declared<Name, Args> & {
  gate: 'read';
  /** The backend that answers; its name goes into the evidence's source. */
  backend(backends: Backends): Backend;
  /** The server (or service) the call is about: the evidence's subject. */
  subject(args: z.output<Args>): string;
  /** Calls the backend. Bounded by the Toolbox (timeout and the caller's signal); may throw. */
  run(args: z.output<Args>, context: { backend: Backend; signal: AbortSignal }): Promise<Finding>;
};

/** What a gated tool sees of the investigation: its evidence, never the backends. */
export type GateContext = { session: Pick<ToolSession, 'evidence' | 'hasEvidence'> };

export type ProposalTool<
  Name extends string = string,
  Args extends z.ZodType = z.ZodType,
> = Declared<Name, Args> & {
  gate: 'proposal';
  run(args: z.output<Args>, context: GateContext): GateAnswer<RestartIntent>;
};

export type EscalationTool<
  Name extends string = string,
  Args extends z.ZodType = z.ZodType,
> = Declared<Name, Args> & {
  gate: 'escalation';
  run(args: z.output<Args>, context: GateContext): GateAnswer<EscalationIntent>;
};

/**
 * Any declared tool. The declarations' functions are methods, not function-valued properties, on
 * purpose: a declaration with its own argument and backend types is then still a
 * ToolDeclaration, so the registry can list them together.
 */
export type ToolDeclaration<Name extends string = string, Args extends z.ZodType = z.ZodType> =
  | ReadTool<Name, Args>
  | ProposalTool<Name, Args>
  | EscalationTool<Name, Args>;

/**
 * Declares one tool: its name, description, zod arguments, gate and what running it does. The
 * registry derives everything else from these objects (names, the model's function definitions,
 * dispatch, the repeated-call key).
 */
export function tool<
  const Name extends string,
  Args extends z.ZodType,
  Backend extends { readonly name: string },
>(declaration: ReadTool<Name, Args, Backend>): ReadTool<Name, Args, Backend>;
export function tool<const Name extends string, Args extends z.ZodType>(
  declaration: ProposalTool<Name, Args>,
): ProposalTool<Name, Args>;
export function tool<const Name extends string, Args extends z.ZodType>(
  declaration: EscalationTool<Name, Args>,
): EscalationTool<Name, Args>;
export function tool(declaration: ToolDeclaration): ToolDeclaration {
  return declaration;
}
