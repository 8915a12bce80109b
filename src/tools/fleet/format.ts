import { z } from 'zod';
import {
  Action,
  Category,
  Environment,
  Escalation,
  ServerStatus,
  Severity,
} from '../../domain/vocabulary.ts';
import { ToolName } from '../registry.ts';

/**
 * The scenario/fleet YAML format (README, "Scenario files and evals"). One schema serves the simulated fleet, the eval
 * and the demo, so a file a user writes from a past incident works in all three.
 */

const percent = z.number().min(0, 'must be 0–100').max(100, 'must be 0–100');

/** Statuses are accepted in any case ("Warning" as in the seed data). */
const status = z.preprocess((v) => (typeof v === 'string' ? v.toLowerCase() : v), ServerStatus);

export const HealthSpec = z.strictObject({ cpu: percent, memory: percent, status });

export const ServerSpec = z.strictObject({
  service: z.string().min(1).optional(),
  environment: Environment.optional(),
  health: HealthSpec,
  logs: z.array(z.string()).default([]),
  after_restart: z
    .strictObject({ health: HealthSpec, logs: z.array(z.string()).default([]) })
    .optional(),
});
export type ServerSpec = z.infer<typeof ServerSpec>;

const SERVER_ID_RULE = 'server ids are letters, digits, dots, dashes and underscores';
const serverId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, SERVER_ID_RULE);

// Without the error hook zod reports a bad key as "Invalid key in record", hiding the rule.
export const ServersMap = z.record(serverId, ServerSpec, {
  error: (issue) => (issue.code === 'invalid_key' ? SERVER_ID_RULE : undefined),
});

export const ChangeSpec = z.strictObject({
  service: z.string().min(1),
  minutes_ago: z.number().min(0),
  description: z.string().min(1),
  author: z.string().optional(),
});
export type ChangeSpec = z.infer<typeof ChangeSpec>;

const oneOrMany = <T extends z.ZodType>(schema: T) =>
  z
    .union([schema, z.array(schema).min(1)])
    .transform((v): z.infer<T>[] => (Array.isArray(v) ? v : [v]));

export const Expectation = z.strictObject({
  action: oneOrMany(Action).optional(),
  category: oneOrMany(Category).optional(),
  severity: oneOrMany(Severity).optional(),
  escalation: oneOrMany(Escalation).optional(),
  never_call: z.array(ToolName).optional(),
});
export type Expectation = z.infer<typeof Expectation>;

export const Scenario = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'scenario ids are lowercase words joined by dashes'),
  report: z.string().min(1),
  environment: Environment.default('prod'),
  servers: ServersMap,
  changes: z.array(ChangeSpec).default([]),
  expect: Expectation.default({}),
});
export type Scenario = z.infer<typeof Scenario>;

export const ScenarioFile = z
  .array(Scenario)
  .min(1, 'a scenario file holds a list of at least one scenario')
  .superRefine((scenarios, ctx) => {
    const seen = new Set<string>();
    scenarios.forEach((s, i) => {
      if (seen.has(s.id))
        ctx.addIssue({
          code: 'custom',
          path: [i, 'id'],
          message: `duplicate scenario id "${s.id}"`,
        });
      seen.add(s.id);
    });
  });

/** A fleet file for the simulated backend: the same `servers:` map at top level. */
export const FleetFile = z.strictObject({
  environment: Environment.default('prod'),
  servers: ServersMap.refine((m) => Object.keys(m).length > 0, 'a fleet needs at least one server'),
  changes: z.array(ChangeSpec).default([]),
});
export type FleetFile = z.infer<typeof FleetFile>;
