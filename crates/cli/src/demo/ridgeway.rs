//! Seed 000: the five-person logistics pilot that asked for three extras before kickoff, cut
//! them in a realign loop, launched in ten days and met its finish line.

use anyhow::{bail, Result};
use chrono::{DateTime, Utc};
use finishline_core::finish_line::Direction;
use finishline_core::handoff::{Handoff, PromiseClass, PromiseResolution, Segment};
use finishline_core::intake::SampleState;
use finishline_core::lifecycle::Stage;
use finishline_core::people::{Role, Side};
use finishline_core::plan::Proof;
use finishline_core::playbook::light_touch;
use finishline_core::project::{RetroBucket, RetroKind};
use finishline_core::scope::ScopeBucket;
use finishline_core::training::TrainingAudience;
use finishline_core::Command;

use super::script::*;

pub(super) fn ridgeway(team: &Team, prefix: &str, now: DateTime<Utc>) -> Result<Script> {
    let mut s = Script::start(
        now,
        40,
        format!("{prefix}_ridgeway"),
        "Ridgeway Logistics — dispatch pilot",
        "Ridgeway Logistics",
        |contract| Handoff {
            sold: "Paid pilot: shipment intake and status updates for a five-person logistics team"
                .into(),
            promises: vec![
                promise("Shipment intake and status updates"),
                promise("A dashboard for managers"),
                promise("CSV exports for finance"),
                promise("Custom roles for supervisors"),
            ],
            champion: "Dana Whitfield, operations manager".into(),
            expected_timeline: "Live in two weeks".into(),
            segment: Segment::Smb,
            contract_date: contract,
            account_executive: "Jordan Blake".into(),
        },
        light_touch(),
        &team.sam,
    )?;
    let sam = s.owner()?;
    s.person(
        &sam,
        0,
        10,
        "Jordan Blake",
        "jordan.blake@finishline.local",
        Side::Vendor,
        Role::AccountExecutive,
        None,
    )?;
    let nina = s.person(
        &sam,
        0,
        10,
        "Nina Brooks",
        "nina.brooks@finishline.local",
        Side::Vendor,
        Role::RenewalCsm,
        None,
    )?;
    let dana = s.person(
        &sam,
        0,
        10,
        "Dana Whitfield",
        "dana.whitfield@ridgeway.example",
        Side::Customer,
        Role::CustomerOwner,
        None,
    )?;
    s.person(
        &sam,
        0,
        10,
        "Luis Ortega",
        "luis.ortega@ridgeway.example",
        Side::Customer,
        Role::BackupContact,
        None,
    )?;
    let grace = s.person(
        &sam,
        0,
        10,
        "Grace Liu",
        "grace.liu@ridgeway.example",
        Side::Customer,
        Role::DecisionMaker,
        None,
    )?;
    let mut dispatchers = Vec::new();
    for (name, email) in [
        ("Kemal Aydin", "kemal.aydin@ridgeway.example"),
        ("Rosa Jimenez", "rosa.jimenez@ridgeway.example"),
        ("Ben Carter", "ben.carter@ridgeway.example"),
    ] {
        dispatchers.push(s.person(
            &sam,
            0,
            10,
            name,
            email,
            Side::Customer,
            Role::EndUser,
            None,
        )?);
    }
    let ids: Vec<u32> = s.p.handoff.promises.iter().map(|p| p.id).collect();
    let [intake, dashboard, exports, roles] = ids[..] else {
        bail!("Ridgeway: expected four promises");
    };
    s.advance(&sam, 0, 11, &[Stage::Assign])?;
    s.run(
        &sam,
        0,
        12,
        Command::ClassifyPromise {
            promise: intake,
            class: PromiseClass::Standard,
        },
    )?;
    s.run(
        &sam,
        0,
        12,
        Command::ClassifyPromise {
            promise: dashboard,
            class: PromiseClass::NeedsCustomWork,
        },
    )?;
    s.run(
        &sam,
        0,
        12,
        Command::ClassifyPromise {
            promise: exports,
            class: PromiseClass::NeedsCustomWork,
        },
    )?;
    s.run(
        &sam,
        0,
        12,
        Command::ClassifyPromise {
            promise: roles,
            class: PromiseClass::PhaseTwo,
        },
    )?;
    s.run(&sam, 0, 15, Command::RealignWithSales { reason: "Three extras asked before kickoff (manager dashboard, finance CSV exports, supervisor roles) would turn the pilot into custom work: cut the pilot to one daily task".into() })?;
    s.run(
        &sam,
        1,
        10,
        Command::ResolvePromise {
            promise: dashboard,
            resolution: PromiseResolution::IntoScope {
                plan: "1 shared manager view, no new permissions model".into(),
                scope: None,
            },
        },
    )?;
    s.run(
        &sam,
        1,
        10,
        Command::ResolvePromise {
            promise: exports,
            resolution: PromiseResolution::IntoScope {
                plan: "1 weekly export prepared by our team every Monday".into(),
                scope: None,
            },
        },
    )?;
    s.run(
        &grace,
        1,
        11,
        Command::ResolvePromise {
            promise: roles,
            resolution: PromiseResolution::Later {
                acknowledged_by: pid(&grace)?,
            },
        },
    )?;
    s.advance(&sam, 1, 12, &[Stage::Assign, Stage::Intake])?;
    let src = s.new_id(
        &sam,
        1,
        12,
        Command::AddDataSource {
            name: "Incoming loads sheet".into(),
            system: "Shared spreadsheet".into(),
            sample: SampleState::Requested,
        },
    )?;
    s.run(&sam, 1, 12, Command::ConfirmNoKnownRisks)?;
    s.run(&sam, 1, 13, Command::SetFinishLine { text: "Dispatchers log incoming loads every morning and confirm status by noon, every day for two weeks.".into() })?;
    let daily = s.criterion(
        &sam,
        1,
        13,
        "working days on which all 3 dispatchers logged loads and confirmed status by noon",
        Some(0.0),
        10.0,
        Direction::AtLeast,
        "days",
        "load log timestamps over the first two weeks live",
    )?;
    let weekly = s.criterion(
        &sam,
        1,
        13,
        "weekly finance exports delivered by Monday noon",
        Some(0.0),
        2.0,
        Direction::AtLeast,
        "exports",
        "exports sent to finance in the first two weeks live",
    )?;
    s.scope(
        &sam,
        1,
        14,
        &[
            ("3 dispatcher accounts", ScopeBucket::In),
            ("Custom roles in phase one", ScopeBucket::Out),
            ("Finance self-serve CSV exports", ScopeBucket::Out),
            ("A second office", ScopeBucket::Later),
        ],
    )?;
    s.done(
        &sam,
        1,
        15,
        "finish-line",
        note("Finish line and not-included note agreed with Dana Whitfield."),
    )?;
    s.done(&sam, 1, 15, "owners", note("Sam Rivera for us; Dana Whitfield for Ridgeway (backup Luis Ortega); Grace Liu decides."))?;
    s.advance(&sam, 2, 10, &[Stage::Kickoff])?;
    s.run(
        &sam,
        2,
        10,
        Command::SetLaunchDate {
            date: s.date(10),
            reason: String::new(),
        },
    )?;
    s.run(&sam, 2, 10, Command::SetNextMeeting { date: s.date(5) })?;
    s.status(&sam, 2, 11, "Pilot cut to one daily task: dispatchers log loads every morning and confirm status by noon. In: 3 dispatcher accounts, 1 shared manager view, 1 weekly export prepared by us. Not included: custom roles (phase two, acknowledged by Grace Liu), finance self-serve exports. Launch day 10.")?;
    s.advance(&sam, 2, 11, &[Stage::Discovery])?;
    s.run(
        &dana,
        3,
        10,
        Command::SetSampleState {
            source: src,
            sample: SampleState::Received,
        },
    )?;
    s.done(
        &dana,
        3,
        10,
        "sample-data",
        Proof::File(file_sha("ridgeway-loads-week.xlsx")),
    )?;
    s.advance(&sam, 3, 11, &[Stage::Build])?;
    s.done(
        &sam,
        4,
        10,
        "setup",
        note("3 dispatcher accounts and the shared manager view set up"),
    )?;
    let run = s.new_id(
        &sam,
        5,
        10,
        Command::RecordImportRun {
            source: Some(src),
            file_sha256: file_sha("ridgeway-loads-week.xlsx"),
            rows: 126,
            errors: 0,
            reviews: 3,
        },
    )?;
    s.done(&sam, 5, 11, "import", Proof::ImportRun(run.to_string()))?;
    s.advance(
        &sam,
        5,
        12,
        &[Stage::Configuration, Stage::Training, Stage::Uat],
    )?;
    let case = s.new_id(
        &sam,
        5,
        12,
        Command::AddUatCase {
            title: "A dispatcher logs a morning load and confirms its status by noon".into(),
            criterion: daily,
        },
    )?;
    s.run(
        &dana,
        6,
        11,
        Command::RecordUatResult {
            case,
            passed: true,
            notes: String::new(),
            loop_to: None,
        },
    )?;
    s.done(
        &dana,
        6,
        11,
        "full-path",
        note("Kemal logged three loads at 08:10 and confirmed them by 11:40"),
    )?;
    s.advance(&sam, 6, 12, &[Stage::GoNoGo])?;
    let trainees: Vec<(&Who, &str)> = dispatchers
        .iter()
        .map(|d| (d, "Log a morning load and confirm it by noon"))
        .collect();
    s.training(
        &sam,
        7,
        10,
        (6, 13),
        TrainingAudience::Admins,
        "Manager view and weekly export",
        30,
        &[(
            &dana,
            "Find yesterday's unconfirmed loads in the manager view",
        )],
    )?;
    s.training(
        &sam,
        8,
        10,
        (7, 13),
        TrainingAudience::DailyUsers,
        "Dispatchers: the morning log",
        30,
        &trainees,
    )?;
    for d in &dispatchers {
        s.run(
            &sam,
            8,
            13,
            Command::SetHelpContact {
                person: pid(d)?,
                help_contact: pid(&dana)?,
            },
        )?;
    }
    s.run(&sam, 8, 13, Command::SetEarlyWin { criterion: daily })?;
    s.done(
        &sam,
        8,
        14,
        "train",
        note("Manager view and dispatcher sessions held; practice tasks completed."),
    )?;
    s.done(
        &sam,
        10,
        9,
        "launch-decision",
        note("Go agreed with Grace Liu"),
    )?;
    s.run(
        &sam,
        10,
        9,
        Command::DecideGoLive {
            go: true,
            reason: "G2 green; Grace Liu agrees".into(),
            override_reason: None,
            back_to: None,
        },
    )?;
    s.run(
        &sam,
        17,
        10,
        Command::RecordAdoption {
            active_users: 3,
            trained_users: 3,
            logins_first_week: Some(19),
            support_questions: Some(2),
            key_features_unused: Vec::new(),
            intervention: None,
        },
    )?;
    s.run(
        &sam,
        24,
        10,
        Command::RecordAdoption {
            active_users: 4,
            trained_users: 4,
            logins_first_week: None,
            support_questions: None,
            key_features_unused: Vec::new(),
            intervention: None,
        },
    )?;
    s.advance(&sam, 24, 11, &[Stage::Adoption])?;
    s.advance(&sam, 25, 10, &[Stage::ValueReview])?;
    s.run(
        &sam,
        25,
        11,
        Command::MeasureCriterion {
            criterion: daily,
            value: 10.0,
        },
    )?;
    s.run(
        &sam,
        25,
        11,
        Command::MeasureCriterion {
            criterion: weekly,
            value: 2.0,
        },
    )?;
    s.status(&sam, 25, 12, "Value review: all 3 dispatchers logged loads and confirmed status by noon on 10 of 10 working days; both weekly finance exports delivered by Monday noon. Finish line met. Custom roles stay in phase two. Handing over to Nina Brooks.")?;
    s.advance(&sam, 25, 13, &[Stage::Transition])?;
    s.run(&sam, 26, 10, Command::PrepareTransition { renewal_csm: pid(&nina)?, notes: "Pilot met its finish line. Phase two asks: supervisor roles, finance self-serve exports, a second office. Champion Dana Whitfield; decision maker Grace Liu.".into() })?;
    s.run(&nina, 26, 14, Command::AcceptTransition)?;
    s.advance(&sam, 26, 15, &[Stage::Complete])?;
    let manual = s.new_id(&sam, 27, 10, Command::AddRetroItem { text: "Classify every sales promise on day 0: the three extras surfaced only because Dana asked before kickoff".into(), kind: RetroKind::FinalScopeCall, bucket: RetroBucket::RolloutWork })?;
    s.run(
        &sam,
        27,
        10,
        Command::MarkRetroPromoted {
            item: manual,
            playbook: "light-touch-30 v2".into(),
        },
    )?;
    s.run(
        &sam,
        27,
        10,
        Command::AddRetroItem {
            text: "The weekly finance export is prepared by hand every Monday".into(),
            kind: RetroKind::NeededManualHelp,
            bucket: RetroBucket::ProductWork,
        },
    )?;
    Ok(s)
}
