//! The `gstbatch` binary: parse the command line, resolve it into settings,
//! run one command, map the outcome to an exit code. Everything else lives
//! in the library.

use std::io::{self, Write};
use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use clap_complete::Shell;

use gstbatch::cli::Cli;
use gstbatch::config::Config;
use gstbatch::exit::Exit;
use gstbatch::{Error, access, check, extract, generate, validate, verify};

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Ctrl-C or SIGTERM: remove unfinished output files, then stop. The old
    // report stays; an open store transaction is never committed.
    let _ = ctrlc::set_handler(|| {
        if !gstbatch::batch::interrupt::on_signal() {
            eprintln!("gstbatch: stopping: no new calls; finishing those under way");
            return;
        }
        gstbatch::batch::output::remove_partials();
        eprintln!("gstbatch: interrupted; nothing unfinished was left behind");
        std::process::exit(i32::from(Exit::Failed.code()));
    });
    match Config::from_cli(cli).and_then(run) {
        Ok(exit) => exit.into(),
        Err(err) if err.is_broken_pipe() => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("gstbatch: {:#}", anyhow::Error::from(err));
            Exit::Failed.into()
        }
    }
}

fn run(config: Config) -> Result<Exit, Error> {
    match config {
        Config::Check(s) => {
            let mut out = io::BufWriter::new(io::stdout().lock());
            check::run(&s, &mut io::stdin().lock(), &mut out)
        }
        Config::Validate(s) => validate::run(&s),
        Config::Apply(s) => access::apply::run(&s),
        Config::Status(s) => access::status::run(&s),
        Config::History(s) => access::history::run(&s),
        Config::Verify(s) => verify::run(&s),
        Config::Generate(s) => generate::run(&s),
        Config::Extract(s) => extract::run(&s),
        Config::Completions(shell) => {
            completions(shell, &mut io::stdout().lock()).map_err(stdout_error)?;
            Ok(Exit::Clean)
        }
        Config::Show(text) => {
            io::Write::write_all(&mut io::stdout().lock(), text.as_bytes())
                .map_err(stdout_error)?;
            Ok(Exit::Clean)
        }
        Config::Man => {
            man(&mut io::stdout().lock()).map_err(stdout_error)?;
            Ok(Exit::Clean)
        }
    }
}

fn stdout_error(source: io::Error) -> Error {
    Error::Write { path: "-".into(), source }
}

// Shell completions and the manual page, generated from the same clap
// definitions as the parser, so that neither can drift from it.

/// Writes the completion script for `shell`.
///
/// # Errors
/// When `out` cannot be written (clap_complete itself would panic, so the
/// script is made in memory first).
fn completions(shell: Shell, out: &mut dyn Write) -> io::Result<()> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "gstbatch", &mut script);
    out.write_all(&script)
}

/// Writes the manual page: the whole command tree on one page, each
/// command a section with its synopsis, description and options, then the
/// environment, files and exit status.
///
/// # Errors
/// When `out` cannot be written.
fn man(out: &mut dyn Write) -> io::Result<()> {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let page = clap_mangen::Man::new(cmd.clone()).manual("gstbatch manual");
    page.render_title(out)?;
    page.render_name_section(out)?;
    page.render_synopsis_section(out)?;
    page.render_description_section(out)?;
    page.render_options_section(out)?;
    for sub in cmd.get_subcommands() {
        command_section(sub, out)?;
    }
    out.write_all(TAIL.as_bytes())?;
    page.render_version_section(out)
}

/// One command's section (and, after it, its subcommands'): the page's own
/// SYNOPSIS, DESCRIPTION and OPTIONS sections become subsections of it.
fn command_section(cmd: &clap::Command, out: &mut dyn Write) -> io::Result<()> {
    if cmd.is_hide_set() {
        return Ok(());
    }
    let name = cmd.get_bin_name().unwrap_or(cmd.get_name()).to_uppercase();
    writeln!(out, ".SH \"{name}\"")?;
    let page = clap_mangen::Man::new(cmd.clone());
    let mut body = Vec::new();
    page.render_synopsis_section(&mut body)?;
    page.render_description_section(&mut body)?;
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        page.render_options_section(&mut body)?;
    }
    for line in String::from_utf8_lossy(&body).lines() {
        match line.strip_prefix(".SH ") {
            Some(heading) => writeln!(out, ".SS {heading}")?,
            None => writeln!(out, "{line}")?,
        }
    }
    for sub in cmd.get_subcommands() {
        command_section(sub, out)?;
    }
    Ok(())
}

/// The sections clap does not know: environment, files, exit status.
const TAIL: &str = r#".SH ENVIRONMENT
.TP
\fBGSTBATCH_CONFIG\fR
The configuration file, instead of the platform's (see FILES).
.TP
\fBGSTBATCH_STATE\fR
The state store, when \fB\-\-state\fR is not given.
.TP
\fBGSTBATCH_API_BASE\fR
The provider's API, when \fB\-\-api\-base\fR is not given.
.TP
\fBGSTBATCH_API_KEY\fR, \fBGSTBATCH_API_SECRET\fR
The provider's credentials, when \fB\-\-credentials\fR is not given. Never printed or stored.
.SH FILES
.TP
\fI~/.config/gstbatch/config.toml\fR
Defaults a practice sets once (Windows: \fI%APPDATA%\\gstbatch\\config.toml\fR; \fBGSTBATCH_CONFIG\fR elsewhere); keys are long flag names. \fBgstbatch config\fR shows what is in effect.
.TP
\fI~/.local/share/gstbatch/state.db\fR
The state store (Windows: \fI%LOCALAPPDATA%\\gstbatch\\state.db\fR).
.SH "EXIT STATUS"
.TP
\fB0\fR
Everything processed, nothing to report.
.TP
\fB1\fR
Everything processed; some records invalid, rejected or changed.
.TP
\fB2\fR
Nothing usable done: bad usage, an unreadable input, a store or provider failure.
"#;
