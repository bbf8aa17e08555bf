//! Seed 001: the clinic on scheduling software — patient types, staff lists, working hours, a
//! data map where "visit type" maps to "appointment category", one nurse under two names, admins
//! then front desk trained. It is the first rollout that took 21 days, 8 of them on the customer:
//! 5 waiting for the CSV export, 2 for the field-mapping decision and 1 for the clinic's own run
//! of the full path on the mapped data.

use anyhow::Result;
use chrono::{DateTime, Utc};
use finishline_core::finish_line::Direction;
use finishline_core::handoff::{Handoff, PromiseClass, Segment};
use finishline_core::intake::{AccessDirection, IntakeKind, SampleState};
use finishline_core::lifecycle::Stage;
use finishline_core::people::{Role, Side};
use finishline_core::plan::Proof;
use finishline_core::playbook::light_touch;
use finishline_core::project::{RetroBucket, RetroKind};
use finishline_core::scope::{ChangeDecision, ScopeBucket};
use finishline_core::survey::Milestone;
use finishline_core::training::TrainingAudience;
use finishline_core::Command;

use super::script::*;

pub(super) fn lindenwood(team: &Team, prefix: &str, now: DateTime<Utc>) -> Result<Script> {
    let mut s = Script::start(
        now,
        LINDENWOOD_DAYS_AGO,
        format!("{prefix}_lindenwood"),
        "Lindenwood Family Clinic — scheduling",
        "Lindenwood Family Clinic",
        |contract| Handoff {
            sold: "Scheduling for one clinic site: 4 doctors, 3 nurses, front desk of 4".into(),
            promises: vec![promise(
                "Import of patient types, staff list and working hours",
            )],
            champion: "Marta Kowalski, practice manager".into(),
            expected_timeline: "Live within a month".into(),
            segment: Segment::Smb,
            contract_date: contract,
            account_executive: "Jordan Blake".into(),
        },
        light_touch(),
        &team.alex,
    )?;
    // Day 0, 09:00: created. The customer's "send a real sample" task opens: the customer clock starts.
    let alex = s.owner()?;
    let sam = s.person(
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
    let marta = s.person(
        &alex,
        0,
        10,
        "Marta Kowalski",
        "marta.kowalski@lindenwood.example",
        Side::Customer,
        Role::CustomerOwner,
        None,
    )?;
    let joel = s.person(
        &alex,
        0,
        10,
        "Joel Park",
        "joel.park@lindenwood.example",
        Side::Customer,
        Role::BackupContact,
        None,
    )?;
    let okafor = s.person(
        &alex,
        0,
        10,
        "Dr. Helen Okafor",
        "helen.okafor@lindenwood.example",
        Side::Customer,
        Role::DecisionMaker,
        None,
    )?;
    let ines = s.person(
        &alex,
        0,
        10,
        "Ines Duarte",
        "ines.duarte@lindenwood.example",
        Side::Customer,
        Role::CustomerAdmin,
        None,
    )?;
    let tom = s.person(
        &alex,
        0,
        10,
        "Tom Becker",
        "tom.becker@lindenwood.example",
        Side::Customer,
        Role::EndUser,
        None,
    )?;
    let aisha = s.person(
        &alex,
        0,
        10,
        "Aisha Noor",
        "aisha.noor@lindenwood.example",
        Side::Customer,
        Role::EndUser,
        None,
    )?;
    let ps: Vec<u32> = s.p.handoff.promises.iter().map(|p| p.id).collect();
    for p in ps {
        s.run(
            &alex,
            0,
            11,
            Command::ClassifyPromise {
                promise: p,
                class: PromiseClass::Standard,
            },
        )?;
    }
    s.advance(&alex, 0, 11, &[Stage::Assign, Stage::Intake])?;
    let m = pid(&marta)?;
    let outcome = s.new_id(
        &alex,
        0,
        12,
        Command::AddIntakeRequest {
            kind: IntakeKind::FirstOutcome,
            question: "What should the front desk do in the new scheduler on day one?".into(),
            owner: m,
            due: s.date(2),
        },
    )?;
    let files = s.new_id(
        &alex,
        0,
        12,
        Command::AddIntakeRequest {
            kind: IntakeKind::SampleFiles,
            question: "CSV export from PracticeDesk: patient types, staff list, working hours"
                .into(),
            owner: m,
            due: s.date(5),
        },
    )?;
    let access = s.new_id(
        &alex,
        0,
        12,
        Command::AddAccessItem {
            what: "PracticeDesk admin login to run the working-hours export".into(),
            direction: AccessDirection::CustomerToVendor,
            grantor: m,
            due: s.date(3),
        },
    )?;
    let mut sources = Vec::new();
    for name in ["Patient types", "Staff list", "Working hours"] {
        sources.push(s.new_id(
            &alex,
            0,
            12,
            Command::AddDataSource {
                name: name.into(),
                system: "PracticeDesk".into(),
                sample: SampleState::Requested,
            },
        )?);
    }
    s.run(
        &alex,
        0,
        13,
        Command::AddRisk {
            text: "Dr. Reyes works only Tuesdays and Thursdays: hours must be entered per weekday"
                .into(),
            owner: sam.person,
        },
    )?;
    s.run(
        &alex,
        0,
        13,
        Command::AddRisk {
            text: "The staff list may hold the same person twice under different names".into(),
            owner: marta.person,
        },
    )?;
    s.run(&alex, 0, 14, Command::SetFinishLine { text: "Front-desk staff book, move and cancel appointments in the new scheduler from day one without support, and admins update a doctor's working hours in under 10 minutes.".into() })?;
    let bookings = s.criterion(
        &alex,
        0,
        14,
        "bookings made by the front desk without a support call in the first week",
        None,
        95.0,
        Direction::AtLeast,
        "%",
        "support log against booking count, first week after launch",
    )?;
    let hours = s.criterion(
        &alex,
        0,
        14,
        "minutes for an admin to update a doctor's working hours",
        Some(25.0),
        10.0,
        Direction::AtMost,
        "min",
        "timed with Ines Duarte at the value review",
    )?;
    s.scope(
        &alex,
        0,
        15,
        &[
            (
                "Patient types, staff list and working hours for the main site",
                ScopeBucket::In,
            ),
            ("Admin and front-desk training", ScopeBucket::In),
            ("Online self-booking for patients", ScopeBucket::Later),
            ("SMS reminders", ScopeBucket::Out),
            ("Billing system integration", ScopeBucket::Out),
        ],
    )?;
    s.run(
        &marta,
        1,
        10,
        Command::AnswerIntake {
            request: outcome,
            answer: "Book, move and cancel appointments without calling anyone".into(),
        },
    )?;
    s.done(
        &alex,
        1,
        14,
        "finish-line",
        note("Finish line and not-included note agreed with Marta Kowalski."),
    )?;
    s.done(&alex, 1, 14, "owners", note("Alex Morgan owns it for us; Marta Kowalski for the clinic (backup Joel Park); Dr. Okafor decides."))?;
    s.advance(&alex, 2, 10, &[Stage::Kickoff])?;
    s.run(
        &alex,
        2,
        11,
        Command::SetLaunchDate {
            date: s.date(21),
            reason: String::new(),
        },
    )?;
    s.run(&alex, 2, 11, Command::SetNextMeeting { date: s.date(9) })?;
    s.status(&alex, 2, 12, "Kickoff held. First live use: the front desk books, moves and cancels without support. Not included: SMS reminders, billing integration; self-booking later. Waiting on the clinic: the PracticeDesk CSV export (patient types, staff list, working hours), due day 5. Launch date agreed.")?;
    s.advance(&alex, 2, 12, &[Stage::Discovery])?;
    s.run(&marta, 3, 16, Command::GrantAccess { item: access })?;
    // Day 5, 09:00: the CSV export arrives — 5 days on the customer.
    s.done(
        &marta,
        5,
        NINE,
        "sample-data",
        Proof::File(file_sha("practicedesk-export.csv")),
    )?;
    s.run(
        &marta,
        5,
        NINE,
        Command::AnswerIntake {
            request: files,
            answer: "practicedesk-export.csv uploaded: 6 patient types, 11 staff, working hours"
                .into(),
        },
    )?;
    for src in &sources {
        s.run(
            &alex,
            5,
            10,
            Command::SetSampleState {
                source: *src,
                sample: SampleState::Received,
            },
        )?;
    }
    s.advance(&alex, 5, 10, &[Stage::Build])?;
    s.done(
        &alex,
        7,
        NINE,
        "setup",
        link("https://docs.example/lindenwood/data-map"),
    )?;
    // Day 8, 09:00: the first import fails on visit types nobody mapped; the import waits on Dr. Okafor.
    let run1 = s.new_id(
        &sam,
        8,
        NINE,
        Command::RecordImportRun {
            source: sources.first().copied(),
            file_sha256: file_sha("practicedesk-export.csv"),
            rows: 214,
            errors: 9,
            reviews: 2,
        },
    )?;
    let import = s.task("import")?;
    s.run(&alex, 8, NINE, Command::BlockTask { task: import, needed: format!("Dr. Okafor decides which appointment category the PracticeDesk visit types 'Lab check' and 'Urgent visit' map to (9 rows of import run {run1} fail until then)"), from: pid(&okafor)?, by: s.date(9) })?;
    s.run(
        &alex,
        9,
        14,
        Command::RecordNudge {
            task: import,
            escalated: false,
        },
    )?;
    s.run(
        &alex,
        9,
        15,
        Command::RebaselineTask {
            task: import,
            due: s.date(13),
            reason: "Field-mapping decision pending with Dr. Okafor".into(),
        },
    )?;
    // Day 10, 09:00: the decision — 2 more days on the customer.
    s.run(
        &okafor,
        10,
        NINE,
        Command::UnblockTask {
            task: import,
            note: "Lab check → Lab appointment; Urgent visit → Same-day appointment".into(),
        },
    )?;
    let run2 = s.new_id(
        &sam,
        10,
        10,
        Command::RecordImportRun {
            source: sources.first().copied(),
            file_sha256: file_sha("practicedesk-export-mapped.csv"),
            rows: 214,
            errors: 0,
            reviews: 2,
        },
    )?;
    let nurse = s.new_id(
        &sam,
        10,
        10,
        Command::OpenIssue {
            title: "One nurse appears as 'N. Alvarez' and 'Nadia Alvarez-Cruz' in the staff list"
                .into(),
            owner: marta.person,
            due: Some(s.date(12)),
        },
    )?;
    s.run(
        &sam,
        10,
        11,
        Command::CompleteTask {
            task: import,
            proof: Some(Proof::ImportRun(run2.to_string())),
            completed_by: sam.person,
        },
    )?;
    s.advance(
        &alex,
        10,
        11,
        &[Stage::Configuration, Stage::Training, Stage::Uat],
    )?;
    let uat1 = s.new_id(
        &alex,
        10,
        11,
        Command::AddUatCase {
            title: "Front desk books, moves and cancels a lab appointment on the imported data"
                .into(),
            criterion: bookings,
        },
    )?;
    let uat2 = s.new_id(
        &alex,
        10,
        11,
        Command::AddUatCase {
            title: "Admin changes Dr. Reyes's Tuesday hours".into(),
            criterion: hours,
        },
    )?;
    // Day 11, 11:00: the clinic runs the full path on the mapped data — 1 more day, 8 in all.
    s.run(
        &joel,
        11,
        11,
        Command::RecordUatResult {
            case: uat1,
            passed: true,
            notes: String::new(),
            loop_to: None,
        },
    )?;
    s.run(
        &ines,
        11,
        11,
        Command::RecordUatResult {
            case: uat2,
            passed: true,
            notes: String::new(),
            loop_to: None,
        },
    )?;
    s.done(
        &joel,
        11,
        11,
        "full-path",
        note("Booked, moved and cancelled a new-patient visit and a lab appointment on real data"),
    )?;
    s.run(&marta, 11, 12, Command::CloseIssue { issue: nurse })?;
    let sms = s.new_id(
        &marta,
        11,
        13,
        Command::RequestChange {
            title: "SMS reminders the day before each appointment".into(),
            description: "Front desk asks for it after the test run".into(),
            requested_by: m,
            adds_new_data: false,
            adds_new_workflow: true,
            adds_new_team: false,
            proposed_launch_date: None,
        },
    )?;
    s.run(
        &okafor,
        12,
        10,
        Command::AnswerChange {
            request: sms,
            person: pid(&okafor)?,
            approved: true,
            note: "After launch is fine".into(),
            proposed_launch_date: None,
        },
    )?;
    s.run(
        &chris,
        12,
        11,
        Command::AnswerChange {
            request: sms,
            person: pid(&chris)?,
            approved: true,
            note: String::new(),
            proposed_launch_date: None,
        },
    )?;
    s.run(
        &alex,
        12,
        12,
        Command::DecideChange {
            request: sms,
            decision: ChangeDecision::PhaseTwo,
            note: "Does not help the first live use; kept for phase two".into(),
        },
    )?;
    s.advance(&alex, 12, 12, &[Stage::GoNoGo])?;
    for p in [&tom, &aisha] {
        s.run(
            &alex,
            12,
            13,
            Command::SetHelpContact {
                person: pid(p)?,
                help_contact: pid(&joel)?,
            },
        )?;
    }
    s.run(
        &alex,
        12,
        13,
        Command::SetHelpContact {
            person: pid(&ines)?,
            help_contact: pid(&sam)?,
        },
    )?;
    s.run(
        &alex,
        12,
        13,
        Command::SetEarlyWin {
            criterion: bookings,
        },
    )?;
    s.training(
        &sam,
        14,
        10,
        (12, 14),
        TrainingAudience::Admins,
        "Admins: staff, working hours, booking rules",
        45,
        &[
            (&ines, "Change Dr. Reyes's Tuesday hours"),
            (&marta, "Add a new patient type"),
        ],
    )?;
    s.training(
        &sam,
        15,
        10,
        (14, 13),
        TrainingAudience::DailyUsers,
        "Front desk: book, move and cancel",
        30,
        &[
            (&joel, "Move a follow-up to next week"),
            (&tom, "Book a new patient"),
            (&aisha, "Cancel and rebook an urgent visit"),
        ],
    )?;
    s.done(
        &alex,
        15,
        14,
        "train",
        note("Admins on day 14, front desk on day 15; every practice task completed; recaps sent."),
    )?;
    s.status(&alex, 15, 15, "Training done: admins, then front desk the next day; every practice task completed. UAT passed. SMS reminders kept for phase two (approved by Dr. Okafor and Chris Lane). Go / no-go on the launch date.")?;
    s.done(
        &alex,
        21,
        10,
        "launch-decision",
        note("Go signed by Dr. Okafor and Chris Lane"),
    )?;
    s.run(
        &alex,
        21,
        10,
        Command::DecideGoLive {
            go: true,
            reason: "G2 green; Dr. Okafor and Chris Lane agree".into(),
            override_reason: None,
            back_to: None,
        },
    )?;
    s.run(
        &alex,
        28,
        10,
        Command::RecordAdoption {
            active_users: 6,
            trained_users: 5,
            logins_first_week: Some(47),
            support_questions: Some(3),
            key_features_unused: Vec::new(),
            intervention: None,
        },
    )?;
    s.status(&alex, 28, 11, "First week live: 47 logins, 3 support questions (all on moving recurring appointments). Hypercare continues. Retrospective: 8 of the 21 days went to waiting on the CSV export and the mapping decision — fix the request template first.")?;
    s.run(&alex, 28, 12, Command::AddRetroItem { text: "Ask for the PracticeDesk export and the visit-type mapping in the pre-kickoff request, with the field names".into(), kind: RetroKind::TookLonger, bucket: RetroBucket::RolloutWork })?;
    s.run(
        &alex,
        28,
        12,
        Command::AddRetroItem {
            text: "Moving a recurring appointment takes four clicks".into(),
            kind: RetroKind::OnlyAnnoyed,
            bucket: RetroBucket::ProductWork,
        },
    )?;
    // The clinic answers the ratings it was asked for (the latest ids of the story, so the ones
    // before keep theirs): satisfied after kickoff (CSAT 4 of 5), the doctor found go-live easy
    // (CES 6 of 7), the practice manager found it hard work — a low score, which opens Alex's
    // follow-up.
    s.run(
        &marta,
        28,
        14,
        Command::RateMilestone {
            milestone: Milestone::AfterKickoff,
            score: 4,
            comment: "Clear plan, and we knew what we owed you by when.".into(),
        },
    )?;
    s.run(
        &okafor,
        28,
        15,
        Command::RateMilestone {
            milestone: Milestone::GoLive,
            score: 6,
            comment: String::new(),
        },
    )?;
    s.run(
        &marta,
        28,
        16,
        Command::RateMilestone {
            milestone: Milestone::GoLive,
            score: 2,
            comment:
                "Moving recurring appointments by hand took the front desk most of launch week."
                    .into(),
        },
    )?;
    Ok(s)
}

/// Days between the clinic's contract date and `now`: live on day 21, a week of hypercare since.
pub const LINDENWOOD_DAYS_AGO: i64 = 29;
