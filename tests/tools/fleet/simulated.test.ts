import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/domain/clock.ts';
import { ToolError } from '../../../src/tools/errors.ts';
import { SimulatedFleet } from '../../../src/tools/fleet/simulated.ts';
import { ManualClock } from '../../../testing/clock.ts';
import { fleetOf, seedFleet, server } from '../../support/fleet.ts';

describe('simulated fleet', () => {
  it('lists its servers with service and environment', async () => {
    const fleet = SimulatedFleet.fromFleet(
      {
        ...fleetOf({
          'web-01': server({ service: 'web', health: { cpu: 1, memory: 2, status: 'healthy' } }),
          'batch-02': server({
            environment: 'staging',
            health: { cpu: 1, memory: 2, status: 'healthy' },
          }),
        }),
      },
      systemClock,
    );
    expect(await fleet.listServers()).toEqual([
      { id: 'web-01', service: 'web', environment: 'prod' },
      { id: 'batch-02', service: null, environment: 'staging' },
    ]);
  });

  it('moves a server to its after_restart state on restart, and counts restarts', async () => {
    const fleet = SimulatedFleet.fromFleet(seedFleet(), systemClock);
    expect(await fleet.getHealth('payment-server-01')).toEqual({
      cpu: 98,
      memory: 40,
      status: 'warning',
    });
    expect(fleet.restartCount('payment-server-01')).toBe(0);

    const result = await fleet.restart('payment-server-01');
    expect(result.detail).toBe('simulated restart of payment-server-01 completed');
    expect(fleet.restartCount('payment-server-01')).toBe(1);
    expect(await fleet.getHealth('payment-server-01')).toEqual({
      cpu: 31,
      memory: 38,
      status: 'healthy',
    });
    expect((await fleet.fetchLogs('payment-server-01', 10)).lines).toEqual([
      '[INFO] Service started',
      '[INFO] Health check passed',
    ]);
    expect(fleet.restartCount('auth-service-03')).toBe(0);
  });

  it('changes nothing on restart when a server has no after_restart', async () => {
    const fleet = SimulatedFleet.fromFleet(seedFleet(), systemClock);
    const before = await fleet.getHealth('search-index-09');
    const result = await fleet.restart('search-index-09');
    expect(result.detail).toMatch(/nothing changes/);
    expect(await fleet.getHealth('search-index-09')).toEqual(before);
    expect(fleet.restartCount('search-index-09')).toBe(1);
  });

  it('answers the newest N log lines, oldest first', async () => {
    const fleet = SimulatedFleet.fromFleet(seedFleet(), systemClock);
    expect((await fleet.fetchLogs('db-node-02', 2)).lines).toEqual([
      '[INFO] Health check: OK',
      '[INFO] Replication sync active',
    ]);
  });

  it('refuses an unknown server with a ToolError naming the known ones', async () => {
    const fleet = SimulatedFleet.fromFleet(
      fleetOf({ 'web-01': server({ health: { cpu: 1, memory: 2, status: 'healthy' } }) }),
      systemClock,
    );
    const attempt = fleet.restart('web-02');
    await expect(attempt).rejects.toBeInstanceOf(ToolError);
    await expect(fleet.getHealth('web-02')).rejects.toMatchObject({
      code: 'unknown_server',
      message: 'no server named "web-02" in the simulated fleet; known: web-01',
    });
    expect(fleet.restartCount('web-02')).toBe(0);
  });

  it('dates changes relative to its clock, newest first, per service', async () => {
    const clock = new ManualClock('2025-03-01T12:00:00.000Z');
    const fleet = SimulatedFleet.fromFleet(
      fleetOf({ 'web-01': server({ health: { cpu: 1, memory: 2, status: 'healthy' } }) }, [
        { service: 'web', minutes_ago: 60, description: 'old', author: 'ana' },
        { service: 'web', minutes_ago: 5, description: 'new' },
        { service: 'api', minutes_ago: 1, description: 'other service' },
      ]),
      clock,
    );
    expect(await fleet.listChanges('web')).toEqual([
      { service: 'web', at: '2025-03-01T11:55:00.000Z', description: 'new' },
      { service: 'web', at: '2025-03-01T11:00:00.000Z', description: 'old', author: 'ana' },
    ]);
    expect(await fleet.listChanges('nothing')).toEqual([]);
  });
});
