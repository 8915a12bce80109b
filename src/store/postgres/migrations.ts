/**
 * Versioned migrations, applied in order at open; a version is never edited once released.
 * Times are timestamptz and documents jsonb; every guarantee (append-only audit, compare-and-set,
 * one winner) is the database's, because several replicas share it.
 */
export const POSTGRES_MIGRATIONS: readonly { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE incidents (
        id text PRIMARY KEY,
        created_at timestamptz NOT NULL,
        source text NOT NULL,
        report text NOT NULL,
        brief jsonb,
        thread jsonb
      );
      CREATE TABLE proposals (
        id text PRIMARY KEY,
        -- Insertion order breaks ties between proposals created in the same millisecond.
        seq bigint GENERATED ALWAYS AS IDENTITY,
        incident_id text NOT NULL REFERENCES incidents(id),
        server_id text NOT NULL,
        reason text NOT NULL,
        state text NOT NULL,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        decided_by text,
        decided_at timestamptz,
        executed_at timestamptz,
        before_health jsonb,
        after_health jsonb
      );
      CREATE INDEX proposals_server_state ON proposals (server_id, state);
      CREATE INDEX proposals_pending_expiry ON proposals (expires_at, seq) WHERE state = 'pending';
      CREATE INDEX proposals_incident ON proposals (incident_id, created_at, seq);

      CREATE TABLE audit_log (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at timestamptz NOT NULL,
        incident_id text NOT NULL,
        event text NOT NULL,
        actor text NOT NULL,
        details jsonb NOT NULL
      );
      CREATE INDEX audit_log_incident ON audit_log (incident_id, seq);
      -- The audit log is append-only, enforced by the database itself for every client.
      CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'restrict_violation';
      END
      $$;
      CREATE TRIGGER audit_log_append_only
        BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

      CREATE TABLE claims (key text PRIMARY KEY, expires_at timestamptz NOT NULL);

      CREATE TABLE alert_groups (
        id text PRIMARY KEY,
        key text NOT NULL,
        opened_at timestamptz NOT NULL,
        count integer NOT NULL,
        thread jsonb NOT NULL,
        incident_id text,
        counter_ts text,
        reported_count integer NOT NULL DEFAULT 1
      );
      CREATE INDEX alert_groups_key ON alert_groups (key, opened_at DESC);

      CREATE TABLE jobs (
        id text PRIMARY KEY,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        kind text NOT NULL,
        payload jsonb NOT NULL,
        state text NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        owner text,
        lease_expires_at timestamptz,
        created_at timestamptz NOT NULL,
        error text
      );
      CREATE INDEX jobs_runnable ON jobs (created_at, seq) WHERE state IN ('queued', 'running');

      CREATE TABLE pacing (key text PRIMARY KEY, next_at timestamptz NOT NULL);
    `,
  },
  {
    // The store stops holding presenter shapes: a stored brief becomes the investigation's
    // assessment (the brief is derived from it and the audit log), and the Slack thread JSON
    // becomes opaque references. Rows written before this carry Slack threads, re-encoded here
    // the way the Slack presenter encodes them ("slack:<channel>:<ts>").
    version: 2,
    sql: `
      ALTER TABLE incidents ADD COLUMN assessment jsonb;
      ALTER TABLE incidents ADD COLUMN presentation_place text;
      ALTER TABLE incidents ADD COLUMN presentation_message text;
      UPDATE incidents SET assessment = brief WHERE brief IS NOT NULL;
      UPDATE incidents SET
        presentation_place = 'slack:' || (thread->>'channel') || ':' || (thread->>'threadTs'),
        presentation_message = CASE WHEN thread->>'messageTs' IS NULL THEN NULL
          ELSE 'slack:' || (thread->>'channel') || ':' || (thread->>'messageTs')
        END
        WHERE thread IS NOT NULL;
      ALTER TABLE incidents DROP COLUMN brief, DROP COLUMN thread;
      ALTER TABLE alert_groups ADD COLUMN place text, ADD COLUMN counter_ref text;
      UPDATE alert_groups SET
        place = 'slack:' || (thread->>'channel') || ':' || (thread->>'threadTs'),
        counter_ref = CASE WHEN counter_ts IS NULL THEN NULL
          ELSE 'slack:' || (thread->>'channel') || ':' || counter_ts
        END;
      ALTER TABLE alert_groups ALTER COLUMN place SET NOT NULL,
        DROP COLUMN thread, DROP COLUMN counter_ts;
    `,
  },
  {
    // Conversations and memory: a follow-up in a thread finds its incident by place; similar past
    // incidents are found by the servers and services their assessments concern (written with each
    // assessment, back-filled here from the ones already stored); App Home lists recent incidents
    // and reads resolved ones by event.
    version: 3,
    sql: `
      CREATE INDEX incidents_place ON incidents (presentation_place, created_at DESC);
      CREATE INDEX incidents_created ON incidents (created_at DESC);
      CREATE TABLE incident_subjects (
        incident_id text NOT NULL,
        subject text NOT NULL,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (incident_id, subject)
      );
      CREATE INDEX incident_subjects_subject ON incident_subjects (subject, created_at DESC);
      INSERT INTO incident_subjects (incident_id, subject, created_at)
        SELECT i.id, s.subject, i.created_at
        FROM incidents i, jsonb_array_elements_text(
          CASE WHEN jsonb_typeof(i.assessment->'servers') = 'array'
            THEN i.assessment->'servers' ELSE '[]'::jsonb END
        ) AS s(subject)
        WHERE i.assessment IS NOT NULL
        ON CONFLICT DO NOTHING;
      INSERT INTO incident_subjects (incident_id, subject, created_at)
        SELECT id, service, created_at FROM (
          SELECT id, created_at, COALESCE(
            assessment->'ownership'->>'service',
            assessment->'escalationPackage'->'ownership'->>'service'
          ) AS service
          FROM incidents WHERE assessment IS NOT NULL
        ) AS a WHERE service IS NOT NULL
        ON CONFLICT DO NOTHING;
      CREATE INDEX audit_log_event ON audit_log (event, seq);
    `,
  },
  {
    // Alerts as they really arrive: a group resolves (and a new firing opens a new one), takes
    // repeats by its alerting system's fingerprint or group key, and may start without a place
    // (a webhook alert). Storms fold incidents that share a cause into one parent.
    version: 4,
    sql: `
      ALTER TABLE alert_groups ADD COLUMN resolved_at timestamptz,
        ALTER COLUMN place DROP NOT NULL;
      CREATE INDEX alert_groups_incident ON alert_groups (incident_id);
      CREATE INDEX alert_groups_open_key ON alert_groups (key, opened_at DESC) WHERE resolved_at IS NULL;
      CREATE TABLE alert_aliases (
        alias text NOT NULL,
        group_id text NOT NULL REFERENCES alert_groups(id),
        opened_at timestamptz NOT NULL,
        PRIMARY KEY (alias, group_id)
      );
      CREATE INDEX alert_aliases_alias ON alert_aliases (alias, opened_at DESC);
      CREATE TABLE storms (
        id text PRIMARY KEY,
        cause text NOT NULL,
        opened_at timestamptz NOT NULL,
        parent_incident_id text NOT NULL,
        resolved_at timestamptz
      );
      CREATE INDEX storms_cause ON storms (cause, opened_at DESC);
      CREATE TABLE storm_members (
        incident_id text PRIMARY KEY,
        storm_id text NOT NULL REFERENCES storms(id),
        servers jsonb NOT NULL,
        joined_at timestamptz NOT NULL,
        resolved_at timestamptz
      );
      CREATE INDEX storm_members_storm ON storm_members (storm_id);
    `,
  },
  {
    // Approvals one by one, for APPROVALS_REQUIRED (two distinct people): one row per approver and
    // proposal, so a second click by the same person counts once. Restarts in flight are few and
    // found by the reconciler through a partial index.
    version: 5,
    sql: `
      CREATE TABLE proposal_approvals (
        proposal_id text NOT NULL REFERENCES proposals(id),
        user_id text NOT NULL,
        at timestamptz NOT NULL,
        PRIMARY KEY (proposal_id, user_id)
      );
      CREATE INDEX proposals_in_flight ON proposals (decided_at, seq)
        WHERE state IN ('approved', 'restarting', 'executed');
    `,
  },
  {
    // Expired claims are forgotten in batches by the periodic sweep; found by their expiry.
    version: 6,
    sql: 'CREATE INDEX claims_expiry ON claims (expires_at);',
  },
];
