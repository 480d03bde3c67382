-- When a key was last used (namespace keys rotate when used and older than 7 days), and the
-- lookups rotation checks make. The view runs with the caller's rights (security_invoker),
-- so it cannot bypass row-level security.

ALTER TABLE api_keys ADD COLUMN last_used_at TIMESTAMPTZ;

CREATE INDEX key_rotations_by_key ON key_rotations (key_id, rotated_at);

CREATE VIEW active_api_keys WITH (security_invoker = true) AS
    SELECT id, version, namespace_id, account_id, key_class, created_at, expires_at, last_used_at
    FROM api_keys
    WHERE revoked_at IS NULL;

GRANT SELECT ON active_api_keys TO bkg_app;
