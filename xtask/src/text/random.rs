//! Unpredictable bytes and tokens (heredoc delimiters, command-stop tokens, key material)
//! from the operating system's generator.

/// `N` bytes from the operating system's random number generator.
pub fn bytes<const N: usize>() -> Result<[u8; N], getrandom::Error> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)?;
    Ok(bytes)
}

/// 32 hex characters of randomness; falls back to time and pid where the generator fails
/// (a delimiter must exist, even a guessable one).
pub fn token() -> String {
    let bytes = bytes::<16>().unwrap_or_else(|_| {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos();
        (nanos ^ (u128::from(std::process::id()) << 64)).to_le_bytes()
    });
    xtask_inputs::digest::hex(&bytes)
}
