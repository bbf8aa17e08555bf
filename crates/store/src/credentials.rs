//! Passwords (argon2id) and bearer secrets (random, stored as SHA-256).

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Hashes a password with argon2id and a random salt (PHC string).
pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// The password hash of a member who joined through single sign-on and has no password: not a
/// PHC string, so no password ever matches it.
pub const NO_PASSWORD: &str = "!sso-only";

/// True when `password` matches the stored PHC hash. A malformed hash never matches.
pub fn verify_password(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A new secret with a readable prefix (`fl_tok_…`, `fl_ses_…`), 256 random bits.
pub fn new_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("{prefix}_{}", hex::encode(bytes))
}

/// Secrets are looked up by their SHA-256: a leaked database holds no usable token. A fast hash
/// is enough because the secrets are random, not chosen by people.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// The minimum a password must meet.
pub fn password_problem(password: &str) -> Option<&'static str> {
    if password.chars().count() < 10 {
        Some("must be at least 10 characters long")
    } else if password.len() > 1024 {
        Some("must be at most 1024 bytes long")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_round_trip_and_mismatch() {
        let h = hash_password("correct horse battery").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong horse battery", &h));
        assert!(!verify_password("anything", "not a hash"));
        assert!(!verify_password("", NO_PASSWORD));
        assert!(!verify_password(NO_PASSWORD, NO_PASSWORD));
    }

    #[test]
    fn secrets_are_unique_and_hash_stably() {
        let a = new_secret("fl_tok");
        let b = new_secret("fl_tok");
        assert_ne!(a, b);
        assert!(a.starts_with("fl_tok_"));
        assert_eq!(hash_secret(&a), hash_secret(&a));
        assert_ne!(hash_secret(&a), hash_secret(&b));
    }
}
