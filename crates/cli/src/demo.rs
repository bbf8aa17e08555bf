//! `finishline demo`: a workspace to look around in, seeded from the situations of the seeds.
//!
//! Every project is built by replaying the commands a team would have run, each with a
//! back-dated [`Ctx`], so the activity log, ball in court (R7), re-baselines (R8), health and the
//! scorecard (R12) are computed from what happened, never typed in. All dates are relative to
//! `now`: the demo always looks current. Every back-dated event falls before today's midnight.
//!
//! | project | seed | stage at `now` |
//! | --- | --- | --- |
//! | Harbor & Pine Insurance — renewals desk | 004 | handoff: an over-promise blocks kickoff after a realign loop |
//! | Calder Field Services — work orders | 004 | build: SSO blocked on the customer's IT, nudged and escalated |
//! | Brightwater Property — maintenance requests | 004, 001 | UAT: a failed case looped back to configuration |
//! | Lindenwood Family Clinic — scheduling | 001 | live + hypercare: the 21-day rollout, 8 days on the customer |
//! | Ridgeway Logistics — dispatch pilot | 000 | complete: launched in ten days, criteria met |

use anyhow::{anyhow, bail, Context, Result};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use finishline_core::command::{NewPerson, NewProject, ReworkStage};
use finishline_core::finish_line::Direction;
use finishline_core::handoff::{Handoff, Promise, PromiseClass, PromiseResolution, Segment};
use finishline_core::intake::{AccessDirection, IntakeKind, SampleState};
use finishline_core::lifecycle::Stage;
use finishline_core::people::{Role, Side};
use finishline_core::plan::Proof;
use finishline_core::playbook::{light_touch, standard, Playbook};
use finishline_core::project::{RetroBucket, RetroKind};
use finishline_core::scope::{ChangeDecision, ScopeBucket};
use finishline_core::training::TrainingAudience;
use finishline_core::{apply, create_project, Activity, Command, Ctx, Project};
use finishline_store::credentials::hash_password;
use finishline_store::{Store, UserRole};

/// How to sign in to the demo workspace.
pub struct DemoLogin {
    pub workspace_id: String,
    pub email: String,
    pub password: String,
}

pub const DEMO_EMAIL: &str = "demo@finishline.local";
pub const DEMO_PASSWORD: &str = "finishline-demo";
/// The second member; signs in with the same demo password.
pub const DEMO_MEMBER_EMAIL: &str = "sam@finishline.local";

/// Creates the demo workspace, its admin member, and at least five projects at different stages.
pub async fn seed(store: &Store, now: DateTime<Utc>) -> Result<DemoLogin> {
    let ws = store
        .create_workspace("Finishline demo", now)
        .await
        .context("creating the demo workspace")?;
    let hash =
        hash_password(DEMO_PASSWORD).map_err(|e| anyhow!("hashing the demo password: {e}"))?;
    let alex = store
        .create_user(
            &ws.id,
            DEMO_EMAIL,
            "Alex Morgan",
            &hash,
            UserRole::Admin,
            now,
        )
        .await
        .context("creating the demo admin")?;
    let sam = store
        .create_user(
            &ws.id,
            DEMO_MEMBER_EMAIL,
            "Sam Rivera",
            &hash,
            UserRole::Member,
            now,
        )
        .await
        .context("creating the demo member")?;
    let team = Team {
        alex: NewPerson {
            name: alex.name.clone(),
            email: alex.email.clone(),
            user_id: Some(alex.id.clone()),
        },
        sam: NewPerson {
            name: sam.name.clone(),
            email: sam.email.clone(),
            user_id: Some(sam.id.clone()),
        },
    };
    let prefix = ws.id.replacen("ws_", "prj_", 1);
    let stories = stories(&team, &prefix, now)?;
    let harbor = stories[0].0.id.clone();
    for (p, acts) in stories {
        store
            .insert_project(&ws.id, &p, &acts, now)
            .await
            .with_context(|| format!("storing demo project {}", p.name))?;
    }
    demo_data_map(store, &ws.id, &harbor, &alex.name, now)
        .await
        .context("adding the demo data map")?;
    Ok(DemoLogin {
        workspace_id: ws.id,
        email: DEMO_EMAIL.into(),
        password: DEMO_PASSWORD.into(),
    })
}

