//! `policies/services.yaml`: the endpoints every service's OpenAPI document must declare
//! (health with 200 and 503, metrics), the webhooks that must declare their signature
//! header, and the alert rules that may only use metrics a service exposes; checked on the
//! committed files with findings at their lines.

mod alerts;
mod promql;

use super::{Context, Finding, Policy, Rule, load_policy};
use crate::diagnostic::{SourceFile, Span};
use crate::yaml::{Node, Reader};

pub const RULE: Rule = Rule {
    id: "services",
    files: &["policies/services.yaml"],
    summary: "every service's OpenAPI declares health, metrics and signed webhooks",
    load: |files| load_policy(files, RULE.file(), parse),
};

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

#[derive(Clone, Debug)]
pub struct Endpoint {
    pub method: String,
    pub path: String,
    pub responses: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct Webhook {
    pub method: String,
    pub path: String,
    pub signature_header: String,
}

#[derive(Clone, Debug)]
pub struct Services {
    pub documents: Vec<String>,
    pub endpoints: Vec<Endpoint>,
    pub webhooks: Vec<Webhook>,
    pub alerts: Option<alerts::Alerts>,
}

pub fn parse(r: &mut Reader, root: &Node) -> Option<Services> {
    let fields = r.fields(
        root,
        "the services policy",
        &["documents", "endpoints", "webhooks", "alerts"],
    )?;
    let Some(documents) = fields
        .get("documents")
        .and_then(|n| r.names(n, "documents"))
    else {
        if fields.get("documents").is_none() {
            r.error(
                root.span,
                "the services policy needs `documents`: the OpenAPI files to check",
            );
        }
        return None;
    };
    let mut endpoints = Vec::new();
    for item in list(r, fields.get("endpoints"), "endpoints") {
        let Some(f) = r.fields(item, "an endpoint", &["method", "path", "responses"]) else {
            continue;
        };
        let Some((method, path)) = operation(r, item, f.get("method"), f.get("path")) else {
            continue;
        };
        let responses = match f.get("responses") {
            Some(n) => r
                .names(n, "responses")
                .unwrap_or_default()
                .into_iter()
                .map(|n| n.name)
                .collect(),
            None => Vec::new(),
        };
        endpoints.push(Endpoint {
            method,
            path,
            responses,
        });
    }
    let mut webhooks = Vec::new();
    for item in list(r, fields.get("webhooks"), "webhooks") {
        let Some(f) = r.fields(item, "a webhook", &["method", "path", "signature-header"]) else {
            continue;
        };
        let Some((method, path)) = operation(r, item, f.get("method"), f.get("path")) else {
            continue;
        };
        let Some(signature_header) = f
            .get("signature-header")
            .and_then(|n| r.string(n, "signature-header"))
        else {
            if f.get("signature-header").is_none() {
                r.error(
                    item.span,
                    "a webhook needs `signature-header`: the header carrying its HMAC signature",
                );
            }
            continue;
        };
        webhooks.push(Webhook {
            method,
            path,
            signature_header,
        });
    }
    let alerts = fields.get("alerts").and_then(|node| {
        let f = r.fields(node, "`alerts`", &["rules", "metric-prefix"])?;
        let Some(rules) = f.get("rules").and_then(|n| r.names(n, "rules")) else {
            if f.get("rules").is_none() {
                r.error(
                    node.span,
                    "`alerts` needs `rules`: the Prometheus rule files to check",
                );
            }
            return None;
        };
        let prefix = match f.get("metric-prefix") {
            Some(n) => r.string(n, "metric-prefix")?,
            None => "cave_".to_string(),
        };
        Some(alerts::Alerts {
            rules: rules.into_iter().map(|n| n.name).collect(),
            prefix,
        })
    });
    Some(Services {
        documents: documents.into_iter().map(|n| n.name).collect(),
        endpoints,
        webhooks,
        alerts,
    })
}

fn list<'n>(r: &mut Reader, node: Option<&'n Node>, key: &str) -> &'n [Node] {
    match node {
        None => &[],
        Some(n) => n.seq().unwrap_or_else(|| {
            r.type_error(n, key, "a list");
            &[]
        }),
    }
}

/// The `method` (lower-cased, one of OpenAPI's) and `path` of an entry.
fn operation(
    r: &mut Reader,
    item: &Node,
    method: Option<&Node>,
    path: Option<&Node>,
) -> Option<(String, String)> {
    let (Some(method_node), Some(path_node)) = (method, path) else {
        r.error(item.span, "an entry needs `method` and `path`");
        return None;
    };
    let method = r.string(method_node, "method")?.to_lowercase();
    if !METHODS.contains(&method.as_str()) {
        r.error(
            method_node.span,
            format!("`{method}` is not an HTTP method"),
        )
        .hint = Some(format!("methods: {}", METHODS.join(", ")));
        return None;
    }
    let path = r.string(path_node, "path")?;
    if !path.starts_with('/') {
        r.error(
            path_node.span,
            format!("`{path}` is not a path (it must start with `/`)"),
        );
        return None;
    }
    Some((method, path))
}

