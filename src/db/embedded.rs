//! The embedded default: a Postgres server started from the machine's own
//! binaries, in a data folder that survives restarts.
//!
//! The postmaster is a child of a dedicated keeper thread that lives exactly as
//! long as the child does. The child asks the kernel for `SIGINT` (Postgres'
//! "fast shutdown") when that thread dies, so a `kill -9` of the server still
//! takes Postgres down with it. A lock file held for the server's lifetime stops
//! two servers from sharing one data folder; the kernel drops it on any exit.
//!
//! As root, Postgres runs as the `postgres` user, which may not be able to
//! enter the data folder (a clone under `/root`, mode 0700). Its cluster then
//! lives under [`SHARED_CLUSTER_ROOT`], and `<data folder>/postgres` is a
//! symbolic link to it, so the data folder stays the one handle people keep or
//! delete.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom};
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{mpsc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use nix::fcntl::{Flock, FlockArg};
use nix::sys::signal::{kill, Signal};
use nix::unistd::{Pid, User};

/// Superuser created by `initdb`; the embedded cluster trusts loopback connections.
pub const SUPERUSER: &str = "postgres";
const READY_TIMEOUT: Duration = Duration::from_secs(60);
const STOP_TIMEOUT: Duration = Duration::from_secs(30);
const PORT_ATTEMPTS: usize = 3;
/// Where clusters go when the `postgres` user cannot reach the data folder.
pub const SHARED_CLUSTER_ROOT: &str = "/var/lib/switchboard";

#[derive(Debug, thiserror::Error)]
pub enum EmbeddedError {
    #[error(
        "PostgreSQL server binaries were not found (looked for `postgres` and `initdb` via \
         `pg_config --bindir` and in /usr/lib/postgresql/*/bin). Install them with \
         `apt-get install postgresql`, or set DATABASE_URL to use your own database."
    )]
    BinariesMissing,
    #[error(
        "another Switchboard server is already using the data folder {0}; stop it first, \
         or point SWITCHBOARD_DATA_DIR somewhere else"
    )]
    DataDirInUse(PathBuf),
    #[error("the data folder {path} cannot be prepared: {source}")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("running as root, but there is no `postgres` user to run Postgres as")]
    NoPostgresUser,
    #[error("`{command}` failed: {detail}")]
    Command { command: String, detail: String },
    #[error("Postgres did not become ready within {0:?}; see {1}")]
    NotReady(Duration, PathBuf),
}

/// A running embedded Postgres. Stops the server when dropped.
pub struct EmbeddedPostgres {
    port: u16,
    pid: Pid,
    /// Receives once the postmaster has exited (a Mutex only to be `Sync`).
    exited: Mutex<mpsc::Receiver<()>>,
    _lock: Flock<File>,
}

/// What a new cluster starts as.
#[derive(Clone, Copy)]
enum Origin {
    New,
    /// A copy of the cluster listening on this loopback port, kept current
    /// by streaming its write-ahead log.
    ReplicaOf(u16),
}

/// Where the binaries live and who runs them.
struct Installation {
    bindir: PathBuf,
    run_as: Option<User>,
}

impl EmbeddedPostgres {
    /// Starts (initialising on first use) the cluster of `data_dir` (see
    /// [`cluster_dir`]). Blocks until Postgres accepts connections.
    pub fn start(data_dir: &Path) -> Result<Self, EmbeddedError> {
        Self::start_from(data_dir, Origin::New)
    }

    /// Starts a streaming replica of `primary` (a read-only hot standby)
    /// in `data_dir`, copied from it with `pg_basebackup` on first use: what
    /// the tests give `REPORTS_DATABASE_URL`.
    pub fn start_replica(
        data_dir: &Path,
        primary: &EmbeddedPostgres,
    ) -> Result<Self, EmbeddedError> {
        Self::start_from(data_dir, Origin::ReplicaOf(primary.port))
    }

    fn start_from(data_dir: &Path, origin: Origin) -> Result<Self, EmbeddedError> {
        let installation = Installation::find()?;
        fs::create_dir_all(data_dir).map_err(|source| data_dir_error(data_dir, source))?;
        let data_dir = data_dir
            .canonicalize()
            .map_err(|source| data_dir_error(data_dir, source))?;
        let lock = lock_data_dir(&data_dir)?;
        let pgdata = installation.place_cluster(&data_dir)?;
        installation.init_cluster(&pgdata, origin)?;
        stop_orphan(&pgdata);
        let log_path = data_dir.join("postgres.log");
        let mut last_error = None;
        for _ in 0..PORT_ATTEMPTS {
            match installation.launch(&pgdata, &log_path, free_port(&data_dir)?) {
                Ok((port, pid, exited)) => {
                    tracing::info!(port, data = %pgdata.display(), "embedded Postgres is ready");
                    return Ok(Self {
                        port,
                        pid,
                        exited: Mutex::new(exited),
                        _lock: lock,
                    });
                }
                Err(error) => last_error = Some(error),
            }
        }
        Err(last_error.unwrap_or(EmbeddedError::NotReady(READY_TIMEOUT, log_path)))
    }

