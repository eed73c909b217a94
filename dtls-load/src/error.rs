//! What can stop a load run before it measures anything.

use std::fmt;

/// Why a run could not be made.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A setting is out of range, or a file it names is unusable.
    Options(String),
    /// A socket, poll(2) or `/proc` read failed.
    Io {
        /// What was being done.
        context: String,
        /// The error.
        source: std::io::Error,
    },
    /// A generator thread panicked.
    Thread,
}

impl Error {
    /// An I/O error while doing `context`.
    pub(crate) fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> Error {
        let context = context.into();
        move |source| Error::Io { context, source }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Options(what) => write!(f, "bad options: {what}"),
            Error::Io { context, source } => write!(f, "{context}: {source}"),
            Error::Thread => f.write_str("a generator thread panicked"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}