impl Policy for Services {
    fn check(&self, ctx: &Context) -> Vec<Finding> {
        let mut findings = Vec::new();
        let mut exposed = std::collections::BTreeSet::new();
        for document in &self.documents {
            let (src, root) = match super::yaml_source(ctx, "services/document", document) {
                Ok(parsed) => parsed,
                Err(finding) => {
                    findings.push(finding);
                    continue;
                }
            };
            let doc = Document {
                src: &src,
                root: &root,
            };
            for endpoint in &self.endpoints {
                findings.extend(doc.endpoint(endpoint));
            }
            for webhook in &self.webhooks {
                findings.extend(doc.webhook(webhook));
            }
            exposed.extend(alerts::catalogue(&root));
        }
        if let Some(alerts) = &self.alerts {
            findings.extend(alerts::check(ctx, alerts, &exposed));
        }
        findings
    }
}

struct Document<'a> {
    src: &'a SourceFile,
    root: &'a Node,
}

impl Document<'_> {
    /// The operation, or the finding that it is missing (at the path, or at `paths`).
    fn operation(&self, rule: &str, method: &str, path: &str) -> Result<&Node, Finding> {
        let upper = method.to_uppercase();
        let paths = self.root.get("paths");
        let item = paths.and_then(|p| p.get(path));
        match (item, item.and_then(|i| i.get(method))) {
            (_, Some(op)) => Ok(op),
            (Some(_), None) => Err(self.finding(
                rule,
                key_span(paths.unwrap(), path),
                format!("{path} has no {upper} operation"),
            )),
            (None, None) => Err(self.finding(
                rule,
                key_span(self.root, "paths"),
                format!("{upper} {path} is not declared"),
            )),
        }
    }

    fn endpoint(&self, endpoint: &Endpoint) -> Vec<Finding> {
        let rule = "services/endpoint";
        let op = match self.operation(rule, &endpoint.method, &endpoint.path) {
            Ok(op) => op,
            Err(finding) => return vec![finding],
        };
        let responses = op.get("responses");
        let at = responses.map_or(op.span, |_| key_span(op, "responses"));
        let upper = endpoint.method.to_uppercase();
        endpoint
            .responses
            .iter()
            .filter(|code| responses.and_then(|r| r.get(code)).is_none())
            .map(|code| {
                self.finding(
                    rule,
                    at,
                    format!(
                        "{upper} {} does not declare the {code} response",
                        endpoint.path
                    ),
                )
            })
            .collect()
    }

    fn webhook(&self, webhook: &Webhook) -> Vec<Finding> {
        let rule = "services/webhook-signature";
        let op = match self.operation(rule, &webhook.method, &webhook.path) {
            Ok(op) => op,
            Err(finding) => return vec![finding],
        };
        let header = webhook.signature_header.to_lowercase();
        let in_parameters = op
            .get("parameters")
            .and_then(Node::seq)
            .unwrap_or_default()
            .iter()
            .any(|p| {
                let p = self.resolve(p);
                p.get("in").and_then(Node::scalar) == Some("header")
                    && p.get("name")
                        .and_then(Node::scalar)
                        .is_some_and(|n| n.to_lowercase() == header)
            });
        let security = op.get("security").or_else(|| self.root.get("security"));
        let schemes = self
            .root
            .get("components")
            .and_then(|c| c.get("securitySchemes"));
        let in_security = security
            .and_then(Node::seq)
            .unwrap_or_default()
            .iter()
            .flat_map(|req| req.map().unwrap_or_default())
            .any(|(name, _)| {
                let scheme = name.scalar().and_then(|n| schemes?.get(n));
                scheme.is_some_and(|s| {
                    s.get("type").and_then(Node::scalar) == Some("apiKey")
                        && s.get("in").and_then(Node::scalar) == Some("header")
                        && s.get("name")
                            .and_then(Node::scalar)
                            .is_some_and(|n| n.to_lowercase() == header)
                })
            });
        if in_parameters || in_security {
            return Vec::new();
        }
        let upper = webhook.method.to_uppercase();
        let message = format!(
            "{upper} {} does not declare its signature header {}",
            webhook.path, webhook.signature_header
        );
        let hint = format!(
            "add a required header parameter `{}`, or an apiKey security scheme in: header with that name",
            webhook.signature_header
        );
        vec![Finding::new(
            rule,
            self.src
                .error(
                    key_span(self.root.get("paths").unwrap(), &webhook.path),
                    message,
                )
                .with_hint(hint),
        )]
    }

    /// A `$ref` to `#/components/...` resolved within the document (one level).
    fn resolve<'n>(&'n self, node: &'n Node) -> &'n Node {
        let target = node
            .get("$ref")
            .and_then(Node::scalar)
            .and_then(|r| r.strip_prefix("#/"));
        target
            .and_then(|t| t.split('/').try_fold(self.root, |n, key| n.get(key)))
            .unwrap_or(node)
    }

    fn finding(&self, rule: &str, span: Span, message: String) -> Finding {
        Finding::new(rule, self.src.error(span, message))
    }
}

/// Where the key `key` of a mapping is written (the mapping itself when it is not there).
fn key_span(map: &Node, key: &str) -> Span {
    map.map()
        .unwrap_or_default()
        .iter()
        .find(|(k, _)| k.scalar() == Some(key))
        .map_or(map.span, |(k, _)| k.span)
}
