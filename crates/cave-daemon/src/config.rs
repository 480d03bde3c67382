//! The platform settings the daemon reports as metrics, so alert rules can check them: the
//! environment, the OpenTelemetry sampling rate and the sandbox limits, read from the same
//! variables as `config/<environment>.env` (`CAVE_ENVIRONMENT`, `CAVE_OTEL_SAMPLING_RATE`,
//! `CAVE_SANDBOX_*`), and where traces go (`CAVE_OTEL_ENDPOINT`). A malformed value is an
//! error naming the variable.

use anyhow::bail;

/// The sandbox limit variables, the `resource` label each becomes, and its unit.
pub const SANDBOX: [(&str, &str, Unit); 4] = [
    ("CAVE_SANDBOX_VCPUS", "vcpus", Unit::Count),
    ("CAVE_SANDBOX_MEMORY", "memory_bytes", Unit::Bytes),
    ("CAVE_SANDBOX_TIMEOUT", "timeout_seconds", Unit::Seconds),
    ("CAVE_SANDBOX_DISK", "disk_bytes", Unit::Bytes),
];

#[derive(Clone, Copy, Debug)]
pub enum Unit {
    Count,
    Bytes,
    Seconds,
}

#[derive(Debug, Default, PartialEq)]
pub struct Settings {
    pub environment: Option<String>,
    pub sampling: Option<f64>,
    /// (resource label, value in base units).
    pub sandbox: Vec<(&'static str, f64)>,
    /// The OTLP/HTTP collector traces are exported to.
    pub otel_endpoint: Option<crate::otel::Endpoint>,
}

/// Reads the settings through `var` (the process environment in the daemon).
pub fn read(var: impl Fn(&str) -> Option<String>) -> anyhow::Result<Settings> {
    let mut settings = Settings {
        environment: var("CAVE_ENVIRONMENT").filter(|e| !e.is_empty()),
        ..Settings::default()
    };
    if let Some(text) = var("CAVE_OTEL_SAMPLING_RATE") {
        match text.trim().parse::<f64>() {
            Ok(rate) if (0.0..=1.0).contains(&rate) => settings.sampling = Some(rate),
            _ => bail!(
                "CAVE_OTEL_SAMPLING_RATE is `{text}`: expected a ratio from 0 to 1, such as 0.1"
            ),
        }
    }
    if let Some(url) = var("CAVE_OTEL_ENDPOINT").filter(|u| !u.is_empty()) {
        match crate::otel::Endpoint::parse(url.trim()) {
            Ok(endpoint) => settings.otel_endpoint = Some(endpoint),
            Err(why) => bail!("CAVE_OTEL_ENDPOINT is `{url}`: {why}"),
        }
    }
    for (name, resource, unit) in SANDBOX {
        if let Some(text) = var(name) {
            settings.sandbox.push((resource, parse(name, &text, unit)?));
        }
    }
    Ok(settings)
}

fn parse(name: &str, text: &str, unit: Unit) -> anyhow::Result<f64> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, suffix) = t.split_at(split);
    let factor = match (unit, suffix) {
        (Unit::Count, "") | (Unit::Bytes, "" | "B") | (Unit::Seconds, "" | "s") => Some(1.0),
        (Unit::Bytes, "KiB") => Some(1024.0),
        (Unit::Bytes, "MiB") => Some(1024.0 * 1024.0),
        (Unit::Bytes, "GiB") => Some(1024.0 * 1024.0 * 1024.0),
        (Unit::Seconds, "m") => Some(60.0),
        (Unit::Seconds, "h") => Some(3600.0),
        _ => None,
    };
    match (number.parse::<f64>(), factor) {
        (Ok(n), Some(factor)) if n.is_finite() && n > 0.0 => Ok(n * factor),
        _ => {
            let expected = match unit {
                Unit::Count => "a positive number, such as 2",
                Unit::Bytes => "a size such as 1GiB, 512MiB or 1048576",
                Unit::Seconds => "a duration such as 120s, 2m or 1h",
            };
            bail!("{name} is `{text}`: expected {expected}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: std::collections::HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn the_committed_production_settings_read_in_base_units() {
        let text = include_str!("../../../config/production.env");
        let pairs: Vec<(&str, &str)> = text
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once('='))
            .collect();
        let settings = read(vars(&pairs)).unwrap();
        assert_eq!(settings.environment.as_deref(), Some("production"));
        assert_eq!(settings.sampling, Some(0.1));
        assert_eq!(
            settings.sandbox,
            [
                ("vcpus", 2.0),
                ("memory_bytes", 1073741824.0),
                ("timeout_seconds", 120.0),
                ("disk_bytes", 1073741824.0)
            ]
        );
    }

    #[test]
    fn malformed_values_name_their_variable() {
        let err = read(vars(&[("CAVE_SANDBOX_MEMORY", "1GB")])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "CAVE_SANDBOX_MEMORY is `1GB`: expected a size such as 1GiB, 512MiB or 1048576"
        );
        let err = read(vars(&[("CAVE_OTEL_SAMPLING_RATE", "2")])).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("CAVE_OTEL_SAMPLING_RATE is `2`")
        );
        let err = read(vars(&[("CAVE_SANDBOX_TIMEOUT", "-5s")])).unwrap_err();
        assert!(err.to_string().contains("a duration such as 120s"));
    }
}
