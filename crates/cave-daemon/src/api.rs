//! The router and the OpenAPI document, built together from the annotated handlers.

use crate::{AppState, health, metrics, webhook};
use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use utoipa::openapi::OpenApi as Document;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "cave-daemon",
        version = "1.0.0",
        description = "Health, metrics and the key-rotation webhook of the BKG platform daemon.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
        contact(name = "BKG platform team", email = "platform@bkg.invalid")
    ),
    servers((url = "http://127.0.0.1:8080", description = "A local daemon (`cave-daemon serve`)")),
    tags(
        (name = "health", description = "Liveness and readiness"),
        (name = "metrics", description = "Prometheus metrics"),
        (name = "keys", description = "Key rotation notices")
    ),
    modifiers(&WebhookSignature)
)]
struct ApiDoc;

/// The HMAC signature header as a security scheme, so the spec says how the webhook is
/// authenticated.
struct WebhookSignature;

impl Modify for WebhookSignature {
    fn modify(&self, openapi: &mut Document) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let header = ApiKeyValue::with_description(
            "X-BKG-Signature",
            "`sha256=` and the hex HMAC-SHA256 of `X-BKG-Timestamp + \".\" + body` under the shared secret `BKG_WEBHOOK_SECRET`",
        );
        components.add_security_scheme(
            "webhook_signature",
            SecurityScheme::ApiKey(ApiKey::Header(header)),
        );
    }
}

fn routes() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health::healthz))
        .routes(routes!(metrics::metrics))
        .routes(routes!(webhook::key_rotated))
}

/// The service, with metrics on every route and a JSON 404 for everything else.
pub fn router(state: Arc<AppState>) -> Router {
    let (router, _) = routes().split_for_parts();
    router
        .route_layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state),
            metrics::track,
        ))
        .fallback(not_found)
        .with_state(state)
}

/// The OpenAPI document of exactly the routes `router` serves; builds no server. The
/// metrics operation carries the catalogue of metric families (`x-bkg-metrics`), so alert
/// rules can be checked against what the daemon exposes.
pub fn openapi() -> Document {
    let mut document = routes().into_openapi();
    let catalogue: Vec<serde_json::Value> = metrics::FAMILIES
        .iter()
        .map(|f| {
            serde_json::json!({
                "name": format!("cave_{}", f.name),
                "type": f.kind,
                "help": f.help,
                "samples": f.samples(),
            })
        })
        .collect();
    if let Some(get) = document
        .paths
        .paths
        .get_mut("/metrics")
        .and_then(|item| item.get.as_mut())
    {
        get.extensions
            .get_or_insert_with(Default::default)
            .insert("x-bkg-metrics".into(), catalogue.into());
    }
    document
}

async fn not_found(
    axum::extract::State(state): axum::extract::State<Arc<AppState>>,
    method: axum::http::Method,
) -> Response {
    let now = (std::time::Instant::now(), std::time::SystemTime::now());
    metrics::finished(&state, method.as_str(), "unmatched", 404, now);
    let body = webhook::ErrorBody {
        error: "not-found".into(),
        message: "no such route".into(),
    };
    (StatusCode::NOT_FOUND, axum::Json(body)).into_response()
}
