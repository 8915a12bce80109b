import { appendFile, chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/domain/clock.ts';
import { DeployLogChanges } from '../../../src/tools/changes/deploy-log.ts';
import { DeployLogError, parseDeployLog } from '../../../src/tools/changes/format.ts';
import { ToolError } from '../../../src/tools/errors.ts';
import { ManualClock } from '../../../testing/clock.ts';
import { tempDir, writeTempFile } from '../../support/temp-files.ts';

const clock = new ManualClock('2025-03-01T09:00:00.000Z');

const jsonl = (...entries: object[]) => entries.map((e) => JSON.stringify(e)).join('\n');

async function failure(promise: Promise<unknown>): Promise<ToolError> {
  const error = await promise.catch((e: unknown) => e);
  if (!(error instanceof ToolError)) throw new Error(`expected a ToolError, got ${String(error)}`);
  return error;
}

describe('parseDeployLog', () => {
  it('reads JSON lines, normalising times to UTC', () => {
    const changes = parseDeployLog(
      `${jsonl(
        {
          service: 'payments',
          at: '2025-03-01T09:45:00+01:00',
          description: 'deploy v2.4.1',
          author: 'ci',
          commit: 'abc',
        },
        { service: 'web', at: '2025-03-01T07:00:00Z', description: 'config: raise pool size' },
      )}\n\n`,
      'deploys.jsonl',
    );
    expect(changes).toEqual([
      {
        service: 'payments',
        at: '2025-03-01T08:45:00.000Z',
        description: 'deploy v2.4.1',
        author: 'ci',
      },
      { service: 'web', at: '2025-03-01T07:00:00.000Z', description: 'config: raise pool size' },
    ]);
  });

  it('reads a YAML list', () => {
    const changes = parseDeployLog(
      '- service: payments\n  at: 2025-03-01T08:45:00Z\n  description: deploy v2.4.1\n',
      'deploys.yaml',
    );
    expect(changes).toEqual([
      { service: 'payments', at: '2025-03-01T08:45:00.000Z', description: 'deploy v2.4.1' },
    ]);
  });

  it('names every bad line and field', () => {
    const text = `${jsonl({ service: 'a', at: 'yesterday', description: 'x' })}\nnot json\n${jsonl({ at: '2025-03-01T08:45:00Z', description: 'x' })}`;
    const error = (() => {
      try {
        parseDeployLog(text, '/var/log/deploys.jsonl');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(DeployLogError);
    expect((error as DeployLogError).problems).toEqual([
      'line 1: at: must be an ISO 8601 time, e.g. 2025-03-01T09:00:00Z',
      'line 2: not JSON',
      'line 3: service: Invalid input: expected string, received undefined',
    ]);
    expect((error as Error).message).toMatch(
      /^the deploy log \/var\/log\/deploys\.jsonl \(CHANGES_FILE\) is not valid: line 1/,
    );
  });

  it('a YAML map is not a deploy log', () => {
    expect(() => parseDeployLog('service: payments\n', 'd.yaml')).toThrow(/is a list of/);
  });
});

describe('DeployLogChanges', () => {
  it('lists one service’s changes within the lookback window, newest first', async () => {
    const file = await writeTempFile(
      'deploys.jsonl',
      jsonl(
        { service: 'payments', at: '2025-02-20T09:00:00Z', description: 'too old' },
        { service: 'payments', at: '2025-03-01T07:00:00Z', description: 'deploy v2.4.0' },
        { service: 'Payments', at: '2025-03-01T08:45:00Z', description: 'deploy v2.4.1' },
        { service: 'web', at: '2025-03-01T08:50:00Z', description: 'other service' },
        { service: 'payments', at: '2025-03-02T09:00:00Z', description: 'in the future' },
      ),
    );
    const log = new DeployLogChanges({ file, lookbackHours: 72, clock });
    expect((await log.listChanges('payments')).map((c) => c.description)).toEqual([
      'deploy v2.4.1',
      'deploy v2.4.0',
    ]);
  });

  it('sees a change appended a moment ago', async () => {
    const file = await writeTempFile('deploys.jsonl', '');
    const log = new DeployLogChanges({ file, lookbackHours: 1, clock });
    expect(await log.listChanges('payments')).toEqual([]);
    await appendFile(
      file,
      `${jsonl({ service: 'payments', at: '2025-03-01T08:59:00Z', description: 'hotfix' })}\n`,
    );
    expect(await log.listChanges('payments')).toHaveLength(1);
  });

  it('a missing file is an error, not "no changes"', async () => {
    const file = join(tempDir(), 'nope.jsonl');
    const e = await failure(
      new DeployLogChanges({ file, lookbackHours: 1, clock: systemClock }).listChanges('x'),
    );
    expect(e.code).toBe('not_found');
    expect(e.message).toMatch(/\(CHANGES_FILE\) does not exist/);
  });

  it('an unreadable or broken file is an error naming CHANGES_FILE', async () => {
    const broken = await writeTempFile('d.jsonl', '{"service": 1}\n');
    const e = await failure(
      new DeployLogChanges({ file: broken, lookbackHours: 1, clock: systemClock }).listChanges('x'),
    );
    expect(e.code).toBe('unavailable');
    expect(e.message).toMatch(/\(CHANGES_FILE\) is not valid: line 1: service/);
    if (process.getuid?.() !== 0) {
      const locked = await writeTempFile('locked.jsonl', '');
      await chmod(locked, 0);
      const e2 = await failure(
        new DeployLogChanges({ file: locked, lookbackHours: 1, clock: systemClock }).listChanges(
          'x',
        ),
      );
      expect(e2.message).toMatch(/cannot be read \(EACCES\)/);
    }
  });

  it('reads only the tail of a very large JSON-lines log', async () => {
    const file = join(tempDir(), 'big.jsonl');
    const old = `${JSON.stringify({ service: 'payments', at: '2020-01-01T00:00:00Z', description: 'x'.repeat(1_900) })}\n`;
    await writeFile(file, old.repeat(5_000));
    await appendFile(
      file,
      `${jsonl({ service: 'payments', at: '2025-03-01T08:00:00Z', description: 'recent' })}\n`,
    );
    const log = new DeployLogChanges({ file, lookbackHours: 24, clock });
    expect((await log.listChanges('payments')).map((c) => c.description)).toEqual(['recent']);
  });
});
