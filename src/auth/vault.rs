//! Encryption at rest for HighLevel tokens and client secrets.
//!
//! XChaCha20-Poly1305 (an AEAD: tampering is detected, not just hidden) with a
//! random 192-bit nonce per value, so nonces never need coordinating between
//! server processes. Each value is bound to what it is for (the associated
//! data, e.g. `connection:<location>:refresh`), so a ciphertext copied into
//! another row does not decrypt.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use secrecy::{ExposeSecret, SecretString};

const KEY_FILE: &str = "secret.key";
const FORMAT_PREFIX: &str = "v1:";
const NONCE_LEN: usize = 24;
const MIN_PASSPHRASE_LEN: usize = 16;

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("APP_SECRET_KEY is too short: use at least {MIN_PASSPHRASE_LEN} characters (for example the output of `openssl rand -base64 32`)")]
    WeakKey,
    #[error("the key file {path} cannot be used: {reason}")]
    KeyFile { path: String, reason: String },
    #[error("a stored secret could not be decrypted: it was changed, or APP_SECRET_KEY is not the key it was written with")]
    Undecryptable,
}

/// Encrypts and decrypts secrets with the installation's key.
#[derive(Clone)]
pub struct Vault {
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Vault([REDACTED])")
    }
}

impl Vault {
    /// The key comes from `APP_SECRET_KEY` when set, else from the key file in
    /// `data_dir`, which is created (mode 0600) on first use.
    pub fn open(
        app_secret_key: Option<&SecretString>,
        data_dir: &Path,
    ) -> Result<Self, VaultError> {
        let key = match app_secret_key {
            Some(passphrase) => key_from_passphrase(passphrase.expose_secret())?,
            None => key_from_file(&data_dir.join(KEY_FILE))?,
        };
        Ok(Self {
            cipher: XChaCha20Poly1305::new(&key.into()),
        })
    }

    /// Encrypts `plaintext` for the purpose named by `context`.
    pub fn seal(&self, context: &str, plaintext: &str) -> String {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let payload = Payload {
            msg: plaintext.as_bytes(),
            aad: context.as_bytes(),
        };
        // Encryption only fails for messages longer than the cipher's limit (256 GiB).
        let ciphertext = self.cipher.encrypt(&nonce, payload).unwrap_or_default();
        let mut sealed = nonce.to_vec();
        sealed.extend_from_slice(&ciphertext);
        format!("{FORMAT_PREFIX}{}", BASE64.encode(sealed))
    }

    /// Decrypts a value made by [`Vault::seal`] with the same `context`.
    pub fn open_sealed(&self, context: &str, sealed: &str) -> Result<SecretString, VaultError> {
        let bytes = sealed
            .strip_prefix(FORMAT_PREFIX)
            .and_then(|encoded| BASE64.decode(encoded).ok())
            .filter(|bytes| bytes.len() > NONCE_LEN)
            .ok_or(VaultError::Undecryptable)?;
        let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
        let payload = Payload {
            msg: ciphertext,
            aad: context.as_bytes(),
        };
        let plaintext = self
            .cipher
            .decrypt(XNonce::from_slice(nonce), payload)
            .map_err(|_| VaultError::Undecryptable)?;
        String::from_utf8(plaintext)
            .map(SecretString::from)
            .map_err(|_| VaultError::Undecryptable)
    }
}

/// A base64 value of exactly 32 bytes is used as the key itself; any other
/// passphrase is stretched to 32 bytes with HKDF-SHA256.
fn key_from_passphrase(passphrase: &str) -> Result<[u8; 32], VaultError> {
    if let Ok(raw) = BASE64.decode(passphrase.trim()) {
        if let Ok(key) = <[u8; 32]>::try_from(raw.as_slice()) {
            return Ok(key);
        }
    }
    if passphrase.chars().count() < MIN_PASSPHRASE_LEN {
        return Err(VaultError::WeakKey);
    }
    let mut key = [0u8; 32];
    hkdf::Hkdf::<sha2::Sha256>::new(Some(b"switchboard token vault"), passphrase.as_bytes())
        .expand(b"v1", &mut key)
        .map_err(|_| VaultError::WeakKey)?;
    Ok(key)
}

