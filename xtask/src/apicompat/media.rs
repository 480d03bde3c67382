//! Media-type matching (RFC 6838 / RFC 9110): parameters do not change what a media type is,
//! `*/*` and `type/*` cover their members, and a structured-syntax suffix (`+json`) makes
//! `application/problem+json` a kind of `application/json`. A request may accept a more
//! general media type than before, a response return a more specific one.

/// How a revision media type stands for a base one.
#[derive(Debug, PartialEq)]
pub enum Match {
    Exact,
    /// The same type and subtype, other parameters.
    Parameters,
    /// More general (requests) or more specific (responses).
    Compatible,
}

/// `type/subtype`, lowercased, without parameters.
fn essence(media: &str) -> String {
    media
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// Whether every value of `specific` is also a `general` value.
fn covers(general: &str, specific: &str) -> bool {
    let (general, specific) = (essence(general), essence(specific));
    let split = |m: &str| -> (String, String) {
        let (t, s) = m.split_once('/').unwrap_or((m, ""));
        (t.to_owned(), s.to_owned())
    };
    let ((g_type, g_sub), (s_type, s_sub)) = (split(&general), split(&specific));
    if general == "*/*" || general == specific {
        return true;
    }
    if g_type != s_type {
        return false;
    }
    g_sub == "*"
        || (!g_sub.contains('+')
            && s_sub
                .rsplit_once('+')
                .is_some_and(|(_, suffix)| suffix == g_sub))
}

/// The revision media type standing for `base`, best match first.
pub fn find<'a>(base: &str, revision: &[&'a str], request: bool) -> Option<(&'a str, Match)> {
    let mut revision = revision.iter().copied();
    if let Some(m) = revision.clone().find(|m| *m == base) {
        return Some((m, Match::Exact));
    }
    if let Some(m) = revision.clone().find(|m| essence(m) == essence(base)) {
        return Some((m, Match::Parameters));
    }
    let compatible = |m: &&str| {
        if request {
            covers(m, base)
        } else {
            covers(base, m)
        }
    };
    revision.find(compatible).map(|m| (m, Match::Compatible))
}

#[cfg(test)]
mod tests {
    use super::{Match, find};

    #[test]
    fn media_types_match_by_the_rules() {
        let rev = ["application/json; charset=utf-8", "application/*"];
        assert_eq!(
            find("application/json", &rev, false),
            Some(("application/json; charset=utf-8", Match::Parameters))
        );
        assert_eq!(
            find("application/xml", &rev, true),
            Some(("application/*", Match::Compatible))
        );
        assert_eq!(find("application/xml", &rev, false), None);
        let problem = ["application/problem+json"];
        assert_eq!(
            find("application/json", &problem, false),
            Some(("application/problem+json", Match::Compatible))
        );
        assert_eq!(find("application/json", &problem, true), None);
        assert_eq!(
            find("application/problem+json", &["application/json"], true),
            Some(("application/json", Match::Compatible))
        );
        assert_eq!(
            find("text/plain", &["*/*"], true).map(|m| m.1),
            Some(Match::Compatible)
        );
    }
}