    /// Connection string for `database` on this server.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://{SUPERUSER}@127.0.0.1:{}/{database}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Fast shutdown: rolls back open transactions, writes a checkpoint, exits.
    pub fn stop(self) {
        drop(self);
    }
}

impl Drop for EmbeddedPostgres {
    fn drop(&mut self) {
        if kill(self.pid, Signal::SIGINT).is_err() {
            return;
        }
        let exited = match self.exited.get_mut() {
            Ok(exited) => exited,
            Err(poisoned) => poisoned.into_inner(),
        };
        if exited.recv_timeout(STOP_TIMEOUT).is_err() {
            tracing::warn!("embedded Postgres did not stop in time; killing it");
            let _ = kill(self.pid, Signal::SIGKILL);
            let _ = exited.recv_timeout(STOP_TIMEOUT);
        }
        tracing::info!("embedded Postgres stopped");
    }
}

impl Installation {
    fn find() -> Result<Self, EmbeddedError> {
        let bindir = candidate_bindirs()
            .into_iter()
            .find(|dir| dir.join("postgres").is_file() && dir.join("initdb").is_file())
            .ok_or(EmbeddedError::BinariesMissing)?;
        let run_as = if nix::unistd::geteuid().is_root() {
            Some(
                User::from_name(SUPERUSER)
                    .ok()
                    .flatten()
                    .ok_or(EmbeddedError::NoPostgresUser)?,
            )
        } else {
            None
        };
        Ok(Self { bindir, run_as })
    }

    fn command(&self, program: &str) -> Command {
        let mut command = Command::new(self.bindir.join(program));
        if let Some(user) = &self.run_as {
            command.uid(user.uid.as_raw()).gid(user.gid.as_raw());
        }
        command
    }

    /// The cluster folder for `data_dir`: `data_dir/postgres`, or, when that is
    /// a link or the `postgres` user cannot enter `data_dir`, a folder of its
    /// own under [`SHARED_CLUSTER_ROOT`] that the link points to.
    fn place_cluster(&self, data_dir: &Path) -> Result<PathBuf, EmbeddedError> {
        let link = data_dir.join("postgres");
        if let Ok(target) = fs::read_link(&link) {
            tracing::info!(data = %data_dir.display(), cluster = %target.display(),
                "the embedded cluster lives outside the data folder");
            return Ok(target);
        }
        let Some(user) = self
            .run_as
            .as_ref()
            .filter(|user| !can_enter(user, data_dir))
        else {
            return Ok(link);
        };
        let target = shared_cluster_dir(data_dir);
        tracing::info!(data = %data_dir.display(), cluster = %target.display(),
            "the postgres user cannot enter the data folder, so the embedded cluster lives outside it");
        // No link means the data folder was made anew: a cluster left at this
        // path belonged to the folder that was deleted, with its key.
        if target.exists() {
            stop_orphan(&target);
            fs::remove_dir_all(&target).map_err(|source| data_dir_error(&target, source))?;
        }
        prepare_shared_root()
            .map_err(|source| data_dir_error(Path::new(SHARED_CLUSTER_ROOT), source))?;
        fs::create_dir(&target).map_err(|source| data_dir_error(&target, source))?;
        chown_tree(&target, user).map_err(|source| data_dir_error(&target, source))?;
        std::os::unix::fs::symlink(&target, &link)
            .map_err(|source| data_dir_error(&link, source))?;
        Ok(target)
    }

    fn init_cluster(&self, pgdata: &Path, origin: Origin) -> Result<(), EmbeddedError> {
        if pgdata.join("PG_VERSION").is_file() {
            return self.give_to_runner(pgdata);
        }
        fs::create_dir_all(pgdata).map_err(|source| data_dir_error(pgdata, source))?;
        self.give_to_runner(pgdata)?;
        tracing::info!(data = %pgdata.display(), "initialising the embedded Postgres cluster");
        let (program, mut command) = match origin {
            Origin::New => {
                let mut command = self.command("initdb");
                command
                    .args(["--username", SUPERUSER, "--auth", "trust"])
                    .args(["--encoding", "UTF8", "--locale", "C", "--no-instructions"]);
                ("initdb", command)
            }
            Origin::ReplicaOf(port) => {
                let mut command = self.command("pg_basebackup");
                command
                    .args(["--host", "127.0.0.1", "--port", &port.to_string()])
                    .args(["--username", SUPERUSER, "--checkpoint", "fast"])
                    .args(["--wal-method", "stream", "--write-recovery-conf"]);
                ("pg_basebackup", command)
            }
        };
        let output = command
            .arg("--pgdata")
            .arg(pgdata)
            .output()
            .map_err(|error| command_error(program, error.to_string()))?;
        if output.status.success() {
            Ok(())
        } else {
            Err(command_error(
                program,
                String::from_utf8_lossy(&output.stderr).trim().to_owned(),
            ))
        }
    }

