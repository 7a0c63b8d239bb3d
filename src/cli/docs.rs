//! Shell completions and the manual page, generated from the same clap
//! definitions as the parser, so that neither can drift from it.

use std::io::{self, Write};

use clap::CommandFactory;
use clap_complete::Shell;

use super::Cli;

/// Writes the completion script for `shell`.
///
/// # Errors
/// When `out` cannot be written (clap_complete itself would panic, so the
/// script is made in memory first).
pub fn completions(shell: Shell, out: &mut dyn Write) -> io::Result<()> {
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
pub fn man(out: &mut dyn Write) -> io::Result<()> {
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
