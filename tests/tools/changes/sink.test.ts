import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DeployLogChanges } from '../../../src/tools/changes/deploy-log.ts';
import { JsonLinesChangeSink } from '../../../src/tools/changes/sink.ts';
import { ManualClock } from '../../../testing/clock.ts';
import { tempDir } from '../../support/temp-files.ts';

const clock = new ManualClock('2025-03-01T09:00:00.000Z');

describe('JsonLinesChangeSink', () => {
  it('creates the file, appends concurrent posts whole, and the deploy log reads them', async () => {
    const file = join(tempDir(), 'sub', 'deploys.jsonl');
    const sink = new JsonLinesChangeSink(file);
    await sink.ensure();
    expect(await readFile(file, 'utf8')).toBe('');
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        sink.append([
          {
            service: 'payments',
            at: `2025-03-01T08:${String(i).padStart(2, '0')}:00.000Z`,
            description: `deploy ${i}`,
          },
        ]),
      ),
    );
    const log = new DeployLogChanges({ file, lookbackHours: 24, clock });
    const changes = await log.listChanges('payments');
    expect(changes).toHaveLength(20);
    expect(changes[0]?.description).toBe('deploy 19');
  });
});
