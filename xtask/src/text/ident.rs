//! Names users give things: pipelines, step ids, environment variables.

/// A non-empty name whose first character passes `first` and the rest pass `rest`.
pub fn is_name(name: &str, first: fn(char) -> bool, rest: fn(char) -> bool) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(first) && chars.all(rest)
}

pub fn is_env_name(name: &str) -> bool {
    is_name(
        name,
        |c| c.is_ascii_alphabetic() || c == '_',
        |c| c.is_ascii_alphanumeric() || c == '_',
    )
}

pub fn is_pipeline_name(name: &str) -> bool {
    is_name(
        name,
        |c| c.is_ascii_alphanumeric(),
        |c| c.is_ascii_alphanumeric() || c == '-' || c == '_',
    )
}

pub fn is_step_id(name: &str) -> bool {
    is_name(
        name,
        |c| c.is_ascii_alphanumeric(),
        |c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(
            is_env_name("COSIGN_KEY_B64")
                && is_env_name("_x")
                && !is_env_name("1A")
                && !is_env_name("A-B")
        );
        assert!(
            is_pipeline_name("api-schema") && !is_pipeline_name("-x") && !is_pipeline_name("a.b")
        );
        assert!(is_step_id("v1.2") && !is_step_id("a/b") && !is_step_id(""));
    }
}
