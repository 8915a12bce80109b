import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  FileFormatError,
  loadDemoFleet,
  loadFleet,
  loadScenarios,
  parseFleet,
  parseScenarios,
} from '../../../src/tools/fleet/load.ts';
import { SEED_SERVERS } from '../../support/fleet.ts';

function problemsOf(parse: () => unknown): { error: FileFormatError; problems: string[] } {
  try {
    parse();
  } catch (error) {
    if (error instanceof FileFormatError) return { error, problems: error.problems };
    throw error;
  }
  throw new Error('expected a FileFormatError');
}

const GOOD_SCENARIO = `
- id: payment-cpu-saturation
  report: "The payment-server-01 is extremely slow and timing out."
  servers:
    payment-server-01:
      service: payments
      health: { cpu: 98, memory: 40, status: Warning }
      logs: ["[WARN] CPU threshold exceeded 90%"]
      after_restart:
        health: { cpu: 31, memory: 38, status: healthy }
  changes:
    - { service: payments, minutes_ago: 15, description: "deploy v2.4.1" }
  expect:
    action: restart
    severity: [sev1, sev2]
    never_call: [escalate_to_engineer]
`;

describe('scenario and fleet files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lzo-fleet-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the documented scenario format, with its defaults', () => {
    const [scenario] = parseScenarios(GOOD_SCENARIO);
    expect(scenario).toMatchObject({
      id: 'payment-cpu-saturation',
      environment: 'prod',
      servers: {
        'payment-server-01': {
          health: { cpu: 98, memory: 40, status: 'warning' },
          after_restart: { health: { status: 'healthy' }, logs: [] },
        },
      },
      expect: {
        action: ['restart'],
        severity: ['sev1', 'sev2'],
        never_call: ['escalate_to_engineer'],
      },
    });
  });

  it('names the scenario and the field of every problem', () => {
    const { problems, error } = problemsOf(() =>
      parseScenarios(
        `${GOOD_SCENARIO}
- id: db-lag
  report: "db slow"
  servers:
    db-1:
      health: { cpu: 180, memory: 40, status: sleepy }
  expect: { action: reboot }
`,
        'incidents.yaml',
      ),
    );
    expect(error.file).toBe('incidents.yaml');
    expect(error.message).toMatch(/^incidents\.yaml is not a valid file:/);
    expect(problems).toEqual(
      expect.arrayContaining([
        'scenario 2 "db-lag" → servers.db-1.health.cpu: must be 0–100',
        expect.stringMatching(/^scenario 2 "db-lag" → servers\.db-1\.health\.status: /),
        expect.stringMatching(/^scenario 2 "db-lag" → expect\.action/),
      ]),
    );
    expect(problems).toHaveLength(3);
  });

  it.each([
    [
      'a missing report',
      '- id: x\n  servers: { a-1: { health: { cpu: 1, memory: 1, status: healthy } } }',
      /scenario 1 "x" → report/,
    ],
    [
      'an unknown key',
      `${GOOD_SCENARIO.replace('report:', 'reprot: x\n  report:')}`,
      /scenario 1 "payment-cpu-saturation"/,
    ],
    [
      'a bad scenario id',
      '- id: Payment CPU\n  report: r\n  servers: {}',
      /scenario 1 "Payment CPU" → id: scenario ids are lowercase/,
    ],
    [
      'a duplicate id',
      `${GOOD_SCENARIO}${GOOD_SCENARIO}`,
      /scenario 2 "payment-cpu-saturation" → id: duplicate scenario id/,
    ],
    ['an empty list', '[]', /the file: a scenario file holds a list of at least one scenario/],
    [
      'a fleet file',
      'servers: { a-1: { health: { cpu: 1, memory: 1, status: healthy } } }',
      /looks like a fleet file/,
    ],
    ['YAML syntax', '- id: [unclosed', /^YAML syntax: /],
  ])('refuses a scenario file with %s', (_what, text, problem) => {
    const { problems } = problemsOf(() => parseScenarios(text));
    expect(problems.some((p) => problem.test(p))).toBe(true);
  });

  it('reads a fleet file and refuses a broken one, naming the field', () => {
    const fleet = parseFleet(
      'servers:\n  web-01:\n    health: { cpu: 10, memory: 20, status: HEALTHY }\n',
    );
    expect(fleet).toEqual({
      environment: 'prod',
      servers: { 'web-01': { health: { cpu: 10, memory: 20, status: 'healthy' }, logs: [] } },
      changes: [],
    });

    expect(problemsOf(() => parseFleet('servers: {}')).problems).toEqual([
      'servers: a fleet needs at least one server',
    ]);
    expect(
      problemsOf(() => parseFleet('servers:\n  web-01:\n    health: { cpu: 10, status: up }\n'))
        .problems,
    ).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^servers\.web-01\.health\.memory: /),
        expect.stringMatching(/^servers\.web-01\.health\.status: /),
      ]),
    );
    expect(problemsOf(() => parseFleet(GOOD_SCENARIO)).problems[0]).toMatch(
      /looks like a scenario file/,
    );
    expect(
      problemsOf(() =>
        parseFleet('servers:\n  "bad id!":\n    health: { cpu: 1, memory: 1, status: healthy }\n'),
      ).problems[0],
    ).toMatch(/server ids are letters, digits/);
  });

  it('reads files from disk and says plainly when one is missing', async () => {
    const file = join(dir, 'scenarios.yaml');
    writeFileSync(file, GOOD_SCENARIO);
    expect(await loadScenarios(file)).toHaveLength(1);

    const fleetFile = join(dir, 'fleet.yaml');
    writeFileSync(
      fleetFile,
      'servers:\n  web-01:\n    health: { cpu: 1, memory: 1, status: healthy }\n',
    );
    expect(Object.keys((await loadFleet(fleetFile)).servers)).toEqual(['web-01']);

    const missing = join(dir, 'nope.yaml');
    await expect(loadFleet(missing)).rejects.toThrow(FileFormatError);
    await expect(loadFleet(missing)).rejects.toThrow(/cannot read it: no such file/);
  });

  it('ships a demo fleet holding the five seed servers exactly', async () => {
    const demo = await loadDemoFleet();
    for (const [id, spec] of Object.entries(SEED_SERVERS)) {
      expect(demo.servers[id]?.health, id).toEqual(spec.health);
      expect(demo.servers[id]?.logs, id).toEqual(spec.logs);
    }
  });
});
