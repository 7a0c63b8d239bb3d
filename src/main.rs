//! The `gstbatch` binary: parse the command line, run one command, map the
//! outcome to an exit code. Everything else lives in the library.

use std::io::{self, IsTerminal};
use std::process::ExitCode;

use clap::Parser;

use gstbatch::cli::{AccessCommand, Cli, Command};
use gstbatch::exit::Exit;
use gstbatch::{Error, access, check, generate, validate};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(exit) => exit.into(),
        Err(err) if err.is_broken_pipe() => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("gstbatch: {:#}", anyhow::Error::from(err));
            Exit::Failed.into()
        }
    }
}

fn run(cli: Cli) -> Result<Exit, Error> {
    match cli.command {
        Command::Check(args) => {
            let stdout = io::stdout();
            let interactive = stdout.is_terminal();
            let mut out = io::BufWriter::new(stdout.lock());
            check::run(&args, &mut io::stdin().lock(), &mut out, interactive)
        }
        Command::Validate(args) => validate::run(&args),
        Command::Access(a) => match a.command {
            AccessCommand::Apply(args) => access::run_apply(&args),
            AccessCommand::Status(args) => access::run_status(&args),
            AccessCommand::History(args) => access::run_history(&args),
        },
        Command::Generate(args) => match args.instructions {
            Some(gstins) => {
                generate::instructions(args.rows, gstins, args.seed, args.output.as_ref())
            }
            None => generate::run(args.rows, args.seed, args.output.as_ref()),
        },
    }
}
