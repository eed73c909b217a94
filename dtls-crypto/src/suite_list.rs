//! Cipher suite lists as the seed's `SSLEnabledCipherSuites` setting
//! writes them: `*`, or names separated by `;` or `,`.

use crate::Error;
use crate::suites::CipherSuite;

/// Parses a cipher suite list in the format of the seed's
/// `SSLEnabledCipherSuites` setting.
///
/// - `"*"` or an empty (or all-blank) spec: every implemented suite, in the
///   default preference order ([`CipherSuite::ALL`]).
/// - Otherwise names separated by `;` (the seed's separator) or `,`, each
///   parsed with [`CipherSuite::from_name`]; blanks around names and empty
///   entries are ignored, the order is kept (it is the server's preference
///   order) and repeated suites are kept only at their first position. A `*`
///   entry inside a list stands for "all the remaining implemented suites".
///
/// # Errors
/// If exactly one entry is unusable, that entry's error
/// ([`Error::UnsupportedCipherSuite`] or [`Error::UnknownCipherSuite`]); if
/// several are, [`Error::CipherSuiteList`] with one error per entry.
pub fn parse_suite_list(spec: &str) -> Result<Vec<CipherSuite>, Error> {
    let (suites, errors) = suite_list_entries(spec);
    if errors.is_empty() {
        Ok(suites)
    } else {
        Err(one_or_list(errors))
    }
}

/// One entry's error as itself, several as [`Error::CipherSuiteList`].
fn one_or_list(mut errors: Vec<Error>) -> Error {
    if errors.len() == 1 {
        errors.remove(0)
    } else {
        Error::CipherSuiteList(errors)
    }
}

/// [`parse_suite_list`] for lists written for other implementations (the
/// seed's own examples name static-RSA and CBC-without-EtM suites): entries
/// this crate knows and refuses are skipped, and returned with the reason
/// each was refused, so the caller can log them.
///
/// # Errors
/// An entry that names no known suite (a typo is an error, not a skip), or
/// a list in which nothing usable remains ([`Error::CipherSuiteList`] of
/// the refusals).
pub fn parse_suite_list_skipping_refused(
    spec: &str,
) -> Result<(Vec<CipherSuite>, Vec<Error>), Error> {
    let (suites, errors) = suite_list_entries(spec);
    let (refused, unknown): (Vec<Error>, Vec<Error>) = errors
        .into_iter()
        .partition(|e| matches!(e, Error::UnsupportedCipherSuite { .. }));
    if !unknown.is_empty() {
        return Err(one_or_list(unknown));
    }
    if suites.is_empty() {
        return Err(Error::CipherSuiteList(refused));
    }
    Ok((suites, refused))
}

/// The usable suites of a list (every suite for an empty or blank list
/// without errors) and one error per unusable entry.
fn suite_list_entries(spec: &str) -> (Vec<CipherSuite>, Vec<Error>) {
    let mut suites: Vec<CipherSuite> = Vec::new();
    let mut errors = Vec::new();
    let mut push = |suite: CipherSuite| {
        if !suites.contains(&suite) {
            suites.push(suite);
        }
    };
    for entry in spec.split([';', ',']).map(str::trim) {
        if entry.is_empty() {
            continue;
        }
        if entry == "*" {
            CipherSuite::ALL.iter().copied().for_each(&mut push);
            continue;
        }
        match CipherSuite::from_name(entry) {
            Ok(suite) => push(suite),
            Err(e) => errors.push(e),
        }
    }
    if suites.is_empty() && errors.is_empty() {
        suites.extend_from_slice(CipherSuite::ALL);
    }
    (suites, errors)
}
