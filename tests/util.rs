//! Helpers: run the real binary in a fresh temporary folder and explain
//! failures with the command, its folder, stdout and stderr.

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

/// A temporary working folder for one test.
pub struct Dir {
    tmp: tempfile::TempDir,
}

impl Dir {
    /// A new, empty folder.
    pub fn new() -> Dir {
        Dir { tmp: tempfile::tempdir().expect("temp dir") }
    }

    /// The folder's path.
    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    /// A path inside the folder.
    pub fn join(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    /// Writes a file and returns its path.
    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.join(name);
        std::fs::write(&path, contents).expect("write test file");
        path
    }

    /// Reads a file as text.
    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.join(name)).expect("read test file")
    }

    /// A command for the binary, run in this folder. The platform's
    /// configuration folder is the test's own folder, so that no
    /// configuration file of the machine's user is read.
    pub fn cmd(&self) -> Cmd {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_gstbatch"));
        cmd.current_dir(self.path())
            .env("XDG_CONFIG_HOME", self.path())
            .env_remove("GSTBATCH_CONFIG");
        Cmd { cmd, stdin: None, cwd: self.path().to_path_buf(), stdout_redirected: false }
    }

    /// A command for another program (`/usr/bin/time`) run in the folder.
    pub fn cmd_of(&self, program: &str) -> Cmd {
        let mut cmd = std::process::Command::new(program);
        cmd.current_dir(self.path());
        Cmd { cmd, stdin: None, cwd: self.path().to_path_buf(), stdout_redirected: false }
    }

    /// A command for the binary run under `umask MASK` (through `sh`, since
    /// the standard library cannot set a child's umask).
    pub fn cmd_with_umask(&self, mask: &str) -> Cmd {
        let mut cmd = std::process::Command::new("sh");
        cmd.current_dir(self.path())
            .env("XDG_CONFIG_HOME", self.path())
            .env_remove("GSTBATCH_CONFIG")
            .args(["-c", &format!("umask {mask} && exec \"$0\" \"$@\"")])
            .arg(env!("CARGO_BIN_EXE_gstbatch"));
        Cmd { cmd, stdin: None, cwd: self.path().to_path_buf(), stdout_redirected: false }
    }

    /// The names of the files in the folder, sorted.
    pub fn files(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.path())
            .expect("list test folder")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

/// The path of a file in `samples/`.
pub fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples").join(name)
}

/// The binary with arguments, environment and optional stdin.
pub struct Cmd {
    cmd: std::process::Command,
    stdin: Option<Vec<u8>>,
    cwd: PathBuf,
    /// stdout goes to a file, so it is not captured.
    stdout_redirected: bool,
}