/// Every demo project with its activity log, built by replaying its story at `now`. Pure: the
/// same team, prefix and clock give the same projects, byte for byte (the goldens hold it).
pub fn stories(
    team: &Team,
    prefix: &str,
    now: DateTime<Utc>,
) -> Result<Vec<(Project, Vec<Activity>)>> {
    let scripts = [
        harbor_pine(team, prefix, now).context("seeding Harbor & Pine")?,
        calder(team, prefix, now).context("seeding Calder Field Services")?,
        brightwater(team, prefix, now).context("seeding Brightwater Property")?,
        lindenwood(team, prefix, now).context("seeding Lindenwood Family Clinic")?,
        ridgeway(team, prefix, now).context("seeding Ridgeway Logistics")?,
    ];
    Ok(scripts.into_iter().map(|s| (s.p, s.acts)).collect())
}

/// The demo's data map and a messy example file: a bad email, an unknown country (twice) and a
/// near-duplicate company, so a new user can try the data import end to end in the portal.
pub const DEMO_MAP: &str = include_str!("../demo/policyholders.map.json");
pub const DEMO_SAMPLE: &str = include_str!("../demo/policyholders.csv");

/// Adds the data map to Harbor & Pine after it is stored (its files need the project's row):
/// it serves the plan's data-import task, and the example file is offered for download.
async fn demo_data_map(
    store: &Store,
    ws: &str,
    project: &str,
    by: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    // Just before today's midnight, like every other back-dated demo event.
    let at = now.date_naive().and_time(NaiveTime::MIN).and_utc() - Duration::minutes(5);
    let map = store
        .put_file(
            ws,
            project,
            "policyholders.map.json",
            "application/json",
            DEMO_MAP.as_bytes(),
            by,
            at,
        )
        .await?;
    let sample = store
        .put_file(
            ws,
            project,
            "policyholders-example.csv",
            "text/csv",
            DEMO_SAMPLE.as_bytes(),
            by,
            at,
        )
        .await?;
    let (mut p, version) = store
        .project(ws, project)
        .await?
        .ok_or_else(|| anyhow!("demo project {project} not stored"))?;
    let task = p
        .tasks
        .iter()
        .find(|t| t.step_key.as_deref() == Some("data-import"))
        .map(|t| t.id);
    let owner = p.vendor_owner().map(|o| o.id);
    let ctx = Ctx {
        actor: by.to_string(),
        person: owner,
        side: Side::Vendor,
        now: at,
    };
    let cmd = Command::AddDataMap {
        name: "Policyholder accounts".into(),
        file: map.id,
        task,
        source: None,
        sample: Some(sample.id),
    };
    let acts = apply(&mut p, cmd, &ctx).map_err(|e| anyhow!("demo data map: {e}"))?;
    store.save_project(ws, &p, version, &acts, at).await?;
    Ok(())
}

/// The two workspace members, who own the vendor side of the demo projects.
pub struct Team {
    pub alex: NewPerson,
    pub sam: NewPerson,
}

/// Who acts in a back-dated command.
#[derive(Clone)]
struct Who {
    name: String,
    person: Option<u32>,
    side: Side,
}

/// One project being replayed: the project, its activity log so far, and its day 0 (the
/// contract date, midnight UTC).
struct Script {
    p: Project,
    acts: Vec<Activity>,
    day0: DateTime<Utc>,
    today: NaiveDate,
    last: DateTime<Utc>,
}

