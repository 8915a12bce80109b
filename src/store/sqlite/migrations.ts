/** Versioned migrations of the embedded store, applied in order at open; a released version is never edited. */
export const SQLITE_MIGRATIONS: readonly { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE incidents (
        id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL,
        source TEXT NOT NULL,
        report TEXT NOT NULL,
        brief TEXT
      );
      CREATE TABLE proposals (
        id TEXT PRIMARY KEY,
        incident_id TEXT NOT NULL REFERENCES incidents(id),
        server_id TEXT NOT NULL,
        reason TEXT NOT NULL,
        state TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        decided_by TEXT,
        decided_at TEXT,
        executed_at TEXT,
        before_health TEXT,
        after_health TEXT
      );
      CREATE INDEX proposals_server_executed ON proposals(server_id, executed_at);
      CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        incident_id TEXT NOT NULL,
        event TEXT NOT NULL,
        actor TEXT NOT NULL,
        details TEXT NOT NULL
      );
      CREATE INDEX audit_incident ON audit_log(incident_id, seq);
      -- The audit log is append-only, enforced by the database itself.
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
    `,
  },
  {
    version: 2,
    sql: `
      ALTER TABLE incidents ADD COLUMN thread TEXT;
      CREATE INDEX proposals_pending_expiry ON proposals(state, expires_at);
      CREATE INDEX proposals_incident ON proposals(incident_id);
      CREATE TABLE claims (key TEXT PRIMARY KEY, expires_at TEXT NOT NULL);
      CREATE TABLE alert_groups (
        id TEXT PRIMARY KEY,
        key TEXT NOT NULL,
        opened_at TEXT NOT NULL,
        count INTEGER NOT NULL,
        thread TEXT NOT NULL,
        incident_id TEXT,
        counter_ts TEXT,
        reported_count INTEGER NOT NULL DEFAULT 1
      );
      CREATE INDEX alert_groups_key ON alert_groups(key, opened_at);
      CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        owner TEXT,
        lease_expires_at TEXT,
        created_at TEXT NOT NULL,
        error TEXT
      );
      CREATE INDEX jobs_runnable ON jobs(state, created_at);
    `,
  },
  {
    version: 3,
    sql: `
      CREATE TABLE pacing (key TEXT PRIMARY KEY, next_at TEXT NOT NULL);
    `,
  },
  {
    // The store stops holding presenter shapes: a stored brief becomes the investigation's
    // assessment (the brief is derived from it and the audit log), and the Slack thread JSON
    // becomes opaque references. Rows written before this carry Slack threads, re-encoded here
    // the way the Slack presenter encodes them ("slack:<channel>:<ts>").
    version: 4,
    sql: `
      ALTER TABLE incidents ADD COLUMN assessment TEXT;
      ALTER TABLE incidents ADD COLUMN presentation_place TEXT;
      ALTER TABLE incidents ADD COLUMN presentation_message TEXT;
      UPDATE incidents SET assessment = brief WHERE brief IS NOT NULL;
      UPDATE incidents SET
        presentation_place =
          'slack:' || json_extract(thread, '$.channel') || ':' || json_extract(thread, '$.threadTs'),
        presentation_message = CASE WHEN json_extract(thread, '$.messageTs') IS NULL THEN NULL
          ELSE 'slack:' || json_extract(thread, '$.channel') || ':' || json_extract(thread, '$.messageTs')
        END
        WHERE thread IS NOT NULL;
      ALTER TABLE incidents DROP COLUMN brief;
      ALTER TABLE incidents DROP COLUMN thread;
      ALTER TABLE alert_groups ADD COLUMN place TEXT;
      ALTER TABLE alert_groups ADD COLUMN counter_ref TEXT;
      UPDATE alert_groups SET
        place =
          'slack:' || json_extract(thread, '$.channel') || ':' || json_extract(thread, '$.threadTs'),
        counter_ref = CASE WHEN counter_ts IS NULL THEN NULL
          ELSE 'slack:' || json_extract(thread, '$.channel') || ':' || counter_ts
        END;
      ALTER TABLE alert_groups DROP COLUMN thread;
      ALTER TABLE alert_groups DROP COLUMN counter_ts;
    `,
  },
  {
    // Conversations and memory: a follow-up in a thread finds its incident by place; similar past
    // incidents are found by the servers and services their assessments concern (written with each
    // assessment, back-filled here from the ones already stored); App Home lists recent incidents
    // and reads resolved ones by event.
    version: 5,
    sql: `
      CREATE INDEX incidents_place ON incidents(presentation_place, created_at);
      CREATE INDEX incidents_created ON incidents(created_at);
      CREATE TABLE incident_subjects (
        incident_id TEXT NOT NULL,
        subject TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (incident_id, subject)
      );
      CREATE INDEX incident_subjects_subject ON incident_subjects(subject, created_at);
      INSERT OR IGNORE INTO incident_subjects (incident_id, subject, created_at)
        SELECT i.id, s.value, i.created_at FROM incidents i, json_each(i.assessment, '$.servers') s
        WHERE i.assessment IS NOT NULL AND json_valid(i.assessment);
      INSERT OR IGNORE INTO incident_subjects (incident_id, subject, created_at)
        SELECT id, service, created_at FROM (
          SELECT id, created_at, COALESCE(
            json_extract(assessment, '$.ownership.service'),
            json_extract(assessment, '$.escalationPackage.ownership.service')
          ) AS service
          FROM incidents WHERE assessment IS NOT NULL AND json_valid(assessment)
        ) WHERE service IS NOT NULL;
      CREATE INDEX audit_event ON audit_log(event, seq);
    `,
  },
  {
    // Alerts as they really arrive: a group resolves (and a new firing opens a new one), takes
    // repeats by its alerting system's fingerprint or group key, and may start without a place
    // (a webhook alert). Storms fold incidents that share a cause into one parent.
    version: 6,
    sql: `
      ALTER TABLE alert_groups ADD COLUMN resolved_at TEXT;
      CREATE INDEX alert_groups_incident ON alert_groups(incident_id);
      CREATE TABLE alert_aliases (
        alias TEXT NOT NULL,
        group_id TEXT NOT NULL REFERENCES alert_groups(id),
        opened_at TEXT NOT NULL,
        PRIMARY KEY (alias, group_id)
      );
      CREATE INDEX alert_aliases_alias ON alert_aliases(alias, opened_at);
      CREATE TABLE storms (
        id TEXT PRIMARY KEY,
        cause TEXT NOT NULL,
        opened_at TEXT NOT NULL,
        parent_incident_id TEXT NOT NULL,
        resolved_at TEXT
      );
      CREATE INDEX storms_cause ON storms(cause, opened_at);
      CREATE TABLE storm_members (
        incident_id TEXT PRIMARY KEY,
        storm_id TEXT NOT NULL REFERENCES storms(id),
        servers TEXT NOT NULL,
        joined_at TEXT NOT NULL,
        resolved_at TEXT
      );
      CREATE INDEX storm_members_storm ON storm_members(storm_id);
    `,
  },
  {
    // Approvals one by one, for APPROVALS_REQUIRED (two distinct people): one row per approver and
    // proposal, so a second click by the same person counts once. Restarts in flight are found by
    // the reconciler through the (state, decided_at) index.
    version: 7,
    sql: `
      CREATE TABLE proposal_approvals (
        proposal_id TEXT NOT NULL REFERENCES proposals(id),
        user_id TEXT NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (proposal_id, user_id)
      );
      CREATE INDEX proposals_in_flight ON proposals(state, decided_at);
    `,
  },
  {
    // Expired claims are forgotten in batches by the periodic sweep; found by their expiry.
    version: 8,
    sql: 'CREATE INDEX claims_expiry ON claims(expires_at);',
  },
];
