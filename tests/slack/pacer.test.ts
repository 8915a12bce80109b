import { describe, expect, it } from 'vitest';
import { LocalPacer, StorePacer } from '../../src/slack/pacer.ts';
import { SqliteStore } from '../../src/store/sqlite/index.ts';

describe('LocalPacer', () => {
  it('spaces one channel and leaves others alone (new messages)', async () => {
    let now = 1_000;
    const pacer = new LocalPacer(1_000, { now: () => now });
    expect(await pacer.reserve('C1')).toBe(1_000);
    expect(await pacer.reserve('C1')).toBe(2_000);
    expect(await pacer.reserve('C2')).toBe(1_000);
    now = 5_000;
    expect(await pacer.reserve('C1')).toBe(5_000);
  });

  it('with the workspace scope, every channel shares one budget (edits)', async () => {
    const pacer = new LocalPacer(1_200, { now: () => 0, scope: 'workspace' });
    expect([
      await pacer.reserve('C1'),
      await pacer.reserve('C2'),
      await pacer.reserve('C3'),
    ]).toEqual([0, 1_200, 2_400]);
  });

  it('a penalty pushes the next slot back', async () => {
    const pacer = new LocalPacer(1_000, { now: () => 0 });
    await pacer.penalize('C1', 30_000);
    expect(await pacer.reserve('C1')).toBe(30_000);
  });
});

describe('burst', () => {
  it('lets `burst` writes go at once, then holds the rest to the pace', async () => {
    const pacer = new LocalPacer(1_000, { now: () => 0, burst: 3 });
    const starts = [];
    for (let i = 0; i < 5; i++) starts.push(await pacer.reserve('C1'));
    expect(starts).toEqual([0, 0, 0, 1_000, 2_000]);
  });

  it('a penalty is not shortened by the burst', async () => {
    const pacer = new LocalPacer(1_000, { now: () => 0, burst: 3 });
    await pacer.penalize('C1', 5_000);
    expect(await pacer.reserve('C1')).toBe(5_000);
  });

  it('the store-backed bucket behaves the same across replicas', async () => {
    const store = SqliteStore.open(':memory:');
    const a = new StorePacer(store.coordination, 1_000, {
      now: () => 0,
      burst: 2,
      scope: 'workspace',
    });
    const b = new StorePacer(store.coordination, 1_000, {
      now: () => 0,
      burst: 2,
      scope: 'workspace',
    });
    expect([await a.reserve('C1'), await b.reserve('C2'), await a.reserve('C3')]).toEqual([
      0, 0, 1_000,
    ]);
    await store.close();
  });
});

describe('StorePacer', () => {
  it("two replicas on one store share a channel's pace", async () => {
    const store = SqliteStore.open(':memory:');
    const now = () => 10_000;
    const a = new StorePacer(store.coordination, 1_000, { now });
    const b = new StorePacer(store.coordination, 1_000, { now });
    const slots = [
      await a.reserve('C1'),
      await b.reserve('C1'),
      await a.reserve('C1'),
      await b.reserve('C2'),
    ];
    expect(slots).toEqual([10_000, 11_000, 12_000, 10_000]);
    const edits = new StorePacer(store.coordination, 1_200, { now, scope: 'workspace' });
    expect([await edits.reserve('C1'), await edits.reserve('C9')]).toEqual([10_000, 11_200]);
    await store.close();
  });

  it('a penalty on one replica holds the other back too', async () => {
    const store = SqliteStore.open(':memory:');
    const now = () => 0;
    const a = new StorePacer(store.coordination, 1_000, { now });
    const b = new StorePacer(store.coordination, 1_000, { now });
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