    /// Postgres refuses a data folder that its own user does not own (mode 0700).
    fn give_to_runner(&self, pgdata: &Path) -> Result<(), EmbeddedError> {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        if let Some(user) = &self.run_as {
            let owner = fs::metadata(pgdata)
                .map_err(|source| data_dir_error(pgdata, source))?
                .uid();
            if owner != user.uid.as_raw() {
                chown_tree(pgdata, user).map_err(|source| data_dir_error(pgdata, source))?;
            }
        }
        fs::set_permissions(pgdata, fs::Permissions::from_mode(0o700))
            .map_err(|source| data_dir_error(pgdata, source))
    }

    /// Spawns the postmaster on `port` and waits until it is ready.
    fn launch(
        &self,
        pgdata: &Path,
        log_path: &Path,
        port: u16,
    ) -> Result<(u16, Pid, mpsc::Receiver<()>), EmbeddedError> {
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(log_path)
            .map_err(|source| data_dir_error(log_path, source))?;
        let log_start = log.metadata().map(|m| m.len()).unwrap_or(0);
        let stderr = log
            .try_clone()
            .map_err(|source| data_dir_error(log_path, source))?;
        let mut command = self.command("postgres");
        command
            .arg("-D")
            .arg(pgdata)
            .args(["-p", &port.to_string()])
            .args(["-c", "listen_addresses=127.0.0.1"])
            .args(["-c", "unix_socket_directories="])
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(stderr)
            // Its own process group: a Ctrl-C in the terminal reaches the server,
            // which drains requests before it stops Postgres itself.
            .process_group(0);
        let parent = nix::unistd::getpid();
        // SAFETY: the closure runs between fork and exec and only makes
        // async-signal-safe system calls (prctl, getppid).
        unsafe {
            command.pre_exec(move || {
                nix::sys::prctl::set_pdeathsig(Signal::SIGINT)?;
                if nix::unistd::getppid() != parent {
                    return Err(std::io::Error::other("the server exited during start-up"));
                }
                Ok(())
            });
        }
        let (pid, exited) = spawn_keeper(command)?;
        let deadline = Instant::now() + READY_TIMEOUT;
        while Instant::now() < deadline {
            if exited.try_recv().is_ok() {
                return Err(command_error("postgres", log_tail(log_path, log_start)));
            }
            if self.is_ready(port) {
                return Ok((port, pid, exited));
            }
            thread::sleep(Duration::from_millis(50));
        }
        let _ = kill(pid, Signal::SIGKILL);
        Err(EmbeddedError::NotReady(READY_TIMEOUT, log_path.to_owned()))
    }

    fn is_ready(&self, port: u16) -> bool {
        Command::new(self.bindir.join("pg_isready"))
            .args(["-q", "-h", "127.0.0.1", "-U", SUPERUSER, "-d", "postgres"])
            .args(["-p", &port.to_string()])
            .status()
            .is_ok_and(|status| status.success())
    }
}

/// Where the cluster of `data_dir` lives; `data_dir/postgres` when it is inside.
pub fn cluster_dir(data_dir: &Path) -> PathBuf {
    let link = data_dir.join("postgres");
    fs::read_link(&link).unwrap_or(link)
}

/// Whether `user` can enter `dir`: the kernel decides, on a child that changes
/// to `user` and then into `dir` before it runs anything.
fn can_enter(user: &User, dir: &Path) -> bool {
    Command::new("/bin/true")
        .current_dir(dir)
        .uid(user.uid.as_raw())
        .gid(user.gid.as_raw())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// The `postgres` user must pass through the shared root whatever the umask.
fn prepare_shared_root() -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::create_dir_all(SHARED_CLUSTER_ROOT)?;
    fs::set_permissions(SHARED_CLUSTER_ROOT, fs::Permissions::from_mode(0o755))
}

/// A folder under [`SHARED_CLUSTER_ROOT`] named after the data folder: its last
/// part, for people looking, and a digest of its whole path, so that two data
/// folders never share a cluster.
fn shared_cluster_dir(data_dir: &Path) -> PathBuf {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(data_dir.as_os_str().as_encoded_bytes());
    let hex = crate::format::hex(&digest[..6]);
    let tail: String = data_dir
        .file_name()
        .map(|name| name.to_string_lossy())
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        .collect();
    Path::new(SHARED_CLUSTER_ROOT).join(format!("{tail}-{hex}"))
}

