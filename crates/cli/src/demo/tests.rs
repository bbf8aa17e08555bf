//! The demo holds its stories: stages, waits, loops and logins as the README tells them.

use super::*;
use finishline_core::ball::r7_ball_in_court;
use finishline_core::health::health;
use finishline_core::lifecycle::Stage;
use finishline_core::scorecard::r12_scorecard;
use finishline_store::credentials::verify_password;
use finishline_store::testing::fresh_sqlite;
use std::collections::BTreeSet;

fn now() -> DateTime<Utc> {
    Utc::now()
}

#[tokio::test]
async fn demo_seeds_five_projects_at_four_or_more_stages() {
    let db = fresh_sqlite().await.unwrap();
    let login = seed(&db.store, now()).await.unwrap();
    let projects = db.store.projects(&login.workspace_id).await.unwrap();
    assert!(projects.len() >= 5, "{} projects", projects.len());
    let stages: BTreeSet<String> = projects.iter().map(|(p, _)| p.stage.key()).collect();
    assert!(stages.len() >= 4, "stages {stages:?}");
}

#[tokio::test]
async fn the_21_day_rollout_waited_exactly_8_days_on_the_customer() {
    let db = fresh_sqlite().await.unwrap();
    let now = now();
    let login = seed(&db.store, now).await.unwrap();
    let (p, _) = db
        .store
        .projects(&login.workspace_id)
        .await
        .unwrap()
        .into_iter()
        .find(|(p, _)| p.customer == "Lindenwood Family Clinic")
        .unwrap();
    let acts = db
        .store
        .activities(&login.workspace_id, &p.id)
        .await
        .unwrap();
    let ball = r7_ball_in_court(&acts, now);
    assert_eq!(ball.project.customer_seconds, 8 * 86_400);
    assert_eq!(ball.project.customer_days(), 8.0);
    let card = r12_scorecard(&p, &acts, now);
    assert_eq!(card.days_to_launch, 21);
    assert!(card.live);
    assert_eq!(card.days_waiting_on_customer, 8.0);
    assert_eq!(card.live_on_plan, Some(true));
    assert_eq!(card.first_week_logins, Some(47));
}

#[tokio::test]
async fn the_demo_data_map_serves_the_import_task_and_its_example_is_messy() {
    let db = fresh_sqlite().await.unwrap();
    let login = seed(&db.store, now()).await.unwrap();
    let mut with_maps = Vec::new();
    for row in db.store.project_rows(&login.workspace_id).await.unwrap() {
        let (p, _) = db
            .store
            .project(&login.workspace_id, &row.id)
            .await
            .unwrap()
            .unwrap();
        if !p.data_maps.is_empty() {
            with_maps.push(p);
        }
    }
    assert_eq!(with_maps.len(), 1);
    let m = &with_maps[0].data_maps[0];
    let task = with_maps[0].task(m.task.unwrap()).unwrap();
    assert_eq!(task.step_key.as_deref(), Some("data-import"));
    assert!(m.sample.is_some());

    // A new user trying it meets one flagged item of each kind the walkthrough fixes.
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("policyholders.csv");
    std::fs::write(&csv, DEMO_SAMPLE).unwrap();
    let map = finishline_data::DataMap::from_json(DEMO_MAP).unwrap();
    let report = finishline_data::check(
        &csv,
        &map,
        &finishline_data::Fixes::default(),
        &finishline_data::CheckOptions::default(),
    )
    .unwrap();
    assert_eq!(report.count("pattern"), 1, "the bad email");
    assert_eq!(
        report.count("country-unrecognised"),
        2,
        "the unknown country"
    );
    assert_eq!(
        report.count("duplicate-key"),
        1,
        "the near-duplicate company"
    );
}

#[tokio::test]
async fn every_demo_project_reads_back_with_its_activity_log() {
    let db = fresh_sqlite().await.unwrap();
    let now = now();
    let login = seed(&db.store, now).await.unwrap();
    let rows = db.store.project_rows(&login.workspace_id).await.unwrap();
    assert!(rows.len() >= 5);
    for row in rows {
        let (p, version) = db
            .store
            .project(&login.workspace_id, &row.id)
            .await
            .unwrap()
            .unwrap();
        // Stored once; the data map is added after (its files need the project's row).
        let expected = if p.data_maps.is_empty() { 1 } else { 2 };
        assert_eq!(version, expected, "{}", p.name);
        let acts = db
            .store
            .activities(&login.workspace_id, &p.id)
            .await
            .unwrap();
        assert!(acts.len() > 20, "{}: {} activities", p.name, acts.len());
        assert!(acts.windows(2).all(|w| w[0].at <= w[1].at), "{}", p.name);
        assert!(acts.iter().all(|a| a.at < now), "{}", p.name);
        let card = r12_scorecard(&p, &acts, now);
        assert!(card.days_to_launch > 0, "{}", p.name);
        assert!(p.finish_line.is_some(), "{}", p.name);
        assert!(p.customer_owner().is_some(), "{}", p.name);
    }
}

