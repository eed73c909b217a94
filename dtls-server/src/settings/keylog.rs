//! The seed's `SSLKeyLogFile`: per-session secrets in the NSS key log
//! format (the `SSLKEYLOGFILE` format Wireshark reads).
//!
//! For TLS 1.2 / DTLS 1.2 one line per session:
//! `CLIENT_RANDOM <64 hex digits of ClientHello.random> <96 hex digits of the master secret>`.
//! The file is only ever appended to (the seed: "it will not overwrite
//! previous values"); each line is written with a single `write_all` on a
//! file opened in append mode, so lines from concurrent writers do not
//! interleave. On Unix a newly created file is readable by its owner only,
//! since it holds keys.

use std::fmt::Write as _;
use std::fs::OpenOptions;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

/// Appends session secrets to a key log file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyLogFile {
    path: PathBuf,
}

impl KeyLogFile {
    /// A key log writing to `path` (nothing is opened until the first line).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        KeyLogFile { path: path.into() }
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The NSS key log line (with its trailing newline) for a DTLS 1.2
    /// session: `CLIENT_RANDOM <client_random> <master_secret>` in lowercase
    /// hex.
    pub fn line(client_random: &[u8; 32], master_secret: &[u8; 48]) -> String {
        let mut line = String::with_capacity(14 + 64 + 1 + 96 + 1);
        line.push_str("CLIENT_RANDOM ");
        push_hex(&mut line, client_random);
        line.push(' ');
        push_hex(&mut line, master_secret);
        line.push('\n');
        line
    }

    /// Appends the line for one session, creating the file if needed.
    ///
    /// # Errors
    /// The I/O error of opening or writing the file.
    pub fn log_master_secret(
        &self,
        client_random: &[u8; 32],
        master_secret: &[u8; 48],
    ) -> io::Result<()> {
        let mut options = OpenOptions::new();
        options.append(true).create(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        let mut file = options.open(&self.path)?;
        file.write_all(Self::line(client_random, master_secret).as_bytes())
    }
}

fn push_hex(out: &mut String, bytes: &[u8]) {
    for b in bytes {
        // Writing to a String cannot fail.
        let _ = write!(out, "{b:02x}");
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn line_format() {
        let line = KeyLogFile::line(&[0xAB; 32], &[0x01; 48]);
        let expected = format!("CLIENT_RANDOM {} {}\n", "ab".repeat(32), "01".repeat(48));
        assert_eq!(line, expected);
    }

    #[test]
    fn appends_and_never_truncates() {
        let dir = std::env::temp_dir().join(format!(
            "dtls-server-keylog-test-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("keys.log");
        std::fs::write(&path, "# existing line\n").unwrap();
        let log = KeyLogFile::new(&path);
        assert_eq!(log.path(), path);
        log.log_master_secret(&[1; 32], &[2; 48]).unwrap();
        log.log_master_secret(&[3; 32], &[4; 48]).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0], "# existing line");
        assert!(lines[1].starts_with("CLIENT_RANDOM 0101"));
        assert!(lines[2].starts_with("CLIENT_RANDOM 0303"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
