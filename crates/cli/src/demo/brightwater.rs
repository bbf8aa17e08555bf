//! Seed 004 with seed 001's change control: a change request decided by both decision makers
//! with a new launch date, then a failed UAT case that looped back to configuration.

use anyhow::Result;
use chrono::{DateTime, Utc};
use finishline_core::command::ReworkStage;
use finishline_core::finish_line::Direction;
use finishline_core::handoff::{Handoff, PromiseClass, Segment};
use finishline_core::intake::SampleState;
use finishline_core::lifecycle::Stage;
use finishline_core::people::{Role, Side};
use finishline_core::plan::Proof;
use finishline_core::playbook::standard;
use finishline_core::scope::{ChangeDecision, ScopeBucket};
use finishline_core::training::TrainingAudience;
use finishline_core::Command;

use super::script::*;

pub(super) fn brightwater(team: &Team, prefix: &str, now: DateTime<Utc>) -> Result<Script> {
    let mut s = Script::start(
        now,
        35,
        format!("{prefix}_brightwater"),
        "Brightwater Property — maintenance requests",
        "Brightwater Property Management",
        |contract| {
            Handoff {
            sold: "Maintenance request tracking for 6 property managers and the Harbourside and Elm Street buildings".into(),
            promises: vec![promise("Import of the tenant list and open requests"), promise("Email notifications to tenants")],
            champion: "Leah Summers, operations director".into(),
            expected_timeline: "Live in eight weeks".into(),
            segment: Segment::MidMarket,
            contract_date: contract,
            account_executive: "Jordan Blake".into(),
        }
        },
        standard(),
        &team.alex,
    )?;
    let alex = s.owner()?;
    let sam_mate = s.person(
        &alex,
        0,
        10,
        &team.sam.name,
        &team.sam.email,
        Side::Vendor,
        Role::VendorTeammate,
        team.sam.user_id.clone(),
    )?;
    let chris = s.person(
        &alex,
        0,
        10,
        "Chris Lane",
        "chris.lane@finishline.local",
        Side::Vendor,
        Role::DecisionMaker,
        None,
    )?;
    let leah = s.person(
        &alex,
        0,
        10,
        "Leah Summers",
        "leah.summers@brightwater.example",
        Side::Customer,
        Role::CustomerOwner,
        None,
    )?;
    let mia = s.person(
        &alex,
        0,
        10,
        "Mia Fernandez",
        "mia.fernandez@brightwater.example",
        Side::Customer,
        Role::BackupContact,
        None,
    )?;
    let paul = s.person(
        &alex,
        0,
        10,
        "Paul Whitaker",
        "paul.whitaker@brightwater.example",
        Side::Customer,
        Role::DecisionMaker,
        None,
    )?;
    let kim = s.person(
        &alex,
        0,
        10,
        "Kim Osei",
        "kim.osei@brightwater.example",
        Side::Customer,
        Role::CustomerAdmin,
        None,
    )?;
    let dev = s.person(
        &alex,
        0,
        10,
        "Devon Reid",
        "devon.reid@brightwater.example",
        Side::Customer,
        Role::EndUser,
        None,
    )?;
    let ana = s.person(
        &alex,
        0,
        10,
        "Ana Kowal",
        "ana.kowal@brightwater.example",
        Side::Customer,
        Role::EndUser,
        None,
    )?;
    s.advance(&alex, 0, 11, &[Stage::Assign])?;
    let ps: Vec<u32> = s.p.handoff.promises.iter().map(|p| p.id).collect();
    for p in ps {
        s.run(
            &alex,
            0,
            14,
            Command::ClassifyPromise {
                promise: p,
                class: PromiseClass::Standard,
            },
        )?;
    }
    s.done(
        &alex,
        0,
        15,
        "review-handoff",
        note("Both promises standard."),
    )?;
    s.run(&alex, 1, 10, Command::ConfirmNoKnownRisks)?;
    s.done(
        &alex,
        1,
        11,
        "internal-kickoff",
        note("Internal kickoff held; no known risks stated."),
    )?;
    s.advance(&alex, 1, 12, &[Stage::Intake])?;
    let src = s.new_id(
        &alex,
        1,
        13,
        Command::AddDataSource {
            name: "Tenants and open requests".into(),
            system: "Spreadsheet kept by Kim Osei".into(),
            sample: SampleState::Requested,
        },
    )?;
    s.done(
        &leah,
        3,
        10,
        "intake-outcome",
        note("Property managers log and close every maintenance request in Finishline."),
    )?;
    s.done(
        &leah,
        3,
        10,
        "intake-people",
        note("6 property managers, Kim Osei as admin, Paul Whitaker signs off."),
    )?;
    s.run(
        &kim,
        4,
        10,
        Command::SetSampleState {
            source: src,
            sample: SampleState::Received,
        },
    )?;
    s.done(
        &kim,
        4,
        10,
        "intake-samples",
        Proof::File(file_sha("brightwater-requests-sample.xlsx")),
    )?;
    s.done(
        &alex,
        4,
        12,
        "intake-access",
        note("No SSO; Kim Osei invites users herself."),
    )?;
    s.run(&alex, 5, 10, Command::SetFinishLine { text: "Property managers log every new maintenance request in Finishline the day it arrives and close 80% of them within 5 working days, for Harbourside and Elm Street.".into() })?;
    let closed = s.criterion(
        &alex,
        5,
        10,
        "requests closed within 5 working days",
        Some(52.0),
        80.0,
        Direction::AtLeast,
        "%",
        "request open and close dates, 4 weeks after launch",
    )?;
    let logged = s.criterion(
        &alex,
        5,
        10,
        "requests logged the day they arrive",
        Some(60.0),
        95.0,
        Direction::AtLeast,
        "%",
        "arrival vs logged timestamps",
    )?;
    s.scope(
        &alex,
        5,
        10,
        &[
            (
                "Maintenance requests for Harbourside and Elm Street",
                ScopeBucket::In,
            ),
            ("Tenant email notifications", ScopeBucket::In),
            ("Vendor invoicing", ScopeBucket::Out),
            ("Tenant self-service app", ScopeBucket::Out),
        ],
    )?;
    s.advance(&alex, 5, 11, &[Stage::Kickoff])?;
    s.run(
        &alex,
        5,
        12,
        Command::SetLaunchDate {
            date: s.date(44),
            reason: String::new(),
        },
    )?;
    s.run(&alex, 5, 12, Command::SetNextMeeting { date: s.date(12) })?;
    s.done(
        &alex,
        5,
        13,
        "kickoff-call",
        link("https://docs.example/brightwater/kickoff-notes"),
    )?;
    s.advance(&alex, 5, 14, &[Stage::Discovery])?;
    s.done(
        &alex,
        8,
        10,
        "map-workflows",
        link("https://docs.example/brightwater/workflows"),
    )?;
    s.done(
        &alex,
        9,
        10,
        "data-map",
        link("https://docs.example/brightwater/data-map"),
    )?;
    s.done(
        &alex,
        9,
        11,
        "mutual-action-plan",
        link("https://docs.example/brightwater/map"),
    )?;
    s.advance(&alex, 9, 12, &[Stage::Build])?;
    s.done(
        &sam_mate,
        10,
        10,
        "provision",
        note("Tenant ready; Kim Osei is admin."),
    )?;
    s.done(
        &kim,
        10,
        15,
        "sso",
        note("No SSO: Kim Osei invited the six property managers by email."),
    )?;
    s.done(
        &sam_mate,
        11,
        10,
        "integrations",
        note("Outbound email domain verified for tenant notifications."),
    )?;
    s.done(
        &kim,
        13,
        10,
        "customer-export",
        Proof::File(file_sha("brightwater-tenants-requests.xlsx")),
    )?;
    s.new_id(
        &sam_mate,
        14,
        10,
        Command::RecordImportRun {
            source: Some(src),
            file_sha256: file_sha("brightwater-tenants-requests.xlsx"),
            rows: 2_310,
            errors: 12,
            reviews: 31,
        },
    )?;
    let run = s.new_id(
        &sam_mate,
        15,
        10,
        Command::RecordImportRun {
            source: Some(src),
            file_sha256: file_sha("brightwater-tenants-requests-v2.xlsx"),
            rows: 2_306,
            errors: 0,
            reviews: 4,
        },
    )?;
    s.done(
        &sam_mate,
        15,
        11,
        "data-import",
        Proof::ImportRun(run.to_string()),
    )?;
    s.advance(&alex, 15, 12, &[Stage::Configuration])?;
    // Change control (R4): a third building is a new team, so both decision makers and a new date.
    let cr =
        s.new_id(
            &leah,
            17,
            10,
            Command::RequestChange {
                title: "Add the Riverside building and its two managers".into(),
                description:
                    "Riverside joins the company next month; Leah wants it in the first rollout."
                        .into(),
                requested_by: pid(&leah)?,
                adds_new_data: true,
                adds_new_workflow: false,
                adds_new_team: true,
                proposed_launch_date: Some(s.date(51)),
            },
        )?;
    s.run(
        &paul,
        18,
        10,
        Command::AnswerChange {
            request: cr,
            person: pid(&paul)?,
            approved: true,
            note: "Worth a week".into(),
            proposed_launch_date: None,
        },
    )?;
    s.run(
        &chris,
        18,
        14,
        Command::AnswerChange {
            request: cr,
            person: pid(&chris)?,
            approved: true,
            note: "One extra week of Sam's time".into(),
            proposed_launch_date: None,
        },
    )?;
    s.run(
        &alex,
        18,
        15,
        Command::DecideChange {
            request: cr,
            decision: ChangeDecision::AddNow,
            note: "Riverside added; launch moves from day 44 to day 51".into(),
        },
    )?;
    let cr2 = s.new_id(
        &mia,
        19,
        10,
        Command::RequestChange {
            title: "Tenant satisfaction survey after each closed request".into(),
            description: String::new(),
            requested_by: pid(&mia)?,
            adds_new_data: true,
            adds_new_workflow: true,
            adds_new_team: false,
            proposed_launch_date: None,
        },
    )?;
    s.run(
        &alex,
        19,
        15,
        Command::DecideChange {
            request: cr2,
            decision: ChangeDecision::PhaseTwo,
            note: "Kept for phase two; does not help the first live use".into(),
        },
    )?;
    s.done(
        &sam_mate,
        22,
        10,
        "configure",
        link("https://docs.example/brightwater/configuration"),
    )?;
    s.advance(&alex, 22, 11, &[Stage::Training])?;
    for p in [&dev, &ana] {
        s.run(
            &alex,
            22,
            12,
            Command::SetHelpContact {
                person: pid(p)?,
                help_contact: pid(&kim)?,
            },
        )?;
    }
    s.run(
        &alex,
        22,
        12,
        Command::SetHelpContact {
            person: pid(&kim)?,
            help_contact: pid(&sam_mate)?,
        },
    )?;
    s.run(&alex, 22, 12, Command::SetEarlyWin { criterion: logged })?;
    s.training(
        &sam_mate,
        25,
        10,
        (22, 13),
        TrainingAudience::Admins,
        "Admins: users, buildings, request categories",
        45,
        &[(&kim, "Add a new property manager and give them Elm Street")],
    )?;
    s.done(
        &sam_mate,
        25,
        13,
        "train-admins",
        note("Kim Osei trained; practice task completed."),
    )?;
    s.training(
        &sam_mate,
        26,
        10,
        (25, 14),
        TrainingAudience::DailyUsers,
        "Property managers: log, assign and close a request",
        30,
        &[
            (&dev, "Log a leaking-tap request and assign a plumber"),
            (&ana, "Close a request with a photo of the repair"),
        ],
    )?;
    s.done(
        &sam_mate,
        26,
        13,
        "train-users",
        note("Devon Reid and Ana Kowal trained; practice tasks completed."),
    )?;
    s.advance(&alex, 26, 14, &[Stage::Uat])?;
    let c1 = s.new_id(
        &alex,
        27,
        10,
        Command::AddUatCase {
            title: "A manager logs a request the day it arrives and the tenant gets the email"
                .into(),
            criterion: logged,
        },
    )?;
    let c2 = s.new_id(
        &alex,
        27,
        10,
        Command::AddUatCase {
            title: "A request is closed and counts toward the 5-working-day report".into(),
            criterion: closed,
        },
    )?;
    s.run(
        &leah,
        29,
        11,
        Command::RecordUatResult {
            case: c1,
            passed: true,
            notes: String::new(),
            loop_to: None,
        },
    )?;
    s.run(
        &leah,
        29,
        14,
        Command::RecordUatResult {
            case: c2,
            passed: false,
            notes: "The 5-day report counts weekends and the Riverside building is missing from it"
                .into(),
            loop_to: Some(ReworkStage::Configuration),
        },
    )?;
    let issue = s.new_id(
        &alex,
        29,
        15,
        Command::OpenIssue {
            title: "Close-time report counts calendar days, not working days".into(),
            owner: sam_mate.person,
            due: Some(s.date(33)),
        },
    )?;
    s.run(&sam_mate, 32, 10, Command::CloseIssue { issue })?;
    s.advance(&alex, 32, 11, &[Stage::Training, Stage::Uat])?;
    s.status(&alex, 32, 12, "UAT case 2 failed (report counted weekends, Riverside missing) and went back to configuration; fixed by Sam on day 32. Leah Summers re-runs the case this week. Riverside added by change request (approved by Paul Whitaker and Chris Lane), launch moved one week. Tenant survey kept for phase two.")?;
    Ok(s)
}