impl Script {
    /// Creates the project at 09:00 on its contract date, `days_ago` days before `now`.
    #[expect(
        clippy::too_many_arguments,
        reason = "a back-dated command reads best with its arguments spelled out"
    )]
    fn start(
        now: DateTime<Utc>,
        days_ago: i64,
        id: String,
        name: &str,
        customer: &str,
        handoff: impl FnOnce(NaiveDate) -> Handoff,
        playbook: Playbook,
        owner: &NewPerson,
    ) -> Result<Script> {
        let today = now.date_naive();
        let contract = today - Duration::days(days_ago);
        let day0 = contract.and_time(NaiveTime::MIN).and_utc();
        let at = day0 + Duration::hours(9);
        let ctx = Ctx {
            actor: owner.name.clone(),
            person: None,
            side: Side::Vendor,
            now: at,
        };
        let (p, acts) = create_project(
            NewProject {
                id,
                name: name.into(),
                customer: customer.into(),
                handoff: handoff(contract),
                playbook,
                owner: Some(owner.clone()),
                start_date: contract,
            },
            &ctx,
        )
        .map_err(|e| anyhow!("creating {name}: {e}"))?;
        Ok(Script {
            p,
            acts,
            day0,
            today,
            last: at,
        })
    }

    fn at(&self, day: i64, hour: i64) -> DateTime<Utc> {
        self.day0 + Duration::days(day) + Duration::hours(hour)
    }

    fn date(&self, day: i64) -> NaiveDate {
        self.day0.date_naive() + Duration::days(day)
    }

    /// Applies one command as `who` at `hour` o'clock on `day`.
    fn run(&mut self, who: &Who, day: i64, hour: i64, command: Command) -> Result<()> {
        let at = self.at(day, hour);
        if at.date_naive() >= self.today {
            bail!(
                "demo event on day {day} of {} falls on or after today",
                self.p.name
            );
        }
        if at < self.last {
            bail!(
                "demo events of {} out of order at day {day} {hour}:00",
                self.p.name
            );
        }
        self.last = at;
        let name = command.name();
        let ctx = Ctx {
            actor: who.name.clone(),
            person: who.person,
            side: who.side,
            now: at,
        };
        let acts = apply(&mut self.p, command, &ctx)
            .map_err(|e| anyhow!("{}: {name} on day {day}: {e}", self.p.name))?;
        self.acts.extend(acts);
        Ok(())
    }

    /// Runs a command that creates one thing and returns its id.
    fn new_id(&mut self, who: &Who, day: i64, hour: i64, command: Command) -> Result<u32> {
        let before = self.p.next_id;
        self.run(who, day, hour, command)?;
        if self.p.next_id == before {
            bail!("{}: the command created nothing", self.p.name);
        }
        Ok(self.p.next_id)
    }

    /// Adds a person and returns them as someone who can act.
    #[expect(
        clippy::too_many_arguments,
        reason = "a back-dated command reads best with its arguments spelled out"
    )]
    fn person(
        &mut self,
        who: &Who,
        day: i64,
        hour: i64,
        name: &str,
        email: &str,
        side: Side,
        role: Role,
        user_id: Option<String>,
    ) -> Result<Who> {
        let id = self.new_id(
            who,
            day,
            hour,
            Command::AddPerson {
                name: name.into(),
                email: email.into(),
                side,
                role,
                user_id,
            },
        )?;
        Ok(Who {
            name: name.into(),
            person: Some(id),
            side,
        })
    }

    fn owner(&self) -> Result<Who> {
        let o = self
            .p
            .vendor_owner()
            .ok_or_else(|| anyhow!("{} has no vendor owner", self.p.name))?;
        Ok(Who {
            name: o.name.clone(),
            person: Some(o.id),
            side: Side::Vendor,
        })
    }

    /// The task created from a playbook step.
    fn task(&self, key: &str) -> Result<u32> {
        self.p
            .tasks
            .iter()
            .find(|t| t.step_key.as_deref() == Some(key))
            .map(|t| t.id)
            .ok_or_else(|| anyhow!("{}: no task from step {key}", self.p.name))
    }

    fn done(&mut self, who: &Who, day: i64, hour: i64, key: &str, proof: Proof) -> Result<()> {
        let task = self.task(key)?;
        self.run(
            who,
            day,
            hour,
            Command::CompleteTask {
                task,
                proof: Some(proof),
                completed_by: who.person,
            },
        )
    }

    fn advance(&mut self, who: &Who, day: i64, hour: i64, stages: &[Stage]) -> Result<()> {
        for to in stages {
            self.run(who, day, hour, Command::AdvanceStage { to: *to })?;
        }
        Ok(())
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "a back-dated command reads best with its arguments spelled out"
    )]
    fn criterion(
        &mut self,
        who: &Who,
        day: i64,
        hour: i64,
        metric: &str,
        baseline: Option<f64>,
        target: f64,
        direction: Direction,
        unit: &str,
        how_measured: &str,
    ) -> Result<u32> {
        self.new_id(
            who,
            day,
            hour,
            Command::AddCriterion {
                metric: metric.into(),
                baseline,
                target,
                direction,
                unit: unit.into(),
                how_measured: how_measured.into(),
            },
        )
    }

    fn scope(
        &mut self,
        who: &Who,
        day: i64,
        hour: i64,
        items: &[(&str, ScopeBucket)],
    ) -> Result<()> {
        for (text, bucket) in items {
            self.run(
                who,
                day,
                hour,
                Command::AddScopeItem {
                    text: (*text).into(),
                    bucket: *bucket,
                },
            )?;
        }
        Ok(())
    }

    /// Schedules a session, records each attendee's practice task, marks it held and sends the recap.
    #[expect(
        clippy::too_many_arguments,
        reason = "a back-dated command reads best with its arguments spelled out"
    )]
    fn training(
        &mut self,
        who: &Who,
        day: i64,
        hour: i64,
        scheduled_on: (i64, i64),
        audience: TrainingAudience,
        title: &str,
        minutes: u32,
        attendees: &[(&Who, &str)],
    ) -> Result<u32> {
        let scheduled_at = self.at(day, hour);
        let session = self.new_id(
            who,
            scheduled_on.0,
            scheduled_on.1,
            Command::ScheduleTraining {
                audience,
                title: title.into(),
                scheduled_at,
                minutes,
            },
        )?;
        for (person, practice) in attendees {
            self.run(
                who,
                day,
                hour + 1,
                Command::RecordAttendance {
                    session,
                    person: pid(person)?,
                    practice_task: (*practice).into(),
                    completed: true,
                },
            )?;
        }
        self.run(who, day, hour + 1, Command::MarkTrainingHeld { session })?;
        self.run(who, day, hour + 2, Command::SendTrainingRecap { session })?;
        Ok(session)
    }

    fn status(&mut self, who: &Who, day: i64, hour: i64, text: &str) -> Result<()> {
        let meeting_date = self.date(day);
        self.run(
            who,
            day,
            hour,
            Command::RecordStatusUpdate {
                meeting_date,
                text: text.into(),
                for_customer: true,
            },
        )
    }
}

