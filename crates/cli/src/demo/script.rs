//! The replay machinery of the demo stories: who acts, and a project replayed command by
//! command with back-dated contexts.

use anyhow::{anyhow, bail, Result};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use finishline_core::command::{NewPerson, NewProject};
use finishline_core::finish_line::Direction;
use finishline_core::handoff::{Handoff, Promise, PromiseClass};
use finishline_core::lifecycle::Stage;
use finishline_core::people::{Role, Side};
use finishline_core::plan::Proof;
use finishline_core::playbook::Playbook;
use finishline_core::scope::ScopeBucket;
use finishline_core::training::TrainingAudience;
use finishline_core::{apply, create_project, Activity, Command, Ctx, Project};

/// The two workspace members, who own the vendor side of the demo projects.
pub struct Team {
    pub alex: NewPerson,
    pub sam: NewPerson,
}

/// Who acts in a back-dated command.
#[derive(Clone)]
pub(super) struct Who {
    pub(super) name: String,
    pub(super) person: Option<u32>,
    pub(super) side: Side,
}

/// One project being replayed: the project, its activity log so far, and its day 0 (the
/// contract date, midnight UTC).
pub(super) struct Script {
    pub(super) p: Project,
    pub(super) acts: Vec<Activity>,
    pub(super) day0: DateTime<Utc>,
    pub(super) today: NaiveDate,
    pub(super) last: DateTime<Utc>,
}

impl Script {
    /// Creates the project at 09:00 on its contract date, `days_ago` days before `now`.
    #[expect(
        clippy::too_many_arguments,
        reason = "a back-dated command reads best with its arguments spelled out"
    )]
    pub(super) fn start(
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

    pub(super) fn at(&self, day: i64, hour: i64) -> DateTime<Utc> {
        self.day0 + Duration::days(day) + Duration::hours(hour)
    }

    pub(super) fn date(&self, day: i64) -> NaiveDate {
        self.day0.date_naive() + Duration::days(day)
    }

    /// Applies one command as `who` at `hour` o'clock on `day`.
    pub(super) fn run(&mut self, who: &Who, day: i64, hour: i64, command: Command) -> Result<()> {
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
    pub(super) fn new_id(
        &mut self,
        who: &Who,
        day: i64,
        hour: i64,
        command: Command,
    ) -> Result<u32> {
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
    pub(super) fn person(
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

    pub(super) fn owner(&self) -> Result<Who> {
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
    pub(super) fn task(&self, key: &str) -> Result<u32> {
        self.p
            .tasks
            .iter()
            .find(|t| t.step_key.as_deref() == Some(key))
            .map(|t| t.id)
            .ok_or_else(|| anyhow!("{}: no task from step {key}", self.p.name))
    }

    pub(super) fn done(
        &mut self,
        who: &Who,
        day: i64,
        hour: i64,
        key: &str,
        proof: Proof,
    ) -> Result<()> {
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

    pub(super) fn advance(
        &mut self,
        who: &Who,
        day: i64,
        hour: i64,
        stages: &[Stage],
    ) -> Result<()> {
        for to in stages {
            self.run(who, day, hour, Command::AdvanceStage { to: *to })?;
        }
        Ok(())
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "a back-dated command reads best with its arguments spelled out"
    )]
    pub(super) fn criterion(
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

    pub(super) fn scope(
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
    pub(super) fn training(
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

    pub(super) fn status(&mut self, who: &Who, day: i64, hour: i64, text: &str) -> Result<()> {
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

pub(super) fn pid(who: &Who) -> Result<u32> {
    who.person
        .ok_or_else(|| anyhow!("{} is not a person of the project", who.name))
}

pub(super) fn note(text: &str) -> Proof {
    Proof::Note(text.into())
}

pub(super) fn link(url: &str) -> Proof {
    Proof::Link(url.into())
}

/// A stand-in for the sha256 of an uploaded file: the sha256 of its name, the same on every
/// machine and toolchain (the standard library's hasher promises neither).
pub(super) fn file_sha(name: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(name.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub(super) fn promise(text: &str) -> Promise {
    Promise {
        id: 0,
        text: text.into(),
        class: PromiseClass::Unclassified,
        resolution: None,
    }
}

pub(super) const NINE: i64 = 9;
