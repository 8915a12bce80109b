import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Assessment } from '../../src/domain/brief.ts';
import type { Store } from '../../src/store/ports.ts';
import { auditEntry } from '../support/audit.ts';
import { sampleAssessment } from '../support/brief.ts';

/**
 * The store queries conversations, memory and App Home read: an incident by the thread it lives
 * in, recent incidents, incidents about a server or service, pending proposals, audit entries by
 * event. Part of the Store contract, run on every backend like conformance.ts.
 */
export function describeMemoryConformance(name: string, makeStore: () => Promise<Store>): void {
  describe(`${name}: queries for follow-ups, memory and App Home`, () => {
    let store: Store;
    const t0 = new Date('2025-03-01T09:00:00.000Z');
    const minutes = (n: number) => new Date(t0.getTime() + n * 60_000);

    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

    const about = (servers: string[], service: string | null, signalsOn: string[] = []) => {
      const base = sampleAssessment();
      const assessment: Assessment = {
        ...base,
        servers,
        ownership: { ...base.ownership, service },
        signals: signalsOn.map((subject) => ({ id: 'hung_process', subject, detail: 'hung' })),
      };
      return assessment;
    };

    it('finds the newest incident presented in a thread, and nothing for another thread', async () => {
      const place = 'slack:C0OPS:1700000000.000100';
      const first = await store.incidents.create({
        source: 'slack',
        report: 'a',
        now: t0,
        presentation: { place, message: null },
      });
      const second = await store.incidents.create({
        source: 'slack',
        report: 'b',
        now: minutes(5),
        presentation: { place, message: 'slack:C0OPS:1700000000.000200' },
      });
      await store.incidents.create({ source: 'slack', report: 'c', now: minutes(6) });
      expect((await store.incidents.findByPlace(place))?.id).toBe(second.id);
      expect(first.id).not.toBe(second.id);
      expect(await store.incidents.findByPlace('slack:C0OPS:1700000000.000999')).toBeNull();
      expect(await store.incidents.findByPlace('slack:C0OTHER:1700000000.000100')).toBeNull();
    });

    it('lists recent incidents newest first, from a time on, up to a limit', async () => {
      const ids: string[] = [];
      for (const m of [0, 10, 20, 30])
        ids.push(
          (await store.incidents.create({ source: 'cli', report: `r${m}`, now: minutes(m) })).id,
        );
      const recent = await store.incidents.listRecent({ since: minutes(10), limit: 10 });
      expect(recent.map((i) => i.id)).toEqual([ids[3], ids[2], ids[1]]);
      expect(
        (await store.incidents.listRecent({ since: minutes(0), limit: 2 })).map((i) => i.id),
      ).toEqual([ids[3], ids[2]]);
    });

    it('finds incidents by the servers and services their latest assessment concerns', async () => {
      const old = await store.incidents.create({ source: 'cli', report: 'old', now: minutes(-60) });
      const a = await store.incidents.create({ source: 'cli', report: 'a', now: minutes(0) });
      const b = await store.incidents.create({ source: 'cli', report: 'b', now: minutes(1) });
      const c = await store.incidents.create({ source: 'cli', report: 'c', now: minutes(2) });
      const none = await store.incidents.create({ source: 'cli', report: 'n', now: minutes(3) });
      await store.incidents.saveAssessment(old.id, about(['payment-server-01'], 'payments'));
      await store.incidents.saveAssessment(a.id, about(['payment-server-01'], 'payments'));
      await store.incidents.saveAssessment(b.id, about(['payment-server-02'], 'payments'));
      await store.incidents.saveAssessment(c.id, about(['db-node-02'], null, ['search-index-09']));
      expect(none.assessment).toBeNull();

      const byServer = await store.incidents.findBySubjects({
        subjects: ['payment-server-01'],
        since: minutes(-5),
        limit: 10,
      });
      expect(byServer.map((i) => i.id)).toEqual([a.id]);
      expect(byServer[0]?.assessment?.servers).toEqual(['payment-server-01']);

      const byService = await store.incidents.findBySubjects({
        subjects: ['payments'],
        since: minutes(-120),
        excluding: b.id,
        limit: 10,
      });
      expect(byService.map((i) => i.id)).toEqual([a.id, old.id]);
      const bySignal = await store.incidents.findBySubjects({
        subjects: ['search-index-09', 'nobody'],
        since: minutes(-5),
        limit: 10,
      });
      expect(bySignal.map((i) => i.id)).toEqual([c.id]);
      expect(
        await store.incidents.findBySubjects({ subjects: [], since: minutes(-5), limit: 10 }),
      ).toEqual([]);

      // A re-assessment that is about something else moves the incident with it.
      await store.incidents.saveAssessment(a.id, about(['auth-service-03'], 'auth'));
      expect(
        (
          await store.incidents.findBySubjects({
            subjects: ['payment-server-01'],
            since: minutes(-5),
            limit: 10,
          })
        ).map((i) => i.id),
      ).toEqual([]);
      expect(
        (
          await store.incidents.findBySubjects({ subjects: ['auth'], since: minutes(-5), limit: 1 })
        ).map((i) => i.id),
      ).toEqual([a.id]);
    });

    it('lists pending proposals still in time, oldest first, and no decided or expired one', async () => {
      const incident = await store.incidents.create({ source: 'cli', report: 'r', now: t0 });
      const propose = (serverId: string, created: number, expires: number) =>
        store.proposals.create({
          incidentId: incident.id,
          serverId,
          reason: 'cpu 98%',
          now: minutes(created),
          expiresAt: minutes(expires),
        });
      const first = await propose('a-1', 0, 30);
      const second = await propose('b-1', 1, 31);
      await propose('c-1', 2, 5);
      const denied = await propose('d-1', 3, 33);
      await store.proposals.transition(denied.id, ['pending'], 'denied', { decidedBy: 'U1' });
      const pending = await store.proposals.listPending(minutes(10), 10);
      expect(pending.map((p) => p.id)).toEqual([first.id, second.id]);
      expect((await store.proposals.listPending(minutes(10), 1)).map((p) => p.id)).toEqual([
        first.id,
      ]);
      expect(await store.proposals.listPending(minutes(40), 10)).toEqual([]);
    });

    it("lists several incidents' proposals at once, oldest first", async () => {
      const a = await store.incidents.create({ source: 'cli', report: 'a', now: t0 });
      const b = await store.incidents.create({ source: 'cli', report: 'b', now: t0 });
      const c = await store.incidents.create({ source: 'cli', report: 'c', now: t0 });
      const propose = (incidentId: string, m: number) =>
        store.proposals.create({
          incidentId,
          serverId: 's-1',
          reason: 'r',
          now: minutes(m),
          expiresAt: minutes(m + 30),
        });
      const pb = await propose(b.id, 0);
      const pa = await propose(a.id, 1);
      await propose(c.id, 2);
      expect((await store.proposals.forIncidents([a.id, b.id])).map((p) => p.id)).toEqual([
        pb.id,
        pa.id,
      ]);
      expect(await store.proposals.forIncidents([])).toEqual([]);
    });

    it('filters the audit log by event', async () => {
      const at = (m: number) => minutes(m).toISOString();
      await store.audit.append(auditEntry('incident.opened', { at: at(0), incident_id: 'INC-A' }));
      await store.audit.append(auditEntry('restart.executed', { at: at(1), incident_id: 'INC-A' }));
      await store.audit.append(auditEntry('incident.opened', { at: at(2), incident_id: 'INC-B' }));
      await store.audit.append(auditEntry('escalation.sent', { at: at(3), incident_id: 'INC-B' }));
      const actions = await store.audit.list({ events: ['restart.executed', 'escalation.sent'] });
      expect(actions.map((e) => e.event)).toEqual(['escalation.sent', 'restart.executed']);
      expect(
        (await store.audit.list({ events: ['incident.opened'], incidentId: 'INC-B' })).map(
          (e) => e.incident_id,
        ),
      ).toEqual(['INC-B']);
      expect(await store.audit.list({ events: ['an.event.nobody.wrote'] })).toEqual([]);
      expect(await store.audit.list({ events: [] })).toEqual([]);
    });
  });
}
