//! Durations as written in pipeline files: `500ms`, `30s`, `5m`, `1h30m`.

use std::time::Duration;

/// A step timeout: at most 31 days.
pub fn parse(text: &str) -> Result<Duration, String> {
    parse_within(text, Duration::from_secs(31 * 24 * 3600), "31 days")
}

/// An age in a policy (`90d`, `1h`): at most ten years.
pub fn parse_age(text: &str) -> Result<Duration, String> {
    parse_within(text, Duration::from_secs(10 * 366 * 24 * 3600), "ten years")
}

fn parse_within(text: &str, max: Duration, max_text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("a duration is empty".into());
    }
    let mut total = Duration::ZERO;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return Err(format!("`{text}` is not a duration"));
        }
        let value: u64 = rest[..digits]
            .parse()
            .map_err(|_| format!("`{text}` is too large"))?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit = match &rest[..unit_len] {
            "ms" => Duration::from_millis(value),
            "s" => Duration::from_secs(value),
            "m" => Duration::from_secs(value.saturating_mul(60)),
            "h" => Duration::from_secs(value.saturating_mul(3600)),
            "d" => Duration::from_secs(value.saturating_mul(86_400)),
            "" => return Err(format!("`{text}` has no unit")),
            other => return Err(format!("`{other}` is not a duration unit")),
        };
        total += unit;
        rest = &rest[unit_len..];
    }
    if total > max {
        return Err(format!("`{text}` is longer than {max_text}"));
    }
    if total.is_zero() {
        return Err("a duration of zero would stop the step at once".into());
    }
    Ok(total)
}

/// Short human form for reports: `850ms`, `1.25s`, `2m05s`.
pub fn format(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        format!("{ms}ms")
    } else if ms < 60_000 && ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else if ms < 60_000 {
        format!("{:.2}s", d.as_secs_f64())
    } else {
        let secs = d.as_secs();
        format!("{}m{:02}s", secs / 60, secs % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units_and_combinations() {
        assert_eq!(parse("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse("2m5s"), Ok(Duration::from_secs(125)));
    }

    #[test]
    fn rejects_bad_durations() {
        assert_eq!(parse("30"), Err("`30` has no unit".into()));
        assert_eq!(
            parse("5 minutes"),
            Err("` minutes` is not a duration unit".into())
        );
        assert_eq!(parse("m5"), Err("`m5` is not a duration".into()));
        assert!(parse("0s").is_err());
        assert_eq!(
            parse("18446744073709551615h"),
            Err("`18446744073709551615h` is longer than 31 days".into())
        );
    }

    #[test]
    fn formats_for_humans() {
        assert_eq!(format(Duration::from_millis(850)), "850ms");
        assert_eq!(format(Duration::from_millis(1250)), "1.25s");
        assert_eq!(format(Duration::from_secs(5)), "5s");
        assert_eq!(format(Duration::from_secs(125)), "2m05s");
    }
}
