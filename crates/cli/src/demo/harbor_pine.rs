//! Seed 004: an enterprise deal where sales said "the product does X". The owner caught it in the
//! handoff, took the realign-with-sales loop, and kickoff stays blocked (G1) until it is resolved.

use anyhow::{bail, Result};
use chrono::{DateTime, Utc};
use finishline_core::finish_line::Direction;
use finishline_core::handoff::{Handoff, PromiseClass, PromiseResolution, Segment};
use finishline_core::intake::{AccessDirection, IntakeKind, SampleState};
use finishline_core::lifecycle::Stage;
use finishline_core::people::{Role, Side};
use finishline_core::playbook::standard;
use finishline_core::scope::ScopeBucket;
use finishline_core::Command;

use super::script::*;

pub(super) fn harbor_pine(team: &Team, prefix: &str, now: DateTime<Utc>) -> Result<Script> {
    let mut s = Script::start(
        now,
        6,
        format!("{prefix}_harbor_pine"),
        "Harbor & Pine Insurance — renewals desk",
        "Harbor & Pine Insurance",
        |contract| {
            Handoff {
            sold: "Renewals workspace for the 14-person renewals desk, 12-month subscription, white-glove onboarding".into(),
            promises: vec![
                promise("Single sign-on with their Okta"),
                promise("Two-way Salesforce sync of renewal records, live at launch"),
                promise("A branded customer portal for policyholders"),
            ],
            champion: "Olivia Grant, head of renewals".into(),
            expected_timeline: "Live in 45 days, before the January renewal wave".into(),
            segment: Segment::Enterprise,
            contract_date: contract,
            account_executive: "Jordan Blake".into(),
        }
        },
        standard(),
        &team.alex,
    )?;
    let alex = s.owner()?;
    s.person(
        &alex,
        0,
        10,
        "Jordan Blake",
        "jordan.blake@finishline.local",
        Side::Vendor,
        Role::AccountExecutive,
        None,
    )?;
    s.person(
        &alex,
        0,
        10,
        "Chris Lane",
        "chris.lane@finishline.local",
        Side::Vendor,
        Role::DecisionMaker,
        None,
    )?;
    let olivia = s.person(
        &alex,
        0,
        10,
        "Olivia Grant",
        "olivia.grant@harborpine.example",
        Side::Customer,
        Role::CustomerOwner,
        None,
    )?;
    s.person(
        &alex,
        0,
        10,
        "Marcus Webb",
        "marcus.webb@harborpine.example",
        Side::Customer,
        Role::BackupContact,
        None,
    )?;
    let ruth = s.person(
        &alex,
        0,
        10,
        "Ruth Castillo",
        "ruth.castillo@harborpine.example",
        Side::Customer,
        Role::DecisionMaker,
        None,
    )?;
    s.run(&alex, 0, 11, Command::AdvanceStage { to: Stage::Assign })?;
    let promises: Vec<u32> = s.p.handoff.promises.iter().map(|p| p.id).collect();
    let [okta, salesforce, portal] = promises[..] else {
        bail!("Harbor & Pine: expected three promises");
    };
    s.run(
        &alex,
        0,
        14,
        Command::ClassifyPromise {
            promise: okta,
            class: PromiseClass::Standard,
        },
    )?;
    s.run(
        &alex,
        0,
        14,
        Command::ClassifyPromise {
            promise: salesforce,
            class: PromiseClass::NeedsCustomWork,
        },
    )?;
    s.run(
        &alex,
        0,
        14,
        Command::ClassifyPromise {
            promise: portal,
            class: PromiseClass::PhaseTwo,
        },
    )?;
    s.done(&alex, 0, 15, "review-handoff", note("Three promises read: Okta SSO is standard; the two-way Salesforce sync needs custom work nobody scoped; the branded portal is phase two."))?;
    s.run(&alex, 1, 10, Command::AddRisk { text: "Two-way Salesforce sync was promised for launch and is not built: realign before kickoff".into(), owner: alex.person })?;
    s.run(
        &alex,
        1,
        10,
        Command::AddRisk {
            text: "January renewal wave: the desk freezes tool changes from 2 January".into(),
            owner: olivia.person,
        },
    )?;
    s.done(
        &alex,
        1,
        11,
        "internal-kickoff",
        note("Internal kickoff held with Jordan and Chris; risk list recorded."),
    )?;
    s.run(&alex, 1, 12, Command::AdvanceStage { to: Stage::Intake })?;
    let due = s.date(5);
    let owner = pid(&olivia)?;
    let outcome = s.new_id(
        &alex,
        1,
        13,
        Command::AddIntakeRequest {
            kind: IntakeKind::FirstOutcome,
            question: "Which renewal task should the desk do in Finishline first?".into(),
            owner,
            due,
        },
    )?;
    let names = s.new_id(
        &alex,
        1,
        13,
        Command::AddIntakeRequest {
            kind: IntakeKind::NamesAndRoles,
            question: "Names and roles of the renewals agents, team leads and your IT contact"
                .into(),
            owner,
            due,
        },
    )?;
    s.new_id(
        &alex,
        1,
        13,
        Command::AddIntakeRequest {
            kind: IntakeKind::SampleFiles,
            question:
                "A real export of last month's renewals from Salesforce (CSV), with the field names"
                    .into(),
            owner,
            due: s.date(7),
        },
    )?;
    s.new_id(
        &alex,
        1,
        13,
        Command::AddIntakeRequest {
            kind: IntakeKind::Deadlines,
            question: "Hard deadlines and blackout dates (renewal waves, change freezes)".into(),
            owner,
            due,
        },
    )?;
    s.new_id(
        &alex,
        1,
        14,
        Command::AddAccessItem {
            what: "Okta SAML app for the renewals desk".into(),
            direction: AccessDirection::CustomerToVendor,
            grantor: owner,
            due: s.date(20),
        },
    )?;
    let source = s.new_id(
        &alex,
        1,
        14,
        Command::AddDataSource {
            name: "Renewals export".into(),
            system: "Salesforce".into(),
            sample: SampleState::NotRequested,
        },
    )?;
    s.run(
        &alex,
        1,
        14,
        Command::SetSampleState {
            source,
            sample: SampleState::Requested,
        },
    )?;
    s.run(&olivia, 3, 10, Command::AnswerIntake { request: outcome, answer: "Agents work the 30-day renewal queue in Finishline instead of the shared spreadsheet".into() })?;
    s.run(
        &olivia,
        3,
        10,
        Command::AnswerIntake {
            request: names,
            answer: "14 agents, 2 team leads (Marcus Webb, Priya Shah), IT contact Dev Malhotra"
                .into(),
        },
    )?;
    s.done(&olivia, 3, 11, "intake-outcome", note("Answered: agents work the 30-day renewal queue in Finishline instead of the shared spreadsheet."))?;
    s.done(
        &olivia,
        3,
        11,
        "intake-people",
        note("Answered: 14 agents, 2 team leads, IT contact named."),
    )?;
    s.run(&alex, 3, 15, Command::SetFinishLine { text: "Renewals agents work the 30-day renewal queue in Finishline and log every call outcome the same day, for all 14 agents within two weeks of launch.".into() })?;
    s.criterion(
        &alex,
        3,
        15,
        "agents logging call outcomes the same day",
        Some(0.0),
        14.0,
        Direction::AtLeast,
        "agents",
        "same-day call logs per agent in the second week after launch",
    )?;
    s.scope(
        &alex,
        3,
        16,
        &[
            (
                "30-day renewal queue for the renewals desk",
                ScopeBucket::In,
            ),
            ("Okta single sign-on", ScopeBucket::In),
            ("Commercial lines renewals", ScopeBucket::Out),
        ],
    )?;
    s.run(
        &ruth,
        4,
        10,
        Command::ResolvePromise {
            promise: portal,
            resolution: PromiseResolution::Later {
                acknowledged_by: pid(&ruth)?,
            },
        },
    )?;
    s.run(&alex, 4, 16, Command::RealignWithSales { reason: "Jordan promised a two-way Salesforce sync at launch; it needs custom work nobody scoped. Reset with Ruth Castillo before kickoff: one-way nightly import now, or a scoped integration with its own date.".into() })?;
    s.status(&alex, 4, 17, "Kickoff is on hold: the two-way Salesforce sync promised in the sale needs custom work. We are realigning with sales and will propose a plan to Ruth Castillo this week. The branded portal moved to phase two (acknowledged by Ruth).")?;
    Ok(s)
}
