//! CPU time of a process, read from `/proc/<pid>/stat` (user and system
//! time of all its threads, in clock ticks).

use std::time::Duration;

/// User and system CPU time consumed by a process.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CpuTime {
    /// Time spent in user mode.
    pub user: Duration,
    /// Time spent in the kernel on the process's behalf.
    pub system: Duration,
}

impl CpuTime {
    /// User plus system time.
    pub fn total(&self) -> Duration {
        self.user + self.system
    }

    /// What was consumed between `earlier` and `self` (zero if the counters
    /// went backwards, e.g. a different process reusing the pid).
    pub fn since(&self, earlier: &CpuTime) -> CpuTime {
        CpuTime {
            user: self.user.saturating_sub(earlier.user),
            system: self.system.saturating_sub(earlier.system),
        }
    }
}

/// The CPU time of this process (all threads).
///
/// # Errors
/// When `/proc/self/stat` cannot be read or parsed.
pub fn own() -> std::io::Result<CpuTime> {
    read_stat("/proc/self/stat")
}

/// The CPU time of process `pid` (all threads).
///
/// # Errors
/// When `/proc/<pid>/stat` cannot be read (no such process) or parsed.
pub fn of_process(pid: u32) -> std::io::Result<CpuTime> {
    read_stat(&format!("/proc/{pid}/stat"))
}

fn read_stat(path: &str) -> std::io::Result<CpuTime> {
    let text = std::fs::read_to_string(path)?;
    parse_stat(&text, rustix::param::clock_ticks_per_second()).ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("{path}: unexpected format"),
        )
    })
}

/// Parses utime and stime (fields 14 and 15 of proc(5)) from a stat line.
/// The command name (field 2) may hold spaces and parentheses, so fields
/// are counted from the last `)`.
fn parse_stat(text: &str, ticks_per_second: u64) -> Option<CpuTime> {
    let after_name = &text[text.rfind(')')? + 1..];
    // After the name: field 3 (state) is index 0, so field N is N - 3.
    let mut fields = after_name.split_ascii_whitespace().skip(14 - 3);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    let ticks = ticks_per_second.max(1);
    let to_duration = |t: u64| Duration::from_nanos(t.saturating_mul(1_000_000_000 / ticks));
    Some(CpuTime {
        user: to_duration(utime),
        system: to_duration(stime),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_name_with_spaces_and_parentheses() {
        let line = "1234 (a b) c)) S 1 1234 1234 0 -1 4194304 100 0 0 0 250 30 0 0 20 0 1 0";
        let cpu = parse_stat(line, 100);
        assert_eq!(
            cpu,
            Some(CpuTime {
                user: Duration::from_millis(2500),
                system: Duration::from_millis(300),
            })
        );
    }

    #[test]
    fn reads_its_own_process() {
        assert!(own().is_ok());
        assert!(of_process(std::process::id()).is_ok());
    }
}