impl Cmd {
    /// Adds arguments.
    pub fn args<I, S>(mut self, args: I) -> Cmd
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.cmd.args(args);
        self
    }

    /// Adds one path argument.
    pub fn arg_path(mut self, path: PathBuf) -> Cmd {
        self.cmd.arg(path);
        self
    }

    /// Adds a word and then a path argument.
    pub fn arg_path_first(mut self, word: &str, path: PathBuf) -> Cmd {
        self.cmd.arg(word).arg(path);
        self
    }

    /// Sets an environment variable.
    pub fn env(mut self, key: &str, value: impl AsRef<std::ffi::OsStr>) -> Cmd {
        self.cmd.env(key, value);
        self
    }

    /// Sends stdout to a file (`/dev/full`, say) instead of capturing it.
    pub fn stdout_to(mut self, path: &str) -> Cmd {
        let file = std::fs::OpenOptions::new().write(true).open(path).expect("open stdout file");
        self.cmd.stdout(file);
        self.stdout_redirected = true;
        self
    }

    /// Pipes `input` to stdin.
    pub fn stdin(mut self, input: impl Into<Vec<u8>>) -> Cmd {
        self.stdin = Some(input.into());
        self
    }

    /// What a failure dump shows: the command, its folder and its stdin.
    fn shown(&self) -> String {
        let stdin = match &self.stdin {
            None => "(none)".to_string(),
            Some(b) if b.len() > 2000 => {
                format!("{:?}... ({} bytes)", String::from_utf8_lossy(&b[..2000]), b.len())
            }
            Some(b) => format!("{:?}", String::from_utf8_lossy(b)),
        };
        format!("{:?}\n--- in folder\n{}\n--- stdin\n{stdin}", self.cmd, self.cwd.display())
    }

    /// Runs to the end (at most two minutes) whatever the exit code.
    pub fn run_any(mut self) -> Run {
        let shown = self.shown();
        if self.stdout_redirected {
            // assert_cmd would capture stdout over the redirection.
            assert!(self.stdin.is_none(), "stdin with a redirected stdout is not supported");
            let out = self.cmd.output().expect("run gstbatch");
            return Run { out, shown };
        }
        let mut cmd = Command::from_std(self.cmd);
        if let Some(input) = self.stdin {
            cmd.write_stdin(input);
        }
        cmd.timeout(std::time::Duration::from_secs(120));
        let out: Output = cmd.output().expect("run gstbatch");
        Run { out, shown }
    }

    /// Runs and checks the exit code, printing everything on a mismatch.
    pub fn run(self, want: i32) -> Run {
        let run = self.run_any();
        if run.code() != Some(want) {
            panic!("\n{}", run.dump(&format!("want exit {want}")));
        }
        run
    }

    /// Starts the binary with piped stdin, stdout and stderr, for tests that
    /// kill it, read part of its output or close its pipes.
    pub fn spawn(mut self) -> std::process::Child {
        use std::process::Stdio;
        self.cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        self.cmd.spawn().expect("start gstbatch")
    }
}

/// Sends a signal (`TERM`, `INT`) to a running child, through `kill(1)`.
pub fn signal(child: &std::process::Child, name: &str) {
    let status = std::process::Command::new("kill")
        .args(["-s", name, &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -s {name} failed");
}

/// A finished run.
pub struct Run {
    out: Output,
    shown: String,
}

impl Run {
    /// The exit code (`None` if killed by a signal).
    pub fn code(&self) -> Option<i32> {
        self.out.status.code()
    }

    /// Everything about the run, for an assertion message.
    pub fn dump(&self, why: &str) -> String {
        format!(
            "--- command\n{}\n--- {why}, got exit {:?}\n--- stdout\n{}\n--- stderr\n{}\n",
            self.shown,
            self.code(),
            self.stdout(),
            self.stderr()
        )
    }

    /// Standard output as bytes.
    pub fn stdout_bytes(&self) -> Vec<u8> {
        self.out.stdout.clone()
    }

    /// Standard output as text.
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.out.stdout).into_owned()
    }

    /// Standard error as text.
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.out.stderr).into_owned()
    }
}

/// A CSV report's rows as maps from column to cell.
pub fn report_rows(csv_text: &str) -> Vec<std::collections::HashMap<String, String>> {
    let mut r = csv::Reader::from_reader(csv_text.as_bytes());
    let h: Vec<String> = r.headers().expect("a header row").iter().map(String::from).collect();
    r.records()
        .map(|rec| h.iter().cloned().zip(rec.expect("a record").iter().map(String::from)).collect())
        .collect()
}

/// Compares `got` with the golden file `tests/golden/NAME`; with
/// `GSTBATCH_BLESS=1` in the environment, rewrites the file instead.
pub fn golden(name: &str, got: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(name);
    if std::env::var_os("GSTBATCH_BLESS").is_some() {
        std::fs::write(&path, got).expect("bless golden file");
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("{}: {e} (run with GSTBATCH_BLESS=1 to create)", path.display())
    });
    if want != got {
        let first = want.lines().zip(got.lines()).position(|(a, b)| a != b);
        panic!(
            "{} differs (first differing line {:?}; GSTBATCH_BLESS=1 rewrites it)\n--- got\n{got}",
            path.display(),
            first.map(|i| i + 1)
        );
    }
}
