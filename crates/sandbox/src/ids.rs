//! Identifiers shaped like HighLevel's: 20 letters and digits.

use rand::Rng;

const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const LENGTH: usize = 20;

/// A new identifier drawn from `rng` (seeded while seeding, random afterwards).
pub fn new_id(rng: &mut impl Rng) -> String {
    (0..LENGTH)
        .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
        .collect()
}

/// A new identifier for something created at run time.
pub fn fresh_id() -> String {
    new_id(&mut rand::thread_rng())
}

/// An opaque secret such as a token or an authorization code.
pub fn secret(prefix: &str) -> String {
    let mut rng = rand::thread_rng();
    let body: String = (0..40)
        .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
        .collect();
    format!("{prefix}{body}")
}
