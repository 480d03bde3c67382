//! Checks both backends must pass the same way.

use bkg_db::{Db, Rotation};

/// With tenants `alpha` and `beta` in place: a rotation recorded by alpha is alpha's alone,
/// and beta reads the platform default of a feature flag.
pub async fn rotations_and_flags_stay_per_tenant(db: &Db) {
    let rotation = Rotation {
        key_id: "alpha-api".into(),
        key_class: "namespace".into(),
        version: 3,
        rotated_at: "2026-11-28T09:30:00Z".into(),
        owner: "platform-security".into(),
    };
    db.with_namespace("alpha", async |t| t.record_rotation(&rotation).await)
        .await
        .unwrap();
    assert_eq!(
        db.with_namespace("alpha", async |t| t.rotations().await)
            .await
            .unwrap(),
        [rotation]
    );
    assert!(
        db.with_namespace("beta", async |t| t.rotations().await)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        db.with_namespace("beta", async |t| t
            .flag("keys.namespace-auto-rotation")
            .await)
            .await
            .unwrap(),
        Some(true)
    );
}
