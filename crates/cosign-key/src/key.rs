//! cosign's encrypted private keys: a PEM block whose body is JSON naming the KDF (scrypt
//! with N, r, p and a salt), the cipher (nacl/secretbox with a nonce) and the ciphertext of
//! a PKCS#8 P-256 private key.

use crate::pem;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use crypto_secretbox::aead::{Aead, KeyInit};
use crypto_secretbox::{Nonce, XSalsa20Poly1305};
use p256::ecdsa::{SigningKey, VerifyingKey};
use p256::pkcs8::{
    DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding,
};
use serde::{Deserialize, Serialize};

/// The labels cosign writes (newer) and reads (both).
pub const SIGSTORE_LABEL: &str = "ENCRYPTED SIGSTORE PRIVATE KEY";
pub const COSIGN_LABEL: &str = "ENCRYPTED COSIGN PRIVATE KEY";

#[derive(Serialize, Deserialize)]
struct Encrypted {
    kdf: Kdf,
    cipher: Cipher,
    ciphertext: String,
}

#[derive(Serialize, Deserialize)]
struct Kdf {
    name: String,
    params: KdfParams,
    salt: String,
}

#[derive(Serialize, Deserialize)]
#[allow(non_snake_case)]
struct KdfParams {
    N: u64,
    r: u32,
    p: u32,
}

#[derive(Serialize, Deserialize)]
struct Cipher {
    name: String,
    nonce: String,
}

/// Why a key cannot be used; the messages never contain key material or the password.
#[derive(Debug, PartialEq, Eq)]
pub enum KeyError {
    NotPem,
    WrongLabel(String),
    Malformed(String),
    WrongPassword,
    NotPkcs8,
}

impl std::fmt::Display for KeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyError::NotPem => write!(f, "not a PEM key (no -----BEGIN ...----- block)"),
            KeyError::WrongLabel(label) => write!(
                f,
                "a PEM `{label}`, not an encrypted cosign key (`{SIGSTORE_LABEL}` or `{COSIGN_LABEL}`)"
            ),
            KeyError::Malformed(what) => write!(f, "a damaged or truncated cosign key: {what}"),
            KeyError::WrongPassword => write!(
                f,
                "the password does not decrypt the key (check COSIGN_PASSWORD)"
            ),
            KeyError::NotPkcs8 => {
                write!(
                    f,
                    "the key decrypts, but not to a PKCS#8 P-256 private key (cosign rejects such keys too)"
                )
            }
        }
    }
}

impl std::error::Error for KeyError {}

/// Decrypts an encrypted cosign/sigstore private key with `password` (empty is valid).
pub fn decrypt(pem_text: &str, password: &[u8]) -> Result<SigningKey, KeyError> {
    let (label, body) = pem::decode(pem_text)
        .ok_or(KeyError::NotPem)?
        .map_err(|what| KeyError::Malformed(what.into()))?;
    if label != SIGSTORE_LABEL && label != COSIGN_LABEL {
        return Err(KeyError::WrongLabel(label));
    }
    let malformed = |what: &str| KeyError::Malformed(what.to_owned());
    let encrypted: Encrypted =
        serde_json::from_slice(&body).map_err(|_| malformed("its body is not cosign's JSON"))?;
    if encrypted.kdf.name != "scrypt" || encrypted.cipher.name != "nacl/secretbox" {
        return Err(malformed("only scrypt with nacl/secretbox is supported"));
    }
    let KdfParams { N, r, p } = encrypted.kdf.params;
    if !N.is_power_of_two() || !(2..=1 << 22).contains(&N) {
        return Err(malformed("scrypt N must be a power of two up to 2^22"));
    }
    // scrypt needs 128·r·N bytes and p times the work: cosign writes N ≤ 65536, r = 8,
    // p = 1 (64 MiB). A key file must not make the engine allocate gigabytes.
    if u64::from(r) * 128 * N > 1 << 30 || !(1..=16).contains(&p) {
        return Err(malformed(
            "scrypt parameters beyond 1 GiB of memory or p > 16",
        ));
    }
    let params = scrypt::Params::new(N.trailing_zeros() as u8, r, p)
        .map_err(|_| malformed("invalid scrypt parameters"))?;
    let salt = STANDARD
        .decode(&encrypted.kdf.salt)
        .map_err(|_| malformed("the salt is not base64"))?;
    let nonce = STANDARD
        .decode(&encrypted.cipher.nonce)
        .map_err(|_| malformed("the nonce is not base64"))?;
    let ciphertext = STANDARD
        .decode(&encrypted.ciphertext)
        .map_err(|_| malformed("the ciphertext is not base64"))?;
    if nonce.len() != 24 {
        return Err(malformed("the nonce is not 24 bytes"));
    }
    let mut secret = [0u8; 32];
    scrypt::scrypt(password, &salt, &params, &mut secret)
        .map_err(|_| malformed("scrypt failed"))?;
    let cipher = XSalsa20Poly1305::new(&secret.into());
    let plaintext = cipher
        .decrypt(Nonce::from_slice(&nonce), ciphertext.as_slice())
        .map_err(|_| KeyError::WrongPassword)?;
    secret.fill(0);
    SigningKey::from_pkcs8_der(&plaintext).map_err(|_| KeyError::NotPkcs8)
}

/// Encrypts `key` the way current cosign does (`ENCRYPTED SIGSTORE PRIVATE KEY`, scrypt
/// N=65536, r=8, p=1).
pub fn encrypt(key: &SigningKey, password: &[u8]) -> String {
    let salt = random::<32>();
    let nonce = random::<24>();
    let params = scrypt::Params::new(16, 8, 1).expect("valid scrypt parameters");
    let mut secret = [0u8; 32];
    scrypt::scrypt(password, &salt, &params, &mut secret)
        .expect("32 bytes is a valid output length");
    let der = key.to_pkcs8_der().expect("a P-256 key encodes as PKCS#8");
    let cipher = XSalsa20Poly1305::new(&secret.into());
    let ciphertext = cipher
        .encrypt(Nonce::from_slice(&nonce), der.as_bytes())
        .expect("encryption cannot fail");
    secret.fill(0);
    let body = Encrypted {
        kdf: Kdf {
            name: "scrypt".into(),
            params: KdfParams {
                N: 65536,
                r: 8,
                p: 1,
            },
            salt: STANDARD.encode(salt),
        },
        cipher: Cipher {
            name: "nacl/secretbox".into(),
            nonce: STANDARD.encode(nonce),
        },
        ciphertext: STANDARD.encode(ciphertext),
    };
    pem::encode(
        SIGSTORE_LABEL,
        &serde_json::to_vec(&body).expect("plain data serialises"),
    )
}

/// A new random P-256 key.
pub fn generate() -> SigningKey {
    loop {
        if let Ok(key) = SigningKey::from_slice(&random::<32>()) {
            return key;
        }
    }
}

/// `-----BEGIN PUBLIC KEY-----` (SPKI), as in `cosign.pub`.
pub fn public_key_pem(key: &VerifyingKey) -> String {
    key.to_public_key_pem(LineEnding::LF)
        .expect("a P-256 key encodes as SPKI")
}

pub fn read_public_key(pem_text: &str) -> Result<VerifyingKey, String> {
    VerifyingKey::from_public_key_pem(pem_text.trim())
        .map_err(|_| "not a P-256 `PUBLIC KEY` PEM".to_string())
}

fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).expect("the operating system's random number generator works");
    bytes
}
