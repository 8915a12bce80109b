import { describe, expect, it } from 'vitest';
import { LocalPacer, StorePacer } from '../../src/slack/pacer.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';

describe('LocalPacer', () => {
  it('spaces one channel and leaves others alone (new messages)', async () => {
    let now = 1_000;
    const pacer = new LocalPacer(1_000, () => now);
    expect(await pacer.reserve('C1')).toBe(1_000);
    expect(await pacer.reserve('C1')).toBe(2_000);
    expect(await pacer.reserve('C2')).toBe(1_000);
    now = 5_000;
    expect(await pacer.reserve('C1')).toBe(5_000);
  });

  it('with the workspace scope, every channel shares one budget (edits)', async () => {
    const pacer = new LocalPacer(1_200, () => 0, 'workspace');
    expect([
      await pacer.reserve('C1'),
      await pacer.reserve('C2'),
      await pacer.reserve('C3'),
    ]).toEqual([0, 1_200, 2_400]);
  });

  it('a penalty pushes the next slot back', async () => {
    const pacer = new LocalPacer(1_000, () => 0);
    await pacer.penalize('C1', 30_000);
    expect(await pacer.reserve('C1')).toBe(30_000);
  });
});

describe('StorePacer', () => {
  it("two replicas on one store share a channel's pace", async () => {
    const store = SqliteStore.open(':memory:');
    const now = () => 10_000;
    const a = new StorePacer(store, 1_000, { now });
    const b = new StorePacer(store, 1_000, { now });
    const slots = [
      await a.reserve('C1'),
      await b.reserve('C1'),
      await a.reserve('C1'),
      await b.reserve('C2'),
    ];
    expect(slots).toEqual([10_000, 11_000, 12_000, 10_000]);
    const edits = new StorePacer(store, 1_200, { now, scope: 'workspace' });
    expect([await edits.reserve('C1'), await edits.reserve('C9')]).toEqual([10_000, 11_200]);
    await store.close();
  });

  it('a penalty on one replica holds the other back too', async () => {
    const store = SqliteStore.open(':memory:');
    const now = () => 0;
    const a = new StorePacer(store, 1_000, { now });
    const b = new StorePacer(store, 1_000, { now });
    await a.penalize('C1', 20_000);
    expect(await b.reserve('C1')).toBe(20_000);
    await store.close();
  });

  it('goes on at the local pace when the store does not answer', async () => {
    const broken = {
      reserveSlot: async (): Promise<Date> => {
        throw new Error('database down');
      },
    };
    const pacer = new StorePacer(broken, 1_000, { now: () => 0 });
    expect([await pacer.reserve('C1'), await pacer.reserve('C1')]).toEqual([0, 1_000]);
  });
});
