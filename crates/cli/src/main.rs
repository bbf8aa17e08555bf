//! The `finishline` binary: parses the command line and calls into the libraries.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod commands;
#[allow(dead_code)]
mod demo;

#[derive(Debug, Parser)]
#[command(
    name = "finishline",
    version,
    about = "Finishline: from signed contract to a customer getting value"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Customer data onboarding: infer a data map, check, fix and export a file.
    #[command(subcommand)]
    Data(commands::data::DataCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Data(cmd) => commands::data::run(cmd),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_cli() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
