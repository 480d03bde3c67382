//! The deprecation policy: an operation, parameter or property is removed only after it was
//! marked `deprecated: true`, and not before its `x-sunset` date (`YYYY-MM-DD`, or an RFC 3339
//! date-time). With `deprecation.min_days` in `policies/api-compat.yaml`, a newly deprecated
//! element needs an `x-sunset` at least that many days ahead, and one deprecated without a
//! sunset may not be removed at all.

use super::Compare;
use super::doc::{Doc, Loc};
use crate::yaml::Node;

/// How removing something is judged, from what the base said of it.
pub(super) enum Removal {
    /// Not deprecated first: the caller's own rule applies.
    Unannounced,
    /// Deprecated, but the sunset (or the policy's minimum) has not passed; why.
    BeforeSunset(String),
    /// Deprecated, and its sunset (if any) has passed.
    AfterSunset,
}

/// The day a sunset names, in days since 1970-01-01; `Err` with what is wrong.
fn sunset_day(node: &Node) -> Result<i64, String> {
    let text = node.scalar().unwrap_or_default();
    let date = text.get(..10).unwrap_or(text);
    let part = |range: std::ops::Range<usize>| date.get(range).and_then(|p| p.parse::<u32>().ok());
    match (date.len(), date.as_bytes().get(4), date.as_bytes().get(7)) {
        (10, Some(b'-'), Some(b'-')) => {}
        _ => return Err(format!("`x-sunset: {text}` is not a date (YYYY-MM-DD)")),
    }
    let (Some(y), Some(m), Some(d)) = (part(0..4), part(5..7), part(8..10)) else {
        return Err(format!("`x-sunset: {text}` is not a date (YYYY-MM-DD)"));
    };
    let day = crate::text::time::days_from_civil(i64::from(y), m, d);
    if m == 0 || m > 12 || d == 0 || crate::text::time::civil_from_days(day) != (i64::from(y), m, d)
    {
        return Err(format!("`x-sunset: {text}` is not a day of the calendar"));
    }
    Ok(day)
}

fn deprecated(node: &Node) -> bool {
    node.get("deprecated").and_then(Node::boolean) == Some(true)
}

impl Compare<'_> {
    /// The sunset of `owner` in `doc`, a malformed one reported at its line.
    fn sunset(&mut self, doc: &Doc, owner: &Node) -> Option<i64> {
        let node = owner.get("x-sunset")?;
        match sunset_day(node) {
            Ok(day) => Some(day),
            Err(message) => {
                let hint = "write the sunset as a date, e.g. `x-sunset: 2027-06-30`";
                self.errors.push(doc.error(node, message).with_hint(hint));
                None
            }
        }
    }

    /// Judges the removal of `owner` (an operation, a parameter or a property's schema in
    /// the base document).
    pub(super) fn removal(&mut self, owner: &Node) -> Removal {
        if !deprecated(owner) {
            return Removal::Unannounced;
        }
        let show = |day: i64| {
            let (y, m, d) = crate::text::time::civil_from_days(day);
            format!("{y:04}-{m:02}-{d:02}")
        };
        match (self.sunset(self.base, owner), self.options.min_days) {
            (Some(day), _) if self.options.today < day => {
                Removal::BeforeSunset(format!("its sunset is {}", show(day)))
            }
            (None, Some(min)) => Removal::BeforeSunset(format!(
                "it was deprecated without an `x-sunset`, and the deprecation policy asks for {min} days"
            )),
            _ => Removal::AfterSunset,
        }
    }

    /// Reports a removal `removal` judged (not an unannounced one: the caller's rule).
    pub(super) fn judge_removal(
        &mut self,
        removal: Removal,
        what: &str,
        base: Option<Loc>,
        rev: Option<Loc>,
    ) {
        match removal {
            Removal::BeforeSunset(why) => {
                let message = format!("{what} was removed before its sunset: {why}");
                self.emit("removed-before-sunset", message, base, rev);
            }
            Removal::AfterSunset => {
                let message = format!("{what} was removed after its deprecation");
                self.emit("deprecated-removed", message, base, rev);
            }
            Removal::Unannounced => {}
        }
    }

    /// Under a `deprecation.min_days` policy, an element deprecated in this revision needs a
    /// sunset at least that far ahead.
    pub(super) fn deprecation_added(
        &mut self,
        what: &str,
        (b, b_loc): (&Node, &Loc),
        (r, r_loc): (&Node, &Loc),
    ) {
        let Some(min) = self.options.min_days else {
            return;
        };
        if deprecated(b) || !deprecated(r) {
            return;
        }
        let earliest = self.options.today + i64::from(min);
        let message = match self.sunset(self.rev, r) {
            Some(day) if day >= earliest => return,
            Some(day) => format!(
                "{what} is deprecated with a sunset {} days away; the deprecation policy asks for at least {min}",
                day - self.options.today
            ),
            None => format!(
                "{what} is deprecated without an `x-sunset`; the deprecation policy asks for one at least {min} days ahead"
            ),
        };
        self.emit(
            "sunset-too-soon",
            message,
            Some(b_loc.clone()),
            Some(r_loc.clone()),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::sunset_day;
    use crate::yaml::{Node, Value};

    fn scalar(text: &str) -> Node {
        Node {
            value: Value::Scalar {
                text: text.into(),
                quoted: false,
            },
            span: Default::default(),
        }
    }

    #[test]
    fn sunsets_are_calendar_days() {
        assert_eq!(sunset_day(&scalar("1970-01-02")), Ok(1));
        assert_eq!(sunset_day(&scalar("2027-06-30T00:00:00Z")), Ok(20_999));
        assert_eq!(
            sunset_day(&scalar("2027-02-30")),
            Err("`x-sunset: 2027-02-30` is not a day of the calendar".into())
        );
        assert_eq!(
            sunset_day(&scalar("next year")),
            Err("`x-sunset: next year` is not a date (YYYY-MM-DD)".into())
        );
    }
}