fn pid(who: &Who) -> Result<u32> {
    who.person
        .ok_or_else(|| anyhow!("{} is not a person of the project", who.name))
}

fn note(text: &str) -> Proof {
    Proof::Note(text.into())
}

fn link(url: &str) -> Proof {
    Proof::Link(url.into())
}

/// A stand-in for the sha256 of an uploaded file: the sha256 of its name, the same on every
/// machine and toolchain (the standard library's hasher promises neither).
fn file_sha(name: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(name.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn promise(text: &str) -> Promise {
    Promise {
        id: 0,
        text: text.into(),
        class: PromiseClass::Unclassified,
        resolution: None,
    }
}

const NINE: i64 = 9;

/// Seed 004: an enterprise deal where sales said "the product does X". The owner caught it in the
/// handoff, took the realign-with-sales loop, and kickoff stays blocked (G1) until it is resolved.
fn harbor_pine(team: &Team, prefix: &str, now: DateTime<Utc>) -> Result<Script> {
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

/// Seed 004: the technical setup that sits waiting on the customer's IT — blocker, nudges,
/// escalation to the executive sponsor, re-baselines.
fn calder(team: &Team, prefix: &str, now: DateTime<Utc>) -> Result<Script> {
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

/// Seed 004 with seed 001's change control: a change request decided by both decision makers
/// with a new launch date, then a failed UAT case that looped back to configuration.
fn brightwater(team: &Team, prefix: &str, now: DateTime<Utc>) -> Result<Script> {
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

/// Seed 001: the clinic on scheduling software — patient types, staff lists, working hours, a
/// data map where "visit type" maps to "appointment category", one nurse under two names, admins
/// then front desk trained. It is the first rollout that took 21 days, 8 of them on the customer:
/// 5 waiting for the CSV export, 2 for the field-mapping decision and 1 for the clinic's own run
/// of the full path on the mapped data.
fn lindenwood(team: &Team, prefix: &str, now: DateTime<Utc>) -> Result<Script> {
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
    Ok(s)
}

/// Days between the clinic's contract date and `now`: live on day 21, a week of hypercare since.
pub const LINDENWOOD_DAYS_AGO: i64 = 29;

/// Seed 000: the five-person logistics pilot that asked for three extras before kickoff, cut
/// them in a realign loop, launched in ten days and met its finish line.
fn ridgeway(team: &Team, prefix: &str, now: DateTime<Utc>) -> Result<Script> {
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use finishline_core::ball::r7_ball_in_court;
    use finishline_core::health::health;
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
}
