//! The `gstbatch` binary: parse the command line, resolve it into settings,
//! run one command, map the outcome to an exit code. Everything else lives
//! in the library.

use std::io;
use std::process::ExitCode;

use clap::Parser;

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
            gstbatch::cli::completions(shell, &mut io::stdout().lock()).map_err(stdout_error)?;
            Ok(Exit::Clean)
        }
        Config::Show(text) => {
            io::Write::write_all(&mut io::stdout().lock(), text.as_bytes())
                .map_err(stdout_error)?;
            Ok(Exit::Clean)
        }
        Config::Man => {
            gstbatch::cli::man(&mut io::stdout().lock()).map_err(stdout_error)?;
            Ok(Exit::Clean)
        }
    }
}

fn stdout_error(source: io::Error) -> Error {
    Error::Write { path: "-".into(), source }
}
