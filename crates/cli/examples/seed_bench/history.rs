//! A bench project's history: the lifecycle walked through the core's commands with back-dated
//! times, so the activity log holds what a real one does. Everything is decided by the project's
//! number (no randomness): the same seed gives the same workspace. The walk stops at `now`, so
//! recent contracts are still open, at whatever stage their history reached.

use chrono::{DateTime, Duration, Utc};
use finishline_core::adoption::Intervention;
use finishline_core::finish_line::Direction;
use finishline_core::intake::SampleState;
use finishline_core::lifecycle::{ReworkStage, Stage};
use finishline_core::people::{Role, Side};
use finishline_core::plan::{Proof, TaskLabel, TaskStatus};
use finishline_core::scope::ScopeBucket;
use finishline_core::{apply, Activity, Command, Ctx, Project};

const REASONS: [&str; 6] = [
    "Customer IT has not granted SSO access yet",
    "Waiting for the full CSV export from the old system",
    "Data mapping decision pending with the customer's finance team",
    "Vendor integration work took longer than planned",
    "Customer team unavailable during their quarter close",
    "Scope change approved: a new data source added",
];

struct Walk<'a> {
    p: &'a mut Project,
    log: &'a mut Vec<Activity>,
    start: DateTime<Utc>,
    now: DateTime<Utc>,
    /// Days since the contract, with hours so that activities keep their order.
    day: f64,
}

/// The walk reached `now` (or a command was refused): the project stays where it is.
struct Stop;

impl Walk<'_> {
    fn at(&self) -> DateTime<Utc> {
        self.start + Duration::minutes((self.day * 1440.0) as i64)
    }

    /// Moves the clock on; stops the walk once it passes `now`.
    fn wait(&mut self, days: f64) -> Result<(), Stop> {
        self.day += days;
        if self.at() >= self.now {
            return Err(Stop);
        }
        Ok(())
    }

    fn run(&mut self, c: Command) -> Result<(), Stop> {
        self.run_as(Side::Vendor, self.p.vendor_owner().map(|o| o.id), c)
    }

    fn run_as(&mut self, side: Side, person: Option<u32>, c: Command) -> Result<(), Stop> {
        let ctx = Ctx {
            actor: format!("{side:?}"),
            person,
            side,
            now: self.at(),
        };
        self.day += 0.01;
        match apply(self.p, c, &ctx) {
            Ok(acts) => {
                self.log.extend(acts);
                Ok(())
            }
            Err(_) => Err(Stop),
        }
    }

    fn advance(&mut self, stages: &[Stage]) -> Result<(), Stop> {
        for s in stages {
            self.run(Command::AdvanceStage { to: *s })?;
        }
        Ok(())
    }

    fn person(&self, role: Role) -> u32 {
        self.p.first_with_role(role).map_or(0, |p| p.id)
    }

    /// Does the work that is due: every open task due by today, the customer's a few days late
    /// (by project), until nothing more opens up; `all` finishes everything open.
    fn catch_up(&mut self, customer_lag: i64, all: bool) {
        let customer = self.person(Role::CustomerOwner);
        for _ in 0..200 {
            let today = self.at().date_naive();
            let next = self.p.tasks.iter().find(|t| {
                let lag = if t.label == TaskLabel::CustomerTask {
                    customer_lag
                } else {
                    0
                };
                matches!(t.status, TaskStatus::Open)
                    && (all || t.due + Duration::days(lag) <= today)
            });
            let Some((task, label)) = next.map(|t| (t.id, t.label)) else {
                return;
            };
            let c = Command::CompleteTask {
                task,
                proof: Some(Proof::Note("done".into())),
                completed_by: None,
            };
            let done = match label {
                TaskLabel::CustomerTask => self.run_as(Side::Customer, Some(customer), c),
                _ => self.run(c),
            };
            if done.is_err() {
                return;
            }
        }
    }
}

