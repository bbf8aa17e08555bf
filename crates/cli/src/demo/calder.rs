//! Seed 004: the technical setup that sits waiting on the customer's IT — blocker, nudges,
//! escalation to the executive sponsor, re-baselines.

use anyhow::Result;
use chrono::{DateTime, Utc};
use finishline_core::finish_line::Direction;
use finishline_core::handoff::{Handoff, PromiseClass, Segment};
use finishline_core::intake::{AccessDirection, SampleState};
use finishline_core::lifecycle::Stage;
use finishline_core::people::{Role, Side};
use finishline_core::plan::Proof;
use finishline_core::playbook::standard;
use finishline_core::scope::ScopeBucket;
use finishline_core::Command;

use super::script::*;

pub(super) fn calder(team: &Team, prefix: &str, now: DateTime<Utc>) -> Result<Script> {
    let mut s = Script::start(
        now,
        30,
        format!("{prefix}_calder"),
        "Calder Field Services — work orders",
        "Calder Field Services",
        |contract| {
            Handoff {
            sold: "Work-order scheduling for 40 field technicians and 3 dispatch coordinators, SSO, import of open work orders".into(),
            promises: vec![promise("SSO with Azure AD"), promise("Import of all open work orders from the old system")],
            champion: "Hannah Cole, operations manager".into(),
            expected_timeline: "Live in six weeks".into(),
            segment: Segment::MidMarket,
            contract_date: contract,
            account_executive: "Jordan Blake".into(),
        }
        },
        standard(),
        &team.sam,
    )?;
    let sam = s.owner()?;
    let alex_mate = s.person(
        &sam,
        0,
        10,
        &team.alex.name,
        &team.alex.email,
        Side::Vendor,
        Role::VendorTeammate,
        team.alex.user_id.clone(),
    )?;
    s.person(
        &sam,
        0,
        10,
        "Chris Lane",
        "chris.lane@finishline.local",
        Side::Vendor,
        Role::DecisionMaker,
        None,
    )?;
    let hannah = s.person(
        &sam,
        0,
        10,
        "Hannah Cole",
        "hannah.cole@calderfs.example",
        Side::Customer,
        Role::CustomerOwner,
        None,
    )?;
    s.person(
        &sam,
        0,
        10,
        "Owen Price",
        "owen.price@calderfs.example",
        Side::Customer,
        Role::BackupContact,
        None,
    )?;
    let victor = s.person(
        &sam,
        0,
        10,
        "Victor Hale",
        "victor.hale@calderfs.example",
        Side::Customer,
        Role::DecisionMaker,
        None,
    )?;
    s.person(
        &sam,
        0,
        10,
        "Grace Morton",
        "grace.morton@calderfs.example",
        Side::Customer,
        Role::ExecutiveSponsor,
        None,
    )?;
    let raj = s.person(
        &sam,
        0,
        10,
        "Raj Patel",
        "raj.patel@calderfs.example",
        Side::Customer,
        Role::CustomerAdmin,
        None,
    )?;
    s.advance(&sam, 0, 11, &[Stage::Assign])?;
    let ps: Vec<u32> = s.p.handoff.promises.iter().map(|p| p.id).collect();
    for p in ps {
        s.run(
            &sam,
            0,
            14,
            Command::ClassifyPromise {
                promise: p,
                class: PromiseClass::Standard,
            },
        )?;
    }
    s.done(
        &sam,
        0,
        15,
        "review-handoff",
        note("Both promises are standard: Azure AD SSO and the work-order import."),
    )?;
    s.run(
        &sam,
        1,
        10,
        Command::AddRisk {
            text: "SSO needs Calder IT (Raj Patel), who is shared with two other projects".into(),
            owner: raj.person,
        },
    )?;
    s.done(
        &sam,
        1,
        11,
        "internal-kickoff",
        note("Internal kickoff: Raj Patel is stretched across three projects; keep SSO off the critical path and have a fallback ready."),
    )?;
    // Vendor-only work, added by hand: internal, so the customer never reads it in the portal.
    // Due after today, so the story keeps its health (at risk for the blocker, not off track).
    let fallback_due = s.date(38);
    s.run(
        &sam,
        1,
        11,
        Command::AddTask {
            title: "Prepare a password-login fallback in case Calder IT cannot deliver SSO".into(),
            phase: "Build".into(),
            label: finishline_core::plan::TaskLabel::VendorTask,
            owner: pid(&sam)?,
            due: fallback_due,
            depends_on: Vec::new(),
            needs_proof: true,
            visibility: finishline_core::visibility::Visibility::Internal,
        },
    )?;
    s.advance(&sam, 1, 12, &[Stage::Intake])?;
    let src = s.new_id(
        &sam,
        1,
        13,
        Command::AddDataSource {
            name: "Open work orders".into(),
            system: "FieldDesk 7".into(),
            sample: SampleState::Requested,
        },
    )?;
    s.new_id(
        &sam,
        1,
        13,
        Command::AddAccessItem {
            what: "Azure AD enterprise application for Finishline (SAML)".into(),
            direction: AccessDirection::CustomerToVendor,
            grantor: pid(&raj)?,
            due: s.date(24),
        },
    )?;
    s.done(
        &hannah,
        3,
        10,
        "intake-outcome",
        note("Coordinators dispatch every new work order from Finishline the same day."),
    )?;
    s.done(
        &hannah,
        3,
        10,
        "intake-people",
        note("3 coordinators, 40 technicians, Raj Patel for IT."),
    )?;
    s.run(
        &hannah,
        4,
        10,
        Command::SetSampleState {
            source: src,
            sample: SampleState::Received,
        },
    )?;
    s.done(
        &hannah,
        4,
        10,
        "intake-samples",
        Proof::File(file_sha("fielddesk-open-orders-sample.csv")),
    )?;
    s.done(&sam, 4, 12, "intake-access", note("Access listed: Azure AD app (Raj Patel, day 24); FieldDesk read-only export (Hannah Cole)."))?;
    s.run(&sam, 5, 10, Command::SetFinishLine { text: "Dispatch coordinators assign every new work order to a technician in Finishline within 2 hours of it arriving, with no work order tracked in the old spreadsheet.".into() })?;
    s.criterion(
        &sam,
        5,
        10,
        "work orders assigned within 2 hours",
        Some(55.0),
        90.0,
        Direction::AtLeast,
        "%",
        "assignment timestamps for the first two weeks after launch",
    )?;
    s.scope(
        &sam,
        5,
        10,
        &[
            (
                "Work-order dispatch for the three coordinators",
                ScopeBucket::In,
            ),
            ("Azure AD single sign-on", ScopeBucket::In),
            ("Technician mobile app offline mode", ScopeBucket::Out),
            ("Invoicing from completed work orders", ScopeBucket::Later),
        ],
    )?;
    s.advance(&sam, 5, 11, &[Stage::Kickoff])?;
    s.run(
        &sam,
        5,
        12,
        Command::SetLaunchDate {
            date: s.date(42),
            reason: String::new(),
        },
    )?;
    s.run(&sam, 5, 12, Command::SetNextMeeting { date: s.date(12) })?;
    s.done(
        &sam,
        5,
        13,
        "kickoff-call",
        link("https://docs.example/calder/kickoff-notes"),
    )?;
    s.status(&sam, 5, 14, "Kickoff held. Goal: every new work order assigned within 2 hours. In: dispatch for three coordinators, Azure AD SSO. Not included: mobile offline mode; invoicing later. Launch on the agreed date; Raj Patel owns the Azure AD app.")?;
    s.advance(&sam, 5, 14, &[Stage::Discovery])?;
    s.done(
        &sam,
        8,
        10,
        "map-workflows",
        link("https://docs.example/calder/workflow-map"),
    )?;
    s.done(
        &sam,
        10,
        10,
        "data-map",
        link("https://docs.example/calder/data-map-work-orders"),
    )?;
    s.done(
        &sam,
        10,
        11,
        "mutual-action-plan",
        link("https://docs.example/calder/map"),
    )?;
    s.advance(&sam, 10, 12, &[Stage::Build])?;
    s.done(
        &alex_mate,
        12,
        10,
        "provision",
        note("Tenant provisioned; admin users Hannah Cole and Raj Patel invited."),
    )?;
    let sso = s.task("sso")?;
    s.run(&raj, 14, 10, Command::BlockTask { task: sso, needed: "Raj Patel creates the Azure AD enterprise app with our ACS URL and sends the federation metadata XML".into(), from: pid(&raj)?, by: s.date(18) })?;
    s.done(
        &hannah,
        15,
        10,
        "customer-export",
        Proof::File(file_sha("fielddesk-open-orders-full.csv")),
    )?;
    let run = s.new_id(
        &alex_mate,
        16,
        10,
        Command::RecordImportRun {
            source: Some(src),
            file_sha256: file_sha("fielddesk-open-orders-full.csv"),
            rows: 1_284,
            errors: 0,
            reviews: 17,
        },
    )?;
    s.done(
        &alex_mate,
        16,
        11,
        "data-import",
        Proof::ImportRun(run.to_string()),
    )?;
    s.done(
        &alex_mate,
        17,
        10,
        "integrations",
        note("FieldDesk nightly export connected; API key stored."),
    )?;
    s.run(
        &sam,
        19,
        9,
        Command::RecordNudge {
            task: sso,
            escalated: false,
        },
    )?;
    s.run(
        &sam,
        19,
        9,
        Command::RebaselineTask {
            task: sso,
            due: s.date(26),
            reason: "Raj Patel is on the ERP cut-over until day 25".into(),
        },
    )?;
    s.run(
        &sam,
        22,
        9,
        Command::RecordNudge {
            task: sso,
            escalated: false,
        },
    )?;
    s.run(
        &sam,
        26,
        9,
        Command::RecordNudge {
            task: sso,
            escalated: false,
        },
    )?;
    s.run(
        &sam,
        27,
        9,
        Command::RecordNudge {
            task: sso,
            escalated: true,
        },
    )?;
    s.run(
        &sam,
        27,
        10,
        Command::RebaselineTask {
            task: sso,
            due: s.date(31),
            reason: "Escalated to Grace Morton; Raj Patel gets half a day on day 30".into(),
        },
    )?;
    s.run(
        &victor,
        27,
        15,
        Command::SetLaunchDate {
            date: s.date(49),
            reason: "SSO waits on Calder IT: launch moves one week, agreed with Victor Hale".into(),
        },
    )?;
    s.status(&sam, 27, 16, "SSO is still waiting on Calder IT: the Azure AD app and its metadata XML from Raj Patel. Escalated to Grace Morton after three reminders. Launch moved one week (agreed by Victor Hale). Everything else in build is done: tenant, integrations, 1,284 work orders imported clean.")?;
    Ok(s)
}
