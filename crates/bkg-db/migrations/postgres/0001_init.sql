-- The platform's core tables on Postgres, with row-level security on every tenant-scoped
-- table. The tenant of a transaction is the setting `app.namespace_id`
-- (`SELECT set_config('app.namespace_id', 'ns', true)`); unset or empty means no rows.

CREATE TABLE namespaces (
    id           TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE accounts (
    id           TEXT PRIMARY KEY,
    namespace_id TEXT NOT NULL REFERENCES namespaces (id),
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('admin', 'service', 'user')),
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (namespace_id, name)
);

CREATE TABLE api_keys (
    id           TEXT NOT NULL,
    version      INTEGER NOT NULL CHECK (version >= 1),
    namespace_id TEXT NOT NULL REFERENCES namespaces (id),
    account_id   TEXT NOT NULL REFERENCES accounts (id),
    key_class    TEXT NOT NULL CHECK (key_class IN ('admin', 'namespace', 'model-access', 'session', 'cosign')),
    key_hash     TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at   TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ,
    PRIMARY KEY (id, version)
);

CREATE TABLE key_rotations (
    id           BIGSERIAL PRIMARY KEY,
    namespace_id TEXT NOT NULL REFERENCES namespaces (id),
    key_id       TEXT NOT NULL,
    key_class    TEXT NOT NULL CHECK (key_class IN ('admin', 'namespace', 'model-access', 'session', 'cosign')),
    version      INTEGER NOT NULL CHECK (version >= 1),
    rotated_at   TIMESTAMPTZ NOT NULL,
    owner        TEXT NOT NULL,
    UNIQUE (key_id, version)
);

-- A flag without a namespace is the platform default; a namespace row overrides it.
CREATE TABLE feature_flags (
    key          TEXT NOT NULL,
    namespace_id TEXT REFERENCES namespaces (id),
    enabled      BOOLEAN NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    UNIQUE NULLS NOT DISTINCT (key, namespace_id)
);

CREATE TABLE audit_events (
    id           BIGSERIAL PRIMARY KEY,
    namespace_id TEXT NOT NULL REFERENCES namespaces (id),
    actor        TEXT NOT NULL,
    action       TEXT NOT NULL,
    subject      TEXT NOT NULL,
    at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    details      JSONB NOT NULL DEFAULT '{}'
);

-- Seeds (as the migration's owner, before row-level security applies to anyone).
INSERT INTO namespaces (id, display_name) VALUES ('platform', 'BKG platform');
INSERT INTO accounts (id, namespace_id, name, kind) VALUES ('platform-admin', 'platform', 'admin', 'admin');
INSERT INTO accounts (id, namespace_id, name, kind) VALUES ('platform-namespace-operator', 'platform', 'namespace-operator', 'service');
INSERT INTO feature_flags (key, namespace_id, enabled, description) VALUES
    ('db.dual-write', NULL, false, 'Write to SQLite and Postgres during the migration (BKG_DB_DUAL_WRITE)'),
    ('db.sqlite-fallback', NULL, true, 'Fall back to SQLite (BKG_DB_PATH) when no BKG_DB_DSN is set; local only after the cutover'),
    ('keys.namespace-auto-rotation', NULL, true, 'Rotate a namespace key when it is used and older than 7 days'),
    ('telemetry.otel-export', NULL, true, 'Export OpenTelemetry traces at CAVE_OTEL_SAMPLING_RATE');

-- The application's role: not a superuser, not the tables' owner, so RLS applies to it.
DO $$
BEGIN
    CREATE ROLE bkg_app NOLOGIN;
EXCEPTION WHEN duplicate_object THEN
    NULL;
END
$$;

GRANT USAGE ON SCHEMA public TO bkg_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO bkg_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO bkg_app;

-- Row-level security, forced so that the owner is bound too (superusers never are).
ALTER TABLE namespaces ENABLE ROW LEVEL SECURITY;
ALTER TABLE namespaces FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON namespaces
    USING (id = NULLIF(current_setting('app.namespace_id', true), ''))
    WITH CHECK (id = NULLIF(current_setting('app.namespace_id', true), ''));

ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE accounts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON accounts
    USING (namespace_id = NULLIF(current_setting('app.namespace_id', true), ''))
    WITH CHECK (namespace_id = NULLIF(current_setting('app.namespace_id', true), ''));

ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON api_keys
    USING (namespace_id = NULLIF(current_setting('app.namespace_id', true), ''))
    WITH CHECK (namespace_id = NULLIF(current_setting('app.namespace_id', true), ''));

ALTER TABLE key_rotations ENABLE ROW LEVEL SECURITY;
ALTER TABLE key_rotations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON key_rotations
    USING (namespace_id = NULLIF(current_setting('app.namespace_id', true), ''))
    WITH CHECK (namespace_id = NULLIF(current_setting('app.namespace_id', true), ''));

ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_events
    USING (namespace_id = NULLIF(current_setting('app.namespace_id', true), ''))
    WITH CHECK (namespace_id = NULLIF(current_setting('app.namespace_id', true), ''));

-- Platform defaults (no namespace) are readable by every tenant; each tenant writes only
-- its own overrides.
ALTER TABLE feature_flags ENABLE ROW LEVEL SECURITY;
ALTER TABLE feature_flags FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_read ON feature_flags FOR SELECT
    USING (namespace_id IS NULL OR namespace_id = NULLIF(current_setting('app.namespace_id', true), ''));
CREATE POLICY tenant_insert ON feature_flags FOR INSERT
    WITH CHECK (namespace_id = NULLIF(current_setting('app.namespace_id', true), ''));
CREATE POLICY tenant_update ON feature_flags FOR UPDATE
    USING (namespace_id = NULLIF(current_setting('app.namespace_id', true), ''))
    WITH CHECK (namespace_id = NULLIF(current_setting('app.namespace_id', true), ''));
CREATE POLICY tenant_delete ON feature_flags FOR DELETE
    USING (namespace_id = NULLIF(current_setting('app.namespace_id', true), ''));
