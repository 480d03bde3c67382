-- The platform's core tables (SQLite prototype). Tenant scoping is done by the queries of
-- bkg-db's API; the Postgres migrations enforce it with row-level security.

CREATE TABLE namespaces (
    id           TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

CREATE TABLE accounts (
    id           TEXT PRIMARY KEY,
    namespace_id TEXT NOT NULL REFERENCES namespaces (id),
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('admin', 'service', 'user')),
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    UNIQUE (namespace_id, name)
);

CREATE TABLE api_keys (
    id           TEXT NOT NULL,
    version      INTEGER NOT NULL CHECK (version >= 1),
    namespace_id TEXT NOT NULL REFERENCES namespaces (id),
    account_id   TEXT NOT NULL REFERENCES accounts (id),
    key_class    TEXT NOT NULL CHECK (key_class IN ('admin', 'namespace', 'model-access', 'session', 'cosign')),
    key_hash     TEXT NOT NULL,
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    expires_at   TEXT,
    revoked_at   TEXT,
    PRIMARY KEY (id, version)
);

CREATE TABLE key_rotations (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    namespace_id TEXT NOT NULL REFERENCES namespaces (id),
    key_id       TEXT NOT NULL,
    key_class    TEXT NOT NULL CHECK (key_class IN ('admin', 'namespace', 'model-access', 'session', 'cosign')),
    version      INTEGER NOT NULL CHECK (version >= 1),
    rotated_at   TEXT NOT NULL,
    owner        TEXT NOT NULL,
    UNIQUE (key_id, version)
);

-- A flag without a namespace is the platform default; a namespace row overrides it.
CREATE TABLE feature_flags (
    key          TEXT NOT NULL,
    namespace_id TEXT REFERENCES namespaces (id),
    enabled      INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    description  TEXT NOT NULL DEFAULT '',
    UNIQUE (key, namespace_id)
);

CREATE TABLE audit_events (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    namespace_id TEXT NOT NULL REFERENCES namespaces (id),
    actor        TEXT NOT NULL,
    action       TEXT NOT NULL,
    subject      TEXT NOT NULL,
    at           TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    details      TEXT NOT NULL DEFAULT '{}'
);

-- Seeds: the platform namespace with its admin account, and the platform's feature flags.
INSERT INTO namespaces (id, display_name) VALUES ('platform', 'BKG platform');
INSERT INTO accounts (id, namespace_id, name, kind) VALUES ('platform-admin', 'platform', 'admin', 'admin');
INSERT INTO accounts (id, namespace_id, name, kind) VALUES ('platform-namespace-operator', 'platform', 'namespace-operator', 'service');
INSERT INTO feature_flags (key, namespace_id, enabled, description) VALUES
    ('db.dual-write', NULL, 0, 'Write to SQLite and Postgres during the migration (BKG_DB_DUAL_WRITE)'),
    ('db.sqlite-fallback', NULL, 1, 'Fall back to SQLite (BKG_DB_PATH) when no BKG_DB_DSN is set; local only after the cutover'),
    ('keys.namespace-auto-rotation', NULL, 1, 'Rotate a namespace key when it is used and older than 7 days'),
    ('telemetry.otel-export', NULL, 1, 'Export OpenTelemetry traces at CAVE_OTEL_SAMPLING_RATE');