fn key_from_file(path: &Path) -> Result<[u8; 32], VaultError> {
    let file_error = |reason: String| VaultError::KeyFile {
        path: path.display().to_string(),
        reason,
    };
    if !path.exists() {
        create_key_file(path).map_err(|error| file_error(error.to_string()))?;
        tracing::info!(path = %path.display(), "created a new token encryption key");
    }
    let mode = fs::metadata(path)
        .map_err(|error| file_error(error.to_string()))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        return Err(file_error(format!(
            "it is readable by other users (mode {:o}); run `chmod 600 {}`",
            mode & 0o777,
            path.display()
        )));
    }
    let text = fs::read_to_string(path).map_err(|error| file_error(error.to_string()))?;
    let raw = BASE64
        .decode(text.trim())
        .map_err(|_| file_error("it does not hold a base64 key".into()))?;
    <[u8; 32]>::try_from(raw.as_slice())
        .map_err(|_| file_error("the key is not 32 bytes long".into()))
}

fn create_key_file(path: &Path) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    let key = XChaCha20Poly1305::generate_key(&mut OsRng);
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    writeln!(file, "{}", BASE64.encode(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vault_in(dir: &Path) -> Vault {
        Vault::open(None, dir).unwrap()
    }

    #[test]
    fn sealed_values_round_trip_and_hide_the_plaintext() {
        let dir = tempfile::tempdir().unwrap();
        let vault = vault_in(dir.path());
        let sealed = vault.seal("connection:loc1:access", "tok-secret-123");
        assert!(!sealed.contains("tok-secret-123"));
        let opened = vault
            .open_sealed("connection:loc1:access", &sealed)
            .unwrap();
        assert_eq!(opened.expose_secret(), "tok-secret-123");
    }

    #[test]
    fn a_value_moved_to_another_context_or_tampered_with_does_not_open() {
        let dir = tempfile::tempdir().unwrap();
        let vault = vault_in(dir.path());
        let sealed = vault.seal("connection:loc1:access", "tok");
        assert!(vault
            .open_sealed("connection:loc2:access", &sealed)
            .is_err());
        let mut tampered = sealed.clone().into_bytes();
        let last = tampered.len() - 2;
        tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
        assert!(vault
            .open_sealed(
                "connection:loc1:access",
                &String::from_utf8(tampered).unwrap()
            )
            .is_err());
    }

    #[test]
    fn the_key_file_is_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let sealed = vault_in(dir.path()).seal("c", "v");
        let mode = fs::metadata(dir.path().join(KEY_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(
            vault_in(dir.path())
                .open_sealed("c", &sealed)
                .unwrap()
                .expose_secret(),
            "v"
        );
    }

    #[test]
    fn a_key_file_readable_by_others_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        vault_in(dir.path());
        fs::set_permissions(dir.path().join(KEY_FILE), fs::Permissions::from_mode(0o644)).unwrap();
        assert!(matches!(
            Vault::open(None, dir.path()),
            Err(VaultError::KeyFile { .. })
        ));
    }

    #[test]
    fn passphrases_must_be_long_and_give_stable_keys() {
        let dir = tempfile::tempdir().unwrap();
        let short = SecretString::from("short");
        assert!(matches!(
            Vault::open(Some(&short), dir.path()),
            Err(VaultError::WeakKey)
        ));
        let passphrase = SecretString::from("a long enough passphrase for tests");
        let sealed = Vault::open(Some(&passphrase), dir.path())
            .unwrap()
            .seal("c", "v");
        let reopened = Vault::open(Some(&passphrase), dir.path()).unwrap();
        assert_eq!(
            reopened.open_sealed("c", &sealed).unwrap().expose_secret(),
            "v"
        );
        assert!(
            !dir.path().join(KEY_FILE).exists(),
            "no key file when APP_SECRET_KEY is set"
        );
    }
}
