//! Built-in steps (`uses:`): Rust functions with typed `with:` arguments, checked when the
//! pipeline files are loaded.

mod cargo_meta;
mod drift;
mod fs;
mod git_staged;
mod migration_guard;
mod openapi_compat;
mod openapi_lint;
mod policy_check;
mod postgres;
mod restore_drill;
mod sbom;
mod signing;
mod slsa;
mod squawk;
mod zizmor;

use crate::model::Registration;

pub const REGISTRY: &[Registration] = &[
    drift::DRIFT,
    fs::ENSURE_DIR,
    fs::REMOVE,
    git_staged::STAGED,
    migration_guard::GUARD,
    openapi_compat::COMPAT,
    openapi_lint::LINT,
    policy_check::CHECK,
    postgres::EPHEMERAL,
    restore_drill::DRILL,
    sbom::SYFT,
    sbom::VALIDATE,
    signing::SIGN,
    signing::VERIFY,
    slsa::PROVENANCE,
    squawk::SQUAWK,
    zizmor::ZIZMOR,
];
