//! The YAML parser's events for a whole document, collected here so the parser is
//! instantiated (and optimised) in this crate.

pub use saphyr_parser::{Event, Marker, ScalarStyle, ScanError, Span};

/// The events of `text` with their spans, up to the first scanning error.
pub fn events(text: &str) -> Result<Vec<(Event<'_>, Span)>, ScanError> {
    saphyr_parser::Parser::new_from_str(text).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_come_with_their_spans_and_errors_with_their_position() {
        let events = events("a: [1, 'two']\n").unwrap();
        let scalars: Vec<(&str, ScalarStyle, usize)> = events
            .iter()
            .filter_map(|(event, span)| match event {
                Event::Scalar(text, style, ..) => Some((text.as_ref(), *style, span.start.col())),
                _ => None,
            })
            .collect();
        assert_eq!(
            scalars,
            [
                ("a", ScalarStyle::Plain, 0),
                ("1", ScalarStyle::Plain, 4),
                ("two", ScalarStyle::SingleQuoted, 7)
            ]
        );
        let error = super::events("a: [1,\n").unwrap_err();
        assert_eq!(error.marker().line(), 2);
    }
}
