//! CPU time (and memory) of the processes a bench runs, from `/proc`: where
//! a machine's cores go per event tells whether a throughput target can be
//! met on it, whoever's code is faster.

use std::process::Command;
use std::time::Duration;

/// The fields of `/proc/<pid>/stat` after the command name: state is the
/// first, the parent's id the second, then user and system time (own, then
/// of waited-for children) at 12 to 15, in clock ticks.
struct Stat {
    parent: u32,
    own_ticks: u64,
    children_ticks: u64,
}

fn stat(pid: u32) -> Option<Stat> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = text.get(text.rfind(')')? + 2..)?.split(' ').collect();
    let number = |at: usize| fields.get(at)?.parse::<u64>().ok();
    Some(Stat {
        parent: u32::try_from(number(1)?).ok()?,
        own_ticks: number(11)? + number(12)?,
        children_ticks: number(13)? + number(14)?,
    })
}

/// The parent of a process: Postgres's postmaster, from one of its backends.
pub fn parent_of(pid: u32) -> Option<u32> {
    stat(pid).map(|stat| stat.parent)
}

fn ticks_per_second() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(100.0)
}

/// CPU used so far by one process.
fn of_process(pid: u32) -> u64 {
    stat(pid).map_or(0, |stat| stat.own_ticks)
}

/// CPU used so far by a process and every child it has or had: Postgres's
/// postmaster and its backends.
fn of_tree(root: u32) -> u64 {
    let Some(root_stat) = stat(root) else {
        return 0;
    };
    let children: u64 = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(stat)
        .filter(|child| child.parent == root)
        .map(|child| child.own_ticks)
        .sum();
    root_stat.own_ticks + root_stat.children_ticks + children
}

/// CPU seconds used so far by one process.
pub fn seconds_of(pid: u32) -> f64 {
    of_process(pid) as f64 / ticks_per_second()
}

/// CPU seconds used so far by a process and its children (Postgres).
pub fn seconds_of_tree(root: u32) -> f64 {
    of_tree(root) as f64 / ticks_per_second()
}

/// Resident memory of a process now and at its peak, in MB, from
/// `/proc/<pid>/status`.
pub fn memory_mb(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| {
                rest.trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<u64>()
                    .ok()
            })
            .map_or(0, |kb| kb / 1024)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// The processes of a bench whose CPU is counted.
#[derive(Debug, Clone, Copy)]
pub struct Processes {
    pub sandbox: u32,
    pub postmaster: u32,
}

/// CPU used until one moment, in clock ticks.
#[derive(Debug, Clone, Copy)]
pub struct CpuTime {
    this_process: u64,
    sandbox: u64,
    postgres: u64,
}

impl CpuTime {
    pub fn now(processes: Processes) -> Self {
        Self {
            this_process: of_process(std::process::id()),
            sandbox: of_process(processes.sandbox),
            postgres: of_tree(processes.postmaster),
        }
    }

    /// CPU per event of each part between `self` and `later`, and the cores
    /// each kept busy over `wall`.
    pub fn per_event(&self, later: &Self, events: usize, wall: Duration) -> PerEvent {
        let per_second = ticks_per_second();
        let part = |before: u64, after: u64| {
            let seconds = after.saturating_sub(before) as f64 / per_second;
            Part {
                ms: seconds * 1000.0 / events.max(1) as f64,
                cores: seconds / wall.as_secs_f64().max(f64::EPSILON),
            }
        };
        PerEvent {
            app: part(self.this_process, later.this_process),
            sandbox: part(self.sandbox, later.sandbox),
            postgres: part(self.postgres, later.postgres),
        }
    }
}

/// CPU milliseconds per event, and the cores kept busy, of one part.
#[derive(Debug, Clone, Copy)]
pub struct Part {
    pub ms: f64,
    pub cores: f64,
}

#[derive(Debug, Clone, Copy)]
pub struct PerEvent {
    pub app: Part,
    pub sandbox: Part,
    pub postgres: Part,
}

impl std::fmt::Display for PerEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "CPU per event: this process (app, worker, senders) {:.2} ms ({:.2} cores), \
             sandbox HighLevel {:.2} ms ({:.2} cores), Postgres {:.2} ms ({:.2} cores); \
             {:.2} ms in all",
            self.app.ms,
            self.app.cores,
            self.sandbox.ms,
            self.sandbox.cores,
            self.postgres.ms,
            self.postgres.cores,
            self.app.ms + self.sandbox.ms + self.postgres.ms
        )
    }
}

/// The machine's CPU time over all its cores, from `/proc/stat`, in clock
/// ticks: what ran here, and what the virtual machine's host gave to others
/// while this machine had work ("steal").
pub struct MachineCpu {
    busy: u64,
    idle: u64,
    stolen: u64,
}

impl MachineCpu {
    pub fn now() -> Self {
        let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
        let ticks: Vec<u64> = stat
            .lines()
            .next()
            .unwrap_or_default()
            .split_whitespace()
            .skip(1)
            .map(|field| field.parse().unwrap_or(0))
            .collect();
        let field = |at: usize| ticks.get(at).copied().unwrap_or(0);
        // user, nice, system, idle, iowait, irq, softirq, steal
        Self {
            busy: field(0) + field(1) + field(2) + field(5) + field(6),
            idle: field(3) + field(4),
            stolen: field(7),
        }
    }

    pub fn since(&self, before: &Self) -> Self {
        Self {
            busy: self.busy.saturating_sub(before.busy),
            idle: self.idle.saturating_sub(before.idle),
            stolen: self.stolen.saturating_sub(before.stolen),
        }
    }

    /// Milliseconds that ran on any core.
    pub fn busy_ms(&self) -> f64 {
        self.busy as f64 * 1000.0 / ticks_per_second()
    }

    pub fn stolen_percent(&self) -> f64 {
        let total = self.busy + self.idle + self.stolen;
        100.0 * self.stolen as f64 / total.max(1) as f64
    }
}
