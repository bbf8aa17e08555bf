//! Seeds a workspace for the load benchmark: N projects of T tasks each, built through the core
//! like real ones (people, finish line, tasks added, some done with proof), each with a history
//! (`history::walk`): contracts spread over eighteen months, stages walked with the loops (sales
//! realign, UAT rework, no-go, adoption intervention), waits on both sides, pauses, moved dates
//! with reasons, go-lives, value reviews and completions; recent contracts are still open.
//!
//! cargo run --release --example seed_bench -- DATABASE_URL [PROJECTS] [TASKS]
//! Prints the workspace id; the member is bench@finishline.local / bench-password.

use anyhow::{bail, Context, Result};
use chrono::{Duration, Utc};
use finishline_core::command::{create_project, Ctx, NewPerson, NewProject};
use finishline_core::handoff::{Handoff, Segment};
use finishline_core::people::{Role, Side};
use finishline_core::plan::{Proof, TaskLabel};
use finishline_core::{apply, playbook, Command};
use finishline_store::{credentials, Store, UserRole};

#[path = "seed_bench/history.rs"]
mod history;

#[tokio::main]
async fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let Some(url) = args.get(1) else {
        bail!("usage: seed_bench DATABASE_URL [PROJECTS] [TASKS]");
    };
    let projects: usize = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(2000);
    let tasks: usize = args.get(3).map(|s| s.parse()).transpose()?.unwrap_or(60);
    let store = Store::open(url).await.context("opening the database")?;
    let now = Utc::now();
    let ws = store.create_workspace("Bench", now).await?;
    let hash = credentials::hash_password("bench-password").map_err(anyhow::Error::msg)?;
    store
        .create_user(
            &ws.id,
            "bench@finishline.local",
            "Bench",
            &hash,
            UserRole::Admin,
            &finishline_store::By::new("bench seed", None, now),
        )
        .await?;
    let mut stages: std::collections::BTreeMap<String, usize> = Default::default();
    for i in 0..projects {
        // Contracts spread over eighteen months, deterministically per project.
        let start = now - Duration::days(10 + (i as i64 * 7919) % 540);
        let mut ctx = Ctx {
            actor: "Bench (vendor)".into(),
            person: None,
            side: Side::Vendor,
            now: start,
        };
        let (mut p, mut log) = create_project(
            NewProject {
                id: format!("prj_bench_{i:05}"),
                name: format!("Rollout {i}"),
                customer: format!("Customer {i}"),
                handoff: Handoff {
                    sold: "Platform, 50 seats".into(),
                    promises: vec![],
                    champion: "Lee".into(),
                    expected_timeline: "45 days".into(),
                    segment: [Segment::Smb, Segment::MidMarket, Segment::Enterprise][i % 3],
                    contract_date: start.date_naive(),
                    account_executive: "Sam".into(),
                },
                // Two versions side by side: later contracts run version 2.
                playbook: {
                    let mut pb = playbook::standard();
                    pb.version = if i % 5 < 2 { 2 } else { 1 };
                    pb
                },
                owner: Some(NewPerson {
                    name: format!("Owner {}", i % 12),
                    email: format!("owner{}@vendor.test", i % 12),
                    user_id: None,
                }),
                start_date: start.date_naive(),
            },
            &ctx,
        )?;
        let mut run = |p: &mut finishline_core::Project, c: Command, ctx: &Ctx| -> Result<()> {
            log.extend(apply(p, c, ctx)?);
            Ok(())
        };
        for (name, role) in [
            ("Casey", Role::CustomerOwner),
            ("Bo", Role::BackupContact),
            ("Dee", Role::DecisionMaker),
        ] {
            run(
                &mut p,
                Command::AddPerson {
                    name: name.into(),
                    email: format!("{}{i}@customer.test", name.to_lowercase()),
                    side: Side::Customer,
                    role,
                    user_id: None,
                },
                &ctx,
            )?;
        }
        run(&mut p, Command::SetFinishLine { text: format!("Team {i} handles 100% of its weekly orders in the product, down from 6 h to 2 h of manual work a week.") }, &ctx)?;
        let owner = p.vendor_owner().map(|o| o.id).unwrap_or(0);
        let customer = p.customer_owner().map(|o| o.id).unwrap_or(0);
        let extra = tasks.saturating_sub(p.tasks.len());
        // Each side's extra tasks form a chain (each waits on the side's previous one), as
        // work is done one piece after another, not all open at once.
        let mut chain: Vec<u32> = Vec::new();
        for k in 0..extra {
            let (label, who) = if k % 2 == 0 {
                (TaskLabel::VendorTask, owner)
            } else {
                (TaskLabel::CustomerTask, customer)
            };
            run(
                &mut p,
                Command::AddTask {
                    title: format!("Extra task {k}"),
                    phase: "Build".into(),
                    label,
                    owner: who,
                    due: start.date_naive() + Duration::days(10 + (k as i64 % 40)),
                    depends_on: k.checked_sub(2).map(|j| chain[j]).into_iter().collect(),
                    needs_proof: true,
                    visibility: Default::default(),
                },
                &ctx,
            )?;
            chain.push(p.tasks.last().map_or(0, |t| t.id));
        }
        ctx.now = start + Duration::days(2);
        let open: Vec<u32> = p
            .tasks
            .iter()
            .filter(|t| t.is_open() && t.depends_on.is_empty())
            .map(|t| t.id)
            .take(5)
            .collect();
        for t in open {
            if run(
                &mut p,
                Command::CompleteTask {
                    task: t,
                    proof: Some(Proof::Note("done".into())),
                    completed_by: None,
                },
                &ctx,
            )
            .is_err()
            {
                continue;
            }
        }
        let last = history::walk(&mut p, &mut log, i, start, now);
        *stages.entry(p.stage.key()).or_default() += 1;
        store.insert_project(&ws.id, &p, &log, last).await?;
        if (i + 1) % 200 == 0 {
            eprintln!("{} / {projects} projects", i + 1);
        }
    }
    eprintln!("projects by stage: {stages:?}");
    println!("{}", ws.id);
    Ok(())
}
