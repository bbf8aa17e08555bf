//! `finishline project …` and `finishline handoff …`.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Subcommand;
use finishline_app::handoffs::{import_handoff, NewHandoff};
use finishline_core::people::Side;
use finishline_core::status_update::r10_status_draft;
use finishline_core::Ctx;
use finishline_web::views;

use super::db::{pick_workspace, DbArgs};

#[derive(Debug, Subcommand)]
pub enum ProjectCommand {
    /// Every project with stage, health and who the ball is with.
    List {
        #[arg(long)]
        workspace: Option<String>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        db: DbArgs,
    },
    /// One project: owners, finish line, gates, time waiting on each side, health.
    Show {
        id: String,
        #[arg(long)]
        workspace: Option<String>,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        db: DbArgs,
    },
    /// The status update draft (R10) since the last update.
    Status {
        id: String,
        #[arg(long)]
        workspace: Option<String>,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum HandoffCommand {
    /// Create a project from a handoff file (JSON: customer, sold, promises, champion,
    /// expected_timeline, segment, contract_date, playbook, owner).
    Import {
        file: PathBuf,
        #[arg(long)]
        workspace: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
}

pub async fn project(cmd: ProjectCommand) -> Result<()> {
    let now = chrono::Utc::now();
    match cmd {
        ProjectCommand::List {
            workspace,
            json,
            db,
        } => {
            let store = db.open().await?;
            let ws = pick_workspace(&store, workspace.as_deref()).await?;
            let projects = store.projects(&ws.id).await?;
            let rows: Vec<_> = projects
                .iter()
                .map(|(p, _)| views::summary(p, now))
                .collect();
            if json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                println!(
                    "{:<38} {:<28} {:<14} {:<10} {:>8} {:>8}  OWNER",
                    "ID", "NAME", "STAGE", "HEALTH", "WAIT:CUS", "WAIT:VEN"
                );
                for r in &rows {
                    println!(
                        "{:<38} {:<28} {:<14} {:<10} {:>8} {:>8}  {}",
                        r.id,
                        truncate(&r.name, 28),
                        r.stage.label(),
                        r.health.level.label(),
                        r.waiting_on_customer,
                        r.waiting_on_vendor,
                        r.owner.as_deref().unwrap_or("(none)")
                    );
                }
                println!("{} project(s) in {}", rows.len(), ws.name);
            }
            store.close().await;
        }
        ProjectCommand::Show {
            id,
            workspace,
            json,
            db,
        } => {
            let store = db.open().await?;
            let ws = pick_workspace(&store, workspace.as_deref()).await?;
            let (p, version) = store
                .project(&ws.id, &id)
                .await?
                .with_context(|| format!("there is no project {id} in {}", ws.name))?;
            let acts = store.activities(&ws.id, &id).await?;
            let view = views::view(p, version, &acts, now);
            if json {
                println!("{}", serde_json::to_string_pretty(&view)?);
            } else {
                print_view(&view);
            }
            store.close().await;
        }
        ProjectCommand::Status {
            id,
            workspace,
            json,
            db,
        } => {
            let store = db.open().await?;
            let ws = pick_workspace(&store, workspace.as_deref()).await?;
            let (p, _) = store
                .project(&ws.id, &id)
                .await?
                .with_context(|| format!("there is no project {id} in {}", ws.name))?;
            let acts = store.activities(&ws.id, &id).await?;
            let draft = r10_status_draft(&p, &acts, now);
            if json {
                println!("{}", serde_json::to_string_pretty(&draft)?);
            } else {
                println!("{}", draft.to_text());
            }
            store.close().await;
        }
    }
    Ok(())
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

fn print_view(v: &views::ProjectView) {
    let p = &v.project;
    println!("{} — {} ({})", p.name, p.customer, p.id);
    println!("stage:        {}", p.stage.label());
    println!("health:       {}", v.health.level.label());
    for r in &v.health.reasons {
        println!("              - {r}");
    }
    println!(
        "vendor owner: {}",
        p.vendor_owner()
            .map(|o| o.name.as_str())
            .unwrap_or("(none)")
    );
    println!(
        "customer:     {}",
        p.customer_owner()
            .map(|o| o.name.as_str())
            .unwrap_or("(none)")
    );
    if let Some(f) = &p.finish_line {
        println!("finish line:  {}", f.text);
    }
    if let Some(d) = p.launch_date {
        println!("launch:       {d}");
    }
    println!(
        "waiting:      {:.1} day(s) on the customer, {:.1} on the vendor",
        v.ball.project.customer_days(),
        v.ball.project.vendor_days()
    );
    let open = p.tasks.iter().filter(|t| t.is_open()).count();
    println!("tasks:        {open} open of {}", p.tasks.len());
    for gate in [&v.gates.kickoff, &v.gates.go_live] {
        println!(
            "{}: {}",
            gate.gate.title(),
            if gate.ready { "ready" } else { "not ready" }
        );
        for item in gate.failing() {
            println!("  ✗ {}: {}", item.label, item.reason);
        }
    }
}

pub async fn handoff(cmd: HandoffCommand) -> Result<()> {
    match cmd {
        HandoffCommand::Import {
            file,
            workspace,
            db,
        } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let handoff: NewHandoff = finishline_web::json::parse(&bytes)
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let store = db.open().await?;
            let ws = pick_workspace(&store, workspace.as_deref()).await?;
            let ctx = Ctx {
                actor: "finishline handoff import".into(),
                person: None,
                side: Side::Vendor,
                now: chrono::Utc::now(),
            };
            let p = import_handoff(&store, &ws.id, handoff, &ctx)
                .await
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            println!(
                "created project {} \"{}\" for {} ({} tasks from playbook {})",
                p.id,
                p.name,
                p.customer,
                p.tasks.len(),
                p.playbook.name
            );
            let unresolved = p.handoff.unresolved_promises().count();
            if unresolved > 0 {
                println!(
                    "note: {unresolved} promise(s) must be classified or resolved before kickoff"
                );
            }
            store.close().await;
        }
    }
    Ok(())
}
