import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/env.ts';
import { createPlanner, createRuntime, openStore } from '../src/root/runtime.ts';
import { FileFormatError } from '../src/tools/fleet/load.ts';
import { APPROVER, ApproverList } from './support/runtime.ts';

describe('runtime', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lzo-runtime-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('wires a store under DATA_DIR and a simulated fleet from FLEET_FILE', async () => {
    const fleetFile = join(dir, 'fleet.yaml');
    writeFileSync(
      fleetFile,
      'servers:\n  api-07:\n    service: api\n    health: { cpu: 97, memory: 20, status: warning }\n    logs: ["[CRITICAL] Process hung"]\n',
    );
    const dataDir = join(dir, 'data');
    const runtime = await createRuntime(parseConfig({ DATA_DIR: dataDir, FLEET_FILE: fleetFile }), {
      approvers: new ApproverList([APPROVER]),
    });
    try {
      expect(runtime.store.kind).toBe('sqlite');
      expect(runtime.planner.name).toBe('rules');
      expect(await runtime.backends.inventory.listServers()).toEqual([
        { id: 'api-07', service: 'api', environment: 'prod' },
      ]);
      const { brief, proposal } = await runtime.operator.investigate({
        report: 'api-07 hangs',
        source: 'cli',
        actor: 'cli:ana',
      });
      expect(brief.action).toBe('restart');
      expect(proposal?.serverId).toBe('api-07');
    } finally {
      await runtime.close();
    }
    const reopened = await openStore(parseConfig({ DATA_DIR: dataDir }));
    expect(await reopened.audit.list()).toHaveLength(2);
    await reopened.close();
  });

  it('uses the built-in demo fleet when FLEET_FILE is unset', async () => {
    const runtime = await createRuntime(parseConfig({ DATA_DIR: join(dir, 'demo') }), {
      approvers: new ApproverList([]),
    });
    const ids = (await runtime.backends.inventory.listServers()).map((s) => s.id);
    expect(ids).toEqual(expect.arrayContaining(['payment-server-01', 'search-index-09']));
    await runtime.close();
  });

  it('says plainly when FLEET_FILE is missing', async () => {
    await expect(
      createRuntime(parseConfig({ DATA_DIR: join(dir, 'x'), FLEET_FILE: join(dir, 'none.yaml') }), {
        approvers: new ApproverList([]),
      }),
    ).rejects.toBeInstanceOf(FileFormatError);
  });

  it('opens PostgreSQL for DATABASE_URL, and says plainly when it cannot be reached', async () => {
    const unreachable = openStore(
      parseConfig({ DATABASE_URL: 'postgres://lzo:s3cret@127.0.0.1:1/lzo' }),
    );
    await expect(unreachable).rejects.toThrow(
      /cannot reach PostgreSQL at 127\.0\.0\.1:1 .*check DATABASE_URL/,
    );
    await expect(unreachable).rejects.not.toThrow(/s3cret/);
  });

  it('chooses the rules planner without a key and the model planner with one', () => {
    expect(createPlanner(parseConfig({})).name).toBe('rules');
    const planner = createPlanner(parseConfig({ OPENAI_API_KEY: 'sk-test', OPENAI_MODEL: 'm-1' }));
    expect(planner).toMatchObject({ name: 'openai', model: 'm-1' });
  });
});
