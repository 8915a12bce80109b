import { parseConfig } from '../../../../src/config/env.ts';
import { systemClock } from '../../../../src/domain/clock.ts';
import type { Investigation } from '../../../../src/operator/investigation/investigate.ts';
import { createRuntime, type Runtime } from '../../../../src/root/runtime.ts';
import { SqliteStore } from '../../../../src/store/sqlite/index.ts';
import type { Backends } from '../../../../src/tools/backends.ts';
import { loadDemoFleet } from '../../../../src/tools/fleet/load.ts';
import { SimulatedFleet } from '../../../../src/tools/fleet/simulated.ts';
import {
  type ChatRequestBody,
  FakeOpenAi,
  type FakeOpenAiOptions,
  type FakeStep,
  type RecordedRequest,
} from '../../../../testing/fake-openai.ts';

/** A runtime whose planner talks to a scripted fake model over real HTTP. */
export type Harness = {
  fake: FakeOpenAi;
  runtime: Runtime;
  triage(report: string): Promise<Investigation>;
};

/** The built-in demo fleet, the runtime's default, for tests that wrap it. */
async function demoBackends(): Promise<Backends> {
  const fleet = SimulatedFleet.fromFleet(await loadDemoFleet(), systemClock);
  return { inventory: fleet, health: fleet, logs: fleet, changes: fleet, restarter: fleet };
}

const open: Array<{ fake: FakeOpenAi; runtime: Runtime }> = [];

export async function startHarness(
  script: FakeStep[],
  options: {
    env?: Record<string, string>;
    fake?: FakeOpenAiOptions;
    /** Wraps the demo fleet's backends, e.g. to slow them down or count calls. */
    backends?: (demo: Backends) => Backends;
    /** OPENAI_BASE_URL from the fake's URL (…/v1), e.g. its bare origin for Azure. */
    baseUrl?: (fakeUrl: string) => string;
  } = {},
): Promise<Harness> {
  const fake = await FakeOpenAi.start(script, options.fake);
  const config = parseConfig({
    OPENAI_API_KEY: 'test',
    OPENAI_BASE_URL: options.baseUrl ? options.baseUrl(fake.url) : fake.url,
    OPENAI_MODEL: 'fake-model',
    PLANNER_CALL_TIMEOUT_MS: '5000',
    ...options.env,
  });
  const runtime = await createRuntime(config, {
    store: SqliteStore.open(':memory:'),
    approvers: { isApprover: async () => true, describe: () => '' },
    ...(options.backends ? { backends: options.backends(await demoBackends()) } : {}),
  });
  open.push({ fake, runtime });
  return {
    fake,
    runtime,
    triage: (report) => runtime.operator.investigate({ report, source: 'cli', actor: 'test' }),
  };
}

export async function closeHarnesses(): Promise<void> {
  const all = open.splice(0);
  await Promise.all(
    all.map(async ({ fake, runtime }) => Promise.all([fake.close(), runtime.close()])),
  );
}

export const PAYMENT_REPORT = 'The payment-server-01 is extremely slow and timing out.';
export const SEARCH_REPORT = "Search isn't working. Can you check search-index-09?";

export type Message = ChatRequestBody['messages'][number];

export function toolMessages(request: RecordedRequest): Message[] {
  return request.body.messages.filter((m) => m.role === 'tool');
}

/** The JSON content of a message. */
export function json(message: Message | undefined): Record<string, unknown> {
  if (typeof message?.content !== 'string') throw new Error('message has no text content');
  return JSON.parse(message.content) as Record<string, unknown>;
}

export function text(message: Message | undefined): string {
  if (typeof message?.content !== 'string') throw new Error('message has no text content');
  return message.content;
}

/** The id of the evidence a tool produced for a subject in the brief. */
export function evidenceId(
  investigation: Investigation,
  tool: string,
  subject: string,
  nth = 0,
): string {
  const found = investigation.brief.evidence.filter(
    (e) => e.source.tool === tool && e.source.subject === subject,
  )[nth];
  if (!found) throw new Error(`no ${tool} evidence for ${subject}`);
  return found.id;
}