/// Walks project `i` from its contract (`start`) towards `now`; returns when it last changed.
pub fn walk(
    p: &mut Project,
    log: &mut Vec<Activity>,
    i: usize,
    start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> DateTime<Utc> {
    let mut w = Walk {
        p,
        log,
        start,
        now,
        day: 2.5,
    };
    let _ = lifecycle(&mut w, i);
    w.log.last().map_or(start, |a| a.at)
}

/// How many days late project `i`'s customer does its tasks.
fn lag(i: usize) -> i64 {
    [0, 2, 5, 9, 14][i % 5]
}

fn lifecycle(w: &mut Walk<'_>, i: usize) -> Result<(), Stop> {
    let n = |m: usize, k: usize| ((i * 31 + k * 17) % m) as f64;
    kickoff_ready(w)?;
    w.advance(&[Stage::Assign, Stage::Intake])?;
    if i.is_multiple_of(10) {
        w.wait(1.0 + n(4, 1))?;
        w.run(Command::RealignWithSales {
            reason: "Over-promise: custom approval workflow was sold as standard".into(),
        })?;
        w.wait(2.0 + n(6, 2))?;
        w.advance(&[Stage::Assign, Stage::Intake])?;
    }
    w.wait(2.0 + n(5, 3))?;
    w.advance(&[Stage::Kickoff])?;
    let launch = w.at().date_naive() + Duration::days(35 + (i % 25) as i64);
    let meeting = w.at().date_naive() + Duration::days(7);
    w.run(Command::SetLaunchDate {
        date: launch,
        reason: String::new(),
    })?;
    w.run(Command::SetNextMeeting { date: meeting })?;
    w.wait(2.0 + n(4, 4))?;
    w.advance(&[Stage::Discovery])?;
    w.catch_up(lag(i), false);
    w.wait(4.0 + n(6, 5))?;
    w.advance(&[Stage::Build])?;
    build(w, i)?;
    if i % 25 == 7 {
        w.wait(3.0)?;
        return w.run(Command::Cancel {
            reason: "Customer's budget was withdrawn".into(),
        });
    }
    w.wait(3.0 + n(8, 6))?;
    w.advance(&[Stage::Configuration])?;
    w.catch_up(lag(i), false);
    w.wait(4.0 + n(6, 7))?;
    w.advance(&[Stage::Training])?;
    w.catch_up(lag(i), false);
    w.wait(3.0 + n(4, 8))?;
    uat_and_go_live(w, i)?;
    after_go_live(w, i)
}

fn kickoff_ready(w: &mut Walk<'_>) -> Result<(), Stop> {
    for (name, side, role) in [
        ("Vic", Side::Vendor, Role::DecisionMaker),
        ("Rene", Side::Vendor, Role::RenewalCsm),
    ] {
        w.run(Command::AddPerson {
            name: name.into(),
            email: format!("{}@vendor.test", name.to_lowercase()),
            side,
            role,
            user_id: None,
        })?;
    }
    w.run(Command::AddCriterion {
        metric: "hours of manual order handling a week".into(),
        baseline: Some(6.0),
        target: 2.0,
        direction: Direction::AtMost,
        unit: "hours".into(),
        how_measured: "time sheet of the ops team".into(),
    })?;
    w.run(Command::AddDataSource {
        name: "Orders export".into(),
        system: "Old ERP".into(),
        sample: SampleState::Requested,
    })?;
    w.run(Command::ConfirmNoKnownRisks)?;
    w.run(Command::AddScopeItem {
        text: "Custom roles".into(),
        bucket: ScopeBucket::Out,
    })
}

/// Build: a customer task blocked for days (sometimes weeks), a pause now and then, dates moved
/// with a reason.
fn build(w: &mut Walk<'_>, i: usize) -> Result<(), Stop> {
    let customer = w.person(Role::CustomerOwner);
    w.catch_up(lag(i), false);
    let blocked =
        w.p.tasks
            .iter()
            .find(|t| matches!(t.status, TaskStatus::Open) && t.label == TaskLabel::VendorTask)
            .map(|t| t.id);
    if let Some(task) = blocked {
        let by = w.at().date_naive() + Duration::days(7);
        w.run(Command::BlockTask {
            task,
            needed: "Customer sends the orders CSV with fields id, status, amount".into(),
            from: customer,
            by,
        })?;
        let days = if i.is_multiple_of(6) {
            20 + i % 20
        } else {
            2 + i % 9
        };
        w.wait(days as f64)?;
        w.run(Command::UnblockTask {
            task,
            note: "export received".into(),
        })?;
    }
    if i.is_multiple_of(8) {
        w.wait(1.0)?;
        w.run(Command::Pause {
            reason: "Customer reorganisation".into(),
        })?;
        w.wait(3.0 + (i % 18) as f64)?;
        w.run(Command::Resume)?;
    }
    if i.is_multiple_of(3) {
        let from = w.p.launch_date.unwrap_or(w.at().date_naive());
        w.run(Command::SetLaunchDate {
            date: from + Duration::days(7 + (i % 15) as i64),
            reason: REASONS[i % REASONS.len()].into(),
        })?;
    }
    if i % 4 == 1 {
        let task =
            w.p.tasks
                .iter()
                .find(|t| matches!(t.status, TaskStatus::Open))
                .map(|t| (t.id, t.due));
        if let Some((task, due)) = task {
            w.run(Command::RebaselineTask {
                task,
                due: due + Duration::days(5 + (i % 10) as i64),
                reason: REASONS[(i / 4) % REASONS.len()].into(),
            })?;
        }
    }
    w.catch_up(lag(i), false);
    Ok(())
}

fn uat_and_go_live(w: &mut Walk<'_>, i: usize) -> Result<(), Stop> {
    w.advance(&[Stage::Uat])?;
    let criterion = w.p.criteria.first().map_or(0, |c| c.id);
    w.run(Command::AddUatCase {
        title: "Import this week's orders and export the final list".into(),
        criterion,
    })?;
    let case = w.p.uat.last().map_or(0, |c| c.id);
    if i.is_multiple_of(4) {
        w.wait(1.0)?;
        w.run(Command::RecordUatResult {
            case,
            passed: false,
            notes: "status values not mapped".into(),
            loop_to: Some(ReworkStage::Configuration),
        })?;
        w.wait(3.0 + (i % 7) as f64)?;
        w.advance(&[Stage::Training, Stage::Uat])?;
    }
    w.wait(1.0 + (i % 3) as f64)?;
    w.run(Command::RecordUatResult {
        case,
        passed: true,
        notes: String::new(),
        loop_to: None,
    })?;
    w.advance(&[Stage::GoNoGo])?;
    if i % 10 == 3 {
        w.wait(1.0)?;
        w.run(Command::DecideGoLive {
            go: false,
            reason: "Support team not trained yet".into(),
            override_reason: None,
            back_to: Some(ReworkStage::Training),
        })?;
        w.wait(4.0 + (i % 5) as f64)?;
        w.advance(&[Stage::Uat, Stage::GoNoGo])?;
    }
    w.wait(1.0)?;
    w.run(Command::DecideGoLive {
        go: true,
        reason: "Ready".into(),
        override_reason: Some("Remaining items are tracked with owners".into()),
        back_to: None,
    })
}

fn after_go_live(w: &mut Walk<'_>, i: usize) -> Result<(), Stop> {
    w.catch_up(lag(i), true);
    w.wait(15.0)?;
    w.advance(&[Stage::Adoption])?;
    if i % 7 == 2 {
        w.wait(10.0)?;
        w.run(Command::RecordAdoption {
            active_users: 3,
            trained_users: 20,
            logins_first_week: Some(4),
            support_questions: Some(9),
            key_features_unused: vec!["weekly export".into()],
            intervention: Some(Intervention::ReengageChampion),
        })?;
    }
    w.wait(20.0 + (i % 20) as f64)?;
    w.advance(&[Stage::ValueReview])?;
    let criterion = w.p.criteria.first().map_or(0, |c| c.id);
    w.wait(3.0)?;
    w.run(Command::MeasureCriterion {
        criterion,
        value: if i % 9 == 4 { 3.0 } else { 1.5 },
    })?;
    w.advance(&[Stage::Transition])?;
    let csm = w.person(Role::RenewalCsm);
    w.run(Command::PrepareTransition {
        renewal_csm: csm,
        notes: "Live and at target; renewal in 10 months".into(),
    })?;
    w.wait(2.0)?;
    w.run_as(Side::Vendor, Some(csm), Command::AcceptTransition)?;
    w.advance(&[Stage::Complete])
}
