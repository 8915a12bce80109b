import { z } from 'zod';
import { TOOLS } from './declarations/index.ts';
import type { ToolDeclaration } from './tool.ts';

/**
 * Everything about the tools that is not their declaration, derived from the declarations: the
 * names, the function definitions a model is shown, lookup for dispatch, and the key that
 * recognises a repeated call.
 */

export type ToolName = (typeof TOOLS)[number]['name'];

const names = TOOLS.map((t) => t.name) as [ToolName, ...ToolName[]];

/** The tool names as a zod enum, for anything that validates one (scenario files' `never_call`). */
export const ToolName = z.enum(names);

const byName: ReadonlyMap<string, ToolDeclaration> = new Map(TOOLS.map((t) => [t.name, t]));

/** The declaration of a tool a planner asked for by name, if there is one. */
export function findTool(name: string): ToolDeclaration | undefined {
  return byName.get(name);
}

/** A tool as a model is shown it: name, description and a JSON schema of its arguments. */
export type ToolSpec = {
  name: ToolName;
  description: string;
  parameters: Record<string, unknown>;
};

/** The function definitions, their schemas generated from the same zod schemas the Toolbox validates with. */
export const TOOL_SPECS: readonly ToolSpec[] = TOOLS.map((t) => {
  // The input side: what the model may send (defaults optional), not what the tool receives.
  const { $schema: _dialect, ...parameters } = z.toJSONSchema(t.arguments, {
    io: 'input',
    // zod bounds every integer by Number.MAX_SAFE_INTEGER; that says nothing and costs tokens.
    override: ({ jsonSchema }) => {
      if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
    },
  });
  return { name: t.name, description: t.description, parameters };
});

/** Same value, same text: object keys sorted at every depth. */
export function canonicalJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v !== null && typeof v === 'object')
      return Object.fromEntries(
        Object.entries(v)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([k, inner]) => [k, sort(inner)]),
      );
    return v;
  };
  return JSON.stringify(sort(value)) ?? 'undefined';
}

/**
 * Identity of a tool call for refusing repeats: arguments as the tool will see them after
 * validation, so `{server_id}` matches the prefetched `{server_id, lines: 50}` call it defaults to.
 */
export function callKey(name: string, args: unknown): string {
  const parsed = findTool(name)?.arguments.safeParse(args);
  return `${name} ${canonicalJson(parsed?.success ? parsed.data : args)}`;
}