#[tokio::test]
async fn demo_stories_hold() {
    let db = fresh_sqlite().await.unwrap();
    let now = now();
    let login = seed(&db.store, now).await.unwrap();
    let projects = db.store.projects(&login.workspace_id).await.unwrap();
    let by = |c: &str| {
        projects
            .iter()
            .find(|(p, _)| p.customer == c)
            .map(|(p, _)| p.clone())
            .unwrap()
    };
    let harbor = by("Harbor & Pine Insurance");
    assert_eq!(harbor.stage, Stage::Handoff);
    assert!(!finishline_core::gates::g1_kickoff_readiness(&harbor).ready);
    let calder = by("Calder Field Services");
    assert_eq!(calder.stage, Stage::Build);
    assert!(calder.tasks.iter().any(|t| matches!(
        t.status,
        finishline_core::plan::TaskStatus::Blocked(_)
    ) && t.escalated_at.is_some()));
    assert_eq!(calder.launch_rebaselines.len(), 1);
    let h = health(&calder, now);
    assert_eq!(h.level, finishline_core::health::HealthLevel::AtRisk);
    assert!(
        h.reasons.iter().any(|r| r.contains("blocker")),
        "{:?}",
        h.reasons
    );
    let bright = by("Brightwater Property Management");
    assert_eq!(bright.stage, Stage::Uat);
    assert!(bright.uat.iter().any(|c| c.failures == 1));
    let ridgeway = by("Ridgeway Logistics");
    assert_eq!(ridgeway.stage, Stage::Complete);
    assert!(finishline_core::command::r11_done_is_value(&ridgeway).is_empty());
    let acts = db
        .store
        .activities(&login.workspace_id, &ridgeway.id)
        .await
        .unwrap();
    let card = r12_scorecard(&ridgeway, &acts, now);
    assert_eq!(card.days_to_launch, 10);
    assert_eq!(card.loops.sales_realign, 1);
    let clinic = by("Lindenwood Family Clinic");
    assert_eq!(clinic.stage, Stage::Hypercare);
    for (p, _) in &projects {
        if let Some(f) = &p.finish_line {
            assert!(
                f.vague_reasons.is_empty(),
                "{}: {:?}",
                p.name,
                f.vague_reasons
            );
        }
    }
}

#[tokio::test]
async fn demo_seeds_at_any_time_of_day() {
    let today = Utc::now().date_naive();
    for time in ["00:00:01", "12:30:00", "23:59:59"] {
        let now = today.and_time(time.parse().unwrap()).and_utc();
        let db = fresh_sqlite().await.unwrap();
        let login = seed(&db.store, now).await.unwrap();
        let clinic = db
            .store
            .projects(&login.workspace_id)
            .await
            .unwrap()
            .into_iter()
            .find(|(p, _)| p.customer == "Lindenwood Family Clinic")
            .unwrap()
            .0;
        let acts = db
            .store
            .activities(&login.workspace_id, &clinic.id)
            .await
            .unwrap();
        assert_eq!(
            r7_ball_in_court(&acts, now).project.customer_seconds,
            8 * 86_400,
            "at {time}"
        );
        assert_eq!(
            r12_scorecard(&clinic, &acts, now).days_to_launch,
            21,
            "at {time}"
        );
    }
}

#[tokio::test]
async fn demo_login_verifies() {
    let db = fresh_sqlite().await.unwrap();
    let login = seed(&db.store, now()).await.unwrap();
    assert_eq!(login.email, "demo@finishline.local");
    assert_eq!(login.password, "finishline-demo");
    let user = db.store.user_by_email(&login.email).await.unwrap().unwrap();
    assert_eq!(user.workspace_id, login.workspace_id);
    assert_eq!(user.role, UserRole::Admin);
    assert!(verify_password(&login.password, &user.password_hash));
    let users = db.store.users(&login.workspace_id).await.unwrap();
    assert_eq!(users.len(), 2);
}
