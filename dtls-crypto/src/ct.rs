//! Constant-time comparison of secrets (over the `subtle` crate), so that
//! checking a Finished message or a MAC does not leak, through timing, how
//! many leading bytes matched.

use subtle::ConstantTimeEq;

/// Whether `a` and `b` are equal, taking the same time for every pair of
/// equal-length inputs (the lengths themselves are not secret).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

#[cfg(test)]
mod tests {
    use super::constant_time_eq;

    #[test]
    fn compares_contents_and_lengths() {
        assert!(constant_time_eq(b"", b""));
        assert!(constant_time_eq(b"finished", b"finished"));
        assert!(!constant_time_eq(b"finished", b"finishes"));
        assert!(!constant_time_eq(b"finished", b"finish"));
    }
}
