//! Request bodies, responses (statuses and headers) and their media types, matched by
//! media-type rules, with the schema of each. In a webhook the body is what the API sends
//! and the response what it reads, so their directions are swapped.

use super::Compare;
use super::doc::{Loc, entries, escape};
use super::media::{self, Match};
use super::walk::{EMPTY, Role, key_loc};
use crate::yaml::Node;

fn required(node: &Node) -> bool {
    node.get("required")
        .and_then(Node::boolean)
        .unwrap_or(false)
}

impl<'d> Compare<'d> {
    pub(super) fn request_body(
        &mut self,
        op: &str,
        role: Role,
        (b_op, b_ptr): (&'d Node, String),
        (r_op, r_ptr): (&'d Node, String),
    ) {
        let b = match b_op.get("requestBody") {
            Some(n) => self.resolve_base(n, format!("{b_ptr}/requestBody")),
            None => None,
        };
        let r = match r_op.get("requestBody") {
            Some(n) => self.resolve_rev(n, format!("{r_ptr}/requestBody")),
            None => None,
        };
        let path = role == Role::Path;
        match (b, r) {
            (None, Some((r, ptr))) if path => {
                let (rule, note) = if required(r) {
                    ("request-body-added-required", " and required")
                } else {
                    ("request-body-added", "")
                };
                let at = (Some(Loc::of(&b_ptr, b_op)), Some(Loc::of(&ptr, r)));
                self.emit(
                    rule,
                    format!("{op}: a request body is new{note}"),
                    at.0,
                    at.1,
                );
            }
            (Some((b, b_ptr)), Some((r, r_ptr))) => {
                if path && !required(b) && required(r) {
                    let at = (Some(Loc::of(&b_ptr, b)), Some(Loc::of(&r_ptr, r)));
                    let message = format!("{op}: the request body became required");
                    self.emit("request-body-became-required", message, at.0, at.1);
                }
                self.content(path, &format!("{op} request body"), (b, b_ptr), (r, r_ptr));
            }
            (Some((b, b_body_ptr)), None) if path => {
                let at = (Some(Loc::of(&b_body_ptr, b)), Some(Loc::of(&r_ptr, r_op)));
                let message =
                    format!("{op}: the request body is no longer declared; clients still send it");
                self.emit("request-body-removed", message, at.0, at.1);
            }
            _ => {}
        }
    }

    pub(super) fn responses(
        &mut self,
        op: &str,
        role: Role,
        (b_op, b_ptr): (&'d Node, String),
        (r_op, r_ptr): (&'d Node, String),
    ) {
        let path = role == Role::Path;
        let b_responses = b_op.get("responses").unwrap_or(&EMPTY);
        let r_responses = r_op.get("responses").unwrap_or(&EMPTY);
        let r_loc = key_loc(r_op, "responses", &r_ptr);
        for (status, key, response) in entries(b_responses) {
            let b_resp_ptr = format!("{b_ptr}/responses/{}", escape(status));
            match entries(r_responses).find(|(s, _, _)| *s == status) {
                None if path => self.emit(
                    "response-status-removed",
                    format!("{op}: response {status} was removed"),
                    Some(Loc::of(&b_resp_ptr, key)),
                    Some(r_loc.clone()),
                ),
                None => {}
                Some((_, _, r_response)) => {
                    let r_resp_ptr = format!("{r_ptr}/responses/{}", escape(status));
                    let (Some(b), Some(r)) = (
                        self.resolve_base(response, b_resp_ptr),
                        self.resolve_rev(r_response, r_resp_ptr),
                    ) else {
                        continue;
                    };
                    let what = format!("{op} response {status}");
                    if path {
                        self.headers(&what, b.clone(), r.clone());
                    }
                    self.content(!path, &what, b, r);
                }
            }
        }
        let added = entries(r_responses).filter(|(s, _, _)| b_responses.get(s).is_none());
        for (status, key, _) in added.filter(|_| path) {
            let ptr = format!("{r_ptr}/responses/{}", escape(status));
            let message = format!("{op}: response {status} is new");
            self.emit(
                "response-status-added",
                message,
                None,
                Some(Loc::of(&ptr, key)),
            );
        }
    }

    /// Response headers (names case-insensitive): what clients read must stay.
    fn headers(
        &mut self,
        what: &str,
        (b, b_ptr): (&'d Node, String),
        (r, r_ptr): (&'d Node, String),
    ) {
        let b_headers = b.get("headers").unwrap_or(&EMPTY);
        let r_headers = r.get("headers").unwrap_or(&EMPTY);
        for (name, key, header) in entries(b_headers) {
            let b_at = format!("{b_ptr}/headers/{}", escape(name));
            let Some((b_header, b_header_ptr)) = self.resolve_base(header, b_at.clone()) else {
                continue;
            };
            let label = format!("{what}: header `{name}`");
            match entries(r_headers).find(|(n, _, _)| n.eq_ignore_ascii_case(name)) {
                None => {
                    let rule = if required(b_header) {
                        "response-header-removed"
                    } else {
                        "response-optional-header-removed"
                    };
                    let at = (
                        Some(Loc::of(&b_at, key)),
                        Some(key_loc(r, "headers", &r_ptr)),
                    );
                    self.emit(rule, format!("{label} was removed"), at.0, at.1);
                }
                Some((r_name, r_key, r_header)) => {
                    let r_at = format!("{r_ptr}/headers/{}", escape(r_name));
                    let Some((r_header, r_header_ptr)) = self.resolve_rev(r_header, r_at.clone())
                    else {
                        continue;
                    };
                    if required(b_header) && !required(r_header) {
                        let at = (Some(Loc::of(&b_at, key)), Some(Loc::of(&r_at, r_key)));
                        self.emit(
                            "response-header-became-optional",
                            format!("{label} became optional"),
                            at.0,
                            at.1,
                        );
                    }
                    if let (Some(bs), Some(rs)) = (b_header.get("schema"), r_header.get("schema")) {
                        let schemas = (
                            (bs, format!("{b_header_ptr}/schema")),
                            (rs, format!("{r_header_ptr}/schema")),
                        );
                        self.schema(false, &label, schemas.0, schemas.1);
                    }
                }
            }
        }
        let added = entries(r_headers)
            .filter(|(n, _, _)| !entries(b_headers).any(|(b, _, _)| b.eq_ignore_ascii_case(n)));
        for (name, key, _) in added {
            let at = Loc::of(&format!("{r_ptr}/headers/{}", escape(name)), key);
            self.emit(
                "response-header-added",
                format!("{what}: header `{name}` is new"),
                None,
                Some(at),
            );
        }
    }

    /// The media types of a request body or response, and their schemas.
    fn content(
        &mut self,
        request: bool,
        what: &str,
        (b, b_ptr): (&'d Node, String),
        (r, r_ptr): (&'d Node, String),
    ) {
        let b_content = b.get("content").unwrap_or(&EMPTY);
        let r_content = r.get("content").unwrap_or(&EMPTY);
        let side = if request { "request" } else { "response" };
        let mut matched: Vec<&str> = Vec::new();
        let names: Vec<&str> = entries(r_content).map(|(m, _, _)| m).collect();
        for (media, key, b_media) in entries(b_content) {
            let b_media_ptr = format!("{b_ptr}/content/{}", escape(media));
            let b_at = || Loc::of(&b_media_ptr, key);
            let Some((r_name, how)) = media::find(media, &names, request) else {
                let rule = if request {
                    "request-content-type-removed"
                } else {
                    "response-content-type-removed"
                };
                let r_at = || key_loc(r, "content", &r_ptr);
                self.emit(
                    rule,
                    format!("{what}: {media} was removed"),
                    Some(b_at()),
                    Some(r_at()),
                );
                continue;
            };
            matched.push(r_name);
            let (_, r_key, r_media) = entries(r_content)
                .find(|(m, _, _)| *m == r_name)
                .expect("found");
            let r_media_ptr = format!("{r_ptr}/content/{}", escape(r_name));
            let r_at = || Loc::of(&r_media_ptr, r_key);
            match how {
                Match::Exact => {}
                Match::Parameters => {
                    let message = format!("{what}: {media} is {r_name} now");
                    self.emit(
                        "media-type-parameters-changed",
                        message,
                        Some(b_at()),
                        Some(r_at()),
                    );
                }
                Match::Compatible => {
                    let message = format!(
                        "{what}: {media} is {r_name} now, which {side}s of {media} still match"
                    );
                    self.emit("media-type-compatible", message, Some(b_at()), Some(r_at()));
                }
            }
            let label = format!("{what} ({media})");
            match (b_media.get("schema"), r_media.get("schema"), request) {
                (Some(bs), Some(rs), _) => self.schema(
                    request,
                    &label,
                    (bs, format!("{b_media_ptr}/schema")),
                    (rs, format!("{r_media_ptr}/schema")),
                ),
                (None, Some(_), true) => {
                    let message = format!(
                        "{label}: has a schema now; bodies that do not match it are refused"
                    );
                    self.emit(
                        "request-media-schema-added",
                        message,
                        Some(b_at()),
                        Some(r_at()),
                    );
                }
                (Some(_), None, false) => {
                    let message = format!(
                        "{label}: has no schema any more; clients cannot rely on its shape"
                    );
                    self.emit(
                        "response-media-schema-removed",
                        message,
                        Some(b_at()),
                        Some(r_at()),
                    );
                }
                _ => {}
            }
        }
        for (media, key, _) in entries(r_content).filter(|(m, _, _)| !matched.contains(m)) {
            let ptr = format!("{r_ptr}/content/{}", escape(media));
            let rule = if request {
                "request-content-type-added"
            } else {
                "response-content-type-added"
            };
            self.emit(
                rule,
                format!("{what}: {media} is new ({side})"),
                None,
                Some(Loc::of(&ptr, key)),
            );
        }
    }
}
