//! `finishline data …`: the customer data onboarding engine from the command line.

use std::process::ExitCode;

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum DataCommand {
    /// Draft a data map from a file.
    Infer {
        /// The file to read.
        file: std::path::PathBuf,
    },
}

pub fn run(cmd: DataCommand) -> ExitCode {
    match cmd {
        DataCommand::Infer { file } => {
            eprintln!("not yet implemented: {}", file.display());
            ExitCode::from(2)
        }
    }
}
