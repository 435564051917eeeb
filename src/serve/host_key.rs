//! The server's host key: generated on first start, kept in a file only its owner can read.

use anyhow::{Context, Result};
use russh::keys::{Algorithm, HashAlg, PrivateKey};
use std::path::Path;

/// Loads the host key, or makes a new Ed25519 key and stores it with mode 0600.
pub fn load_or_create(path: &Path) -> Result<PrivateKey> {
    if path.exists() {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("kan de host key {} niet lezen", path.display()))?;
        return PrivateKey::from_openssh(text)
            .with_context(|| format!("{} is geen OpenSSH private key", path.display()));
    }
    let key = PrivateKey::random(&mut rand::rng(), Algorithm::Ed25519).context("kan geen host key maken")?;
    let text = key.to_openssh(russh::keys::ssh_key::LineEnding::LF).context("kan de host key niet opslaan")?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        super::create_missing_dir(dir)?;
    }
    write_private(path, text.as_bytes()).with_context(|| format!("kan {} niet schrijven", path.display()))?;
    Ok(key)
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

/// The fingerprint users compare when they first connect: `SHA256:…`.
pub fn fingerprint(key: &PrivateKey) -> String {
    key.public_key().fingerprint(HashAlg::Sha256).to_string()
}
