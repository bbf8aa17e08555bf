//! The `finishline` binary: parses the command line and calls into the libraries.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod commands;

use finishline::demo;

#[derive(Debug, Parser)]
#[command(
    name = "finishline",
    version,
    about = "Finishline: from signed contract to a customer getting value",
    long_about = "Finishline: from signed contract to a customer getting value.\n\n\
        Start with `finishline demo` to look around, `finishline serve` to run it for real."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server with a fresh demo workspace on an embedded database; prints the URL and a login.
    Demo(commands::serve::DemoArgs),
    /// Run the server.
    Serve(Box<commands::serve::ServeArgs>),
    /// Create or update the database schema (the server also does this when it starts).
    Migrate(commands::db::DbArgs),
    /// Manage workspace members.
    #[command(subcommand)]
    User(commands::admin::UserCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(commands::admin::TokenCommand),
    /// Look at projects from the command line.
    #[command(subcommand)]
    Project(commands::project::ProjectCommand),
    /// Hand deals over from sales.
    #[command(subcommand)]
    Handoff(commands::project::HandoffCommand),
    /// Copy a live SQLite database to a file, consistently, while the server runs.
    Backup(commands::admin::BackupArgs),
    /// Restore a `finishline backup` file into a data folder that has no database yet.
    Restore(commands::transfer::RestoreArgs),
    /// Copy every row of the embedded database into an empty PostgreSQL database, and prove it
    /// (counts and checksums per table); the server may keep running meanwhile.
    Copy(commands::transfer::CopyArgs),
    // The help text is on `ExportArgs` (a doc comment here would replace its long help).
    Export(commands::export::ExportArgs),
    /// Customer data onboarding: infer a data map, check, fix and export a file.
    #[command(subcommand)]
    Data(commands::data::DataCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Data(cmd) = cli.command {
        // The data engine needs no runtime and no database.
        return commands::data::run(cmd);
    }
    init_tracing();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Demo(args) => commands::serve::demo(args).await,
            Command::Serve(args) => commands::serve::serve(*args).await,
            Command::Migrate(db) => commands::db::migrate(db).await,
            Command::User(cmd) => commands::admin::user(cmd).await,
            Command::Token(cmd) => commands::admin::token(cmd).await,
            Command::Project(cmd) => commands::project::project(cmd).await,
            Command::Handoff(cmd) => commands::project::handoff(cmd).await,
            Command::Backup(args) => commands::admin::backup(args).await,
            Command::Restore(args) => commands::transfer::restore(args).await,
            Command::Copy(args) => commands::transfer::copy(args).await,
            Command::Export(args) => commands::export::export(args).await,
            Command::Data(_) => Ok(()),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("FINISHLINE_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
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
