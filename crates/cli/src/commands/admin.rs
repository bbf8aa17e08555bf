//! `finishline user …`, `token …` and `backup`.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use finishline_store::credentials::{hash_password, password_problem};
use finishline_store::{audit, By, NewAuditEvent, UserRole};

use super::db::{pick_workspace, DbArgs};

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a member to a workspace (creating the workspace when --workspace-name is given).
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// The password; read from FINISHLINE_PASSWORD or standard input when not given.
        #[arg(long, env = "FINISHLINE_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        /// Make the member a workspace admin.
        #[arg(long)]
        admin: bool,
        /// The workspace to join; needed when there are several.
        #[arg(long, conflicts_with = "workspace_name")]
        workspace: Option<String>,
        /// Create a new workspace with this name for the member.
        #[arg(long)]
        workspace_name: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
    /// List the members of a workspace.
    List {
        #[arg(long)]
        workspace: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token acting as a member; prints the secret once.
    Create {
        /// The member the token acts as.
        #[arg(long)]
        email: String,
        /// What the token is for.
        #[arg(long)]
        name: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The file to write; must not exist yet.
    pub to: PathBuf,
    #[command(flatten)]
    pub db: DbArgs,
}

fn read_password(given: Option<String>) -> Result<String> {
    if let Some(p) = given {
        return Ok(p);
    }
    if std::io::stdin().is_terminal() {
        eprint!("password (at least 10 characters; input is shown): ");
    }
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("reading the password")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

pub async fn user(cmd: UserCommand) -> Result<()> {
    match cmd {
        UserCommand::Create {
            email,
            name,
            password,
            admin,
            workspace,
            workspace_name,
            db,
        } => {
            if !finishline_core::people::valid_email(&email) {
                bail!("--email: {email:?} is not an email address");
            }
            if name.trim().is_empty() {
                bail!("--name: give the member's name");
            }
            let password = read_password(password)?;
            if let Some(p) = password_problem(&password) {
                bail!("password {p}");
            }
            let store = db.open().await?;
            let now = chrono::Utc::now();
            let ws = match workspace_name {
                Some(n) if !n.trim().is_empty() => store.create_workspace(n.trim(), now).await?,
                Some(_) => bail!("--workspace-name: give the workspace a name"),
                None => pick_workspace(&store, workspace.as_deref()).await?,
            };
            let hash = tokio::task::spawn_blocking(move || hash_password(&password))
                .await?
                .map_err(anyhow::Error::msg)?;
            let role = if admin {
                UserRole::Admin
            } else {
                UserRole::Member
            };
            let user = store
                .create_user(&ws.id, &email, &name, &hash, role, &By::command_line(now))
                .await?;
            println!(
                "created {} {} <{}> in workspace {} ({})",
                role.as_str(),
                user.name,
                user.email,
                ws.name,
                ws.id
            );
            store.close().await;
        }
        UserCommand::List { workspace, db } => {
            let store = db.open().await?;
            let ws = pick_workspace(&store, workspace.as_deref()).await?;
            for u in store.users(&ws.id).await? {
                println!("{}\t{}\t{}\t{}", u.id, u.role.as_str(), u.email, u.name);
            }
            store.close().await;
        }
    }
    Ok(())
}

pub async fn token(cmd: TokenCommand) -> Result<()> {
    match cmd {
        TokenCommand::Create { email, name, db } => {
            if name.trim().is_empty() {
                bail!("--name: say what the token is for");
            }
            let store = db.open().await?;
            let user = store
                .user_by_email(&email)
                .await?
                .with_context(|| format!("there is no member with email {email}"))?;
            let (token, secret) = store
                .create_api_token(&user, &name, &By::command_line(chrono::Utc::now()))
                .await?;
            eprintln!(
                "token {} ({}) acts as {}; keep the secret, it is shown only now:",
                token.id, token.name, user.email
            );
            println!("{secret}");
            store.close().await;
        }
    }
    Ok(())
}

pub async fn backup(args: BackupArgs) -> Result<()> {
    if args.to.exists() {
        bail!("{} exists already; choose a new file", args.to.display());
    }
    let store = args.db.open().await?;
    store
        .backup(&args.to)
        .await
        .with_context(|| format!("writing the backup to {}", args.to.display()))?;
    let size = std::fs::metadata(&args.to).map(|m| m.len()).unwrap_or(0);
    let event = NewAuditEvent {
        workspace_id: None,
        actor: "command line".into(),
        kind: audit::kind::BACKUP_WRITTEN.into(),
        detail: serde_json::json!({"file": args.to.display().to_string(), "bytes": size}),
        client_address: None,
    };
    store
        .record_audit(&event, chrono::Utc::now())
        .await
        .context("recording the backup in the audit trail")?;
    store.close().await;
    println!("backup written to {} ({size} bytes)", args.to.display());
    Ok(())
}