/// Runs `command` from a thread that outlives the child, so that the child's
/// parent-death signal fires only when the whole server process is gone.
fn spawn_keeper(mut command: Command) -> Result<(Pid, mpsc::Receiver<()>), EmbeddedError> {
    let (pid_tx, pid_rx) = mpsc::channel();
    let (exit_tx, exit_rx) = mpsc::channel();
    thread::Builder::new()
        .name("embedded-postgres".into())
        .spawn(move || match command.spawn() {
            Ok(mut child) => {
                let _ = pid_tx.send(Ok(Pid::from_raw(child.id() as i32)));
                let _ = child.wait();
                let _ = exit_tx.send(());
            }
            Err(error) => {
                let _ = pid_tx.send(Err(error));
            }
        })
        .map_err(|error| command_error("postgres", error.to_string()))?;
    let pid = pid_rx
        .recv()
        .map_err(|error| command_error("postgres", error.to_string()))?
        .map_err(|error| command_error("postgres", error.to_string()))?;
    Ok((pid, exit_rx))
}

fn candidate_bindirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Ok(output) = Command::new("pg_config").arg("--bindir").output() {
        if output.status.success() {
            dirs.push(PathBuf::from(
                String::from_utf8_lossy(&output.stdout).trim(),
            ));
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .collect();
    versions.sort_by_key(|(version, _)| std::cmp::Reverse(*version));
    dirs.extend(versions.into_iter().map(|(_, dir)| dir));
    dirs
}

fn lock_data_dir(data_dir: &Path) -> Result<Flock<File>, EmbeddedError> {
    let path = data_dir.join("switchboard.lock");
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|source| data_dir_error(&path, source))?;
    Flock::lock(file, FlockArg::LockExclusiveNonblock)
        .map_err(|_| EmbeddedError::DataDirInUse(data_dir.to_owned()))
}

/// With the data-folder lock held, any postmaster still running on this
/// cluster was left behind by a server that died; stop it so ours can start.
fn stop_orphan(pgdata: &Path) {
    let Some(pid) = fs::read_to_string(pgdata.join("postmaster.pid"))
        .ok()
        .and_then(|text| text.lines().next()?.trim().parse::<i32>().ok())
        .map(Pid::from_raw)
    else {
        return;
    };
    if !is_postmaster_of(pid, pgdata) {
        return;
    }
    tracing::warn!(%pid, "stopping a Postgres left running by an earlier server");
    let _ = kill(pid, Signal::SIGINT);
    let deadline = Instant::now() + STOP_TIMEOUT;
    while Instant::now() < deadline && is_postmaster_of(pid, pgdata) {
        thread::sleep(Duration::from_millis(50));
    }
    if is_postmaster_of(pid, pgdata) {
        let _ = kill(pid, Signal::SIGKILL);
    }
}

fn is_postmaster_of(pid: Pid, pgdata: &Path) -> bool {
    fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|cmdline| {
        let args: Vec<&[u8]> = cmdline.split(|byte| *byte == 0).collect();
        args.windows(2).any(|pair| {
            pair[0] == b"-D" && Path::new(std::str::from_utf8(pair[1]).unwrap_or("")) == pgdata
        })
    })
}

/// A loopback port that is free right now, avoiding the ports of a cluster
/// that may still be shutting down.
fn free_port(data_dir: &Path) -> Result<u16, EmbeddedError> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .map_err(|source| data_dir_error(data_dir, source))
}

fn chown_tree(path: &Path, user: &User) -> std::io::Result<()> {
    nix::unistd::chown(path, Some(user.uid), Some(user.gid))?;
    if path.is_dir() {
        for entry in fs::read_dir(path)? {
            let entry = entry?;
            if !entry.file_type()?.is_symlink() {
                chown_tree(&entry.path(), user)?;
            }
        }
    }
    Ok(())
}

fn log_tail(log_path: &Path, from: u64) -> String {
    let mut text = String::new();
    if let Ok(mut file) = File::open(log_path) {
        let _ = file.seek(SeekFrom::Start(from));
        let _ = file.read_to_string(&mut text);
    }
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(5)..].join("\n")
}

fn data_dir_error(path: &Path, source: std::io::Error) -> EmbeddedError {
    EmbeddedError::DataDir {
        path: path.to_owned(),
        source,
    }
}

fn command_error(command: &str, detail: String) -> EmbeddedError {
    EmbeddedError::Command {
        command: command.to_owned(),
        detail,
    }
}
