//! What of a project belongs in someone's calendar: task due dates, meetings, training sessions,
//! the end of each plan phase, go-live and the end of hypercare.
//!
//! Calendar programs keep an event by its UID and take a changed copy only when its `SEQUENCE`
//! is higher, so both must come from the project itself: a UID names the thing (task 7 of
//! project p), never its date, and the sequence counts the moves the project already records
//! (a task's re-baselines, the launch's re-baselines). Nothing here is stored apart from the
//! project, so every server answers the same feed for the same project.
//!
//! A customer's feed is built from [`crate::visibility::for_customer`]: internal tasks are left
//! out whole (not shown as placeholders), and so are meetings whose update was not shared.

use chrono::{DateTime, NaiveDate, Utc};

use crate::lifecycle::Stage;
use crate::people::Side;
use crate::plan::TaskStatus;
use crate::project::Project;
use crate::visibility;

/// Whose view of a project a feed shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The vendor's team: everything.
    Vendor,
    /// The customer: shared items only.
    Customer,
}

/// When an item happens: a whole day, or a stretch of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Day(NaiveDate),
    At { start: DateTime<Utc>, minutes: u32 },
}

/// What an item is, for its summary and for choosing whose feed it goes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    TaskDue,
    Meeting,
    Training,
    PhaseEnd,
    GoLive,
    HypercareEnd,
}

/// Whether the item still stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemStatus {
    Confirmed,
    /// The project is paused: its dates may not hold.
    Tentative,
    /// The project was cancelled: calendars should strike it.
    Cancelled,
}

/// One calendar entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarItem {
    pub uid: String,
    pub kind: ItemKind,
    pub summary: String,
    pub description: String,
    pub when: When,
    /// How many times the item has moved.
    pub sequence: u32,
    pub status: ItemStatus,
    /// The project person who owns it (tasks only).
    pub owner: Option<u32>,
}

/// Every calendar entry of a project as `audience` may see it.
pub fn project_items(project: &Project, audience: Audience) -> Vec<CalendarItem> {
    let redacted;
    let p = match audience {
        Audience::Vendor => project,
        Audience::Customer => {
            redacted = visibility::for_customer(project);
            &redacted
        }
    };
    let status = match p.stage {
        Stage::Cancelled => ItemStatus::Cancelled,
        Stage::Paused => ItemStatus::Tentative,
        _ => ItemStatus::Confirmed,
    };
    let mut items = Vec::new();
    let shown =
        |t: &&crate::plan::Task| audience == Audience::Vendor || visibility::customer_sees(t);
    for t in p.tasks.iter().filter(shown) {
        let done = matches!(t.status, TaskStatus::Done { .. });
        let owner = t.owner.map(|o| p.person_name(o));
        items.push(CalendarItem {
            uid: uid(p, &format!("task-{}", t.id)),
            kind: ItemKind::TaskDue,
            summary: format!(
                "{}{} due · {}",
                if done { "Done: " } else { "" },
                t.title,
                p.customer
            ),
            description: format!(
                "{} · phase {}{}",
                p.name,
                t.phase,
                owner.map(|o| format!(" · owner {o}")).unwrap_or_default()
            ),
            when: When::Day(t.due),
            sequence: count(t.rebaselines.len()),
            status,
            owner: t.owner,
        });
    }
    items.extend(phase_ends(p, audience, status));
    items.extend(meetings(p, audience, status));
    for s in &p.training {
        items.push(CalendarItem {
            uid: uid(p, &format!("training-{}", s.id)),
            kind: ItemKind::Training,
            summary: format!("Training: {} · {}", s.title, p.customer),
            description: format!("{} · for {}", p.name, s.audience.label()),
            when: When::At {
                start: s.scheduled_at,
                minutes: s.minutes,
            },
            sequence: 0,
            status,
            owner: None,
        });
    }
    if let Some(d) = p.launch_date {
        items.push(CalendarItem {
            uid: uid(p, "go-live"),
            kind: ItemKind::GoLive,
            summary: format!("Go-live · {}", p.customer),
            description: p.name.clone(),
            when: When::Day(d),
            sequence: count(p.launch_rebaselines.len()),
            status,
            owner: None,
        });
    }
    if let Some(d) = p.hypercare_until {
        items.push(CalendarItem {
            uid: uid(p, "hypercare-end"),
            kind: ItemKind::HypercareEnd,
            summary: format!("End of hypercare · {}", p.customer),
            description: p.name.clone(),
            when: When::Day(d),
            sequence: 0,
            status,
            owner: None,
        });
    }
    items
}

/// The entries of one person's calendar: their own tasks, and every other kind of entry of the
/// project (meetings, training, milestones), which concern everyone on it.
pub fn person_items(project: &Project, person: u32) -> Vec<CalendarItem> {
    let audience = match project.person(person).map(|p| p.side) {
        Some(Side::Vendor) => Audience::Vendor,
        _ => Audience::Customer,
    };
    project_items(project, audience)
        .into_iter()
        .filter(|i| i.kind != ItemKind::TaskDue || i.owner == Some(person))
        .collect()
}

/// The end of each plan phase: the latest due date of its tasks. It moves whenever one of them
/// does, so its sequence is the sum of their moves (it may rise without the date changing,
/// which calendars accept).
fn phase_ends(p: &Project, audience: Audience, status: ItemStatus) -> Vec<CalendarItem> {
    // Keyed by slug, so that two spellings of one phase ("Build", "build") make one entry and
    // never two with the same UID.
    let mut phases: Vec<(String, &str, NaiveDate, usize)> = Vec::new();
    let shown = p
        .tasks
        .iter()
        .filter(|t| audience == Audience::Vendor || visibility::customer_sees(t));
    for t in shown {
        let key = slug(&t.phase);
        match phases.iter_mut().find(|(k, ..)| *k == key) {
            Some((_, _, end, moves)) => {
                *end = (*end).max(t.due);
                *moves += t.rebaselines.len();
            }
            None => phases.push((key, &t.phase, t.due, t.rebaselines.len())),
        }
    }
    phases
        .into_iter()
        .map(|(key, name, end, moves)| CalendarItem {
            uid: uid(p, &format!("phase-{key}")),
            kind: ItemKind::PhaseEnd,
            summary: format!("End of {name} · {}", p.customer),
            description: p.name.clone(),
            when: When::Day(end),
            sequence: count(moves),
            status,
            owner: None,
        })
        .collect()
}

/// Meetings held (one per status update, on its meeting date) and the next one planned. A
/// meeting is named by its date: moving the next meeting plans another, and the first leaves
/// the feed.
fn meetings(p: &Project, audience: Audience, status: ItemStatus) -> Vec<CalendarItem> {
    let mut days: Vec<NaiveDate> = p
        .status_updates
        .iter()
        .filter(|u| audience == Audience::Vendor || u.for_customer)
        .map(|u| u.meeting_date)
        .chain(p.next_meeting)
        .collect();
    days.sort_unstable();
    days.dedup();
    days.into_iter()
        .map(|d| CalendarItem {
            uid: uid(p, &format!("meeting-{d}")),
            kind: ItemKind::Meeting,
            summary: format!("Meeting · {}", p.customer),
            description: p.name.clone(),
            when: When::Day(d),
            sequence: 0,
            status,
            owner: None,
        })
        .collect()
}

fn uid(p: &Project, what: &str) -> String {
    format!("{what}.{}@finishline", p.id)
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A phase name as a UID part: letters and digits kept, anything else one dash.
fn slug(name: &str) -> String {
    let mut s = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            s.push(c);
        } else if !s.ends_with('-') {
            s.push('-');
        }
    }
    s.trim_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::slug;

    #[test]
    fn a_phase_slug_keeps_letters_and_digits_only() {
        assert_eq!(slug("Build & configure"), "build-configure");
        assert_eq!(slug(" UAT 2 "), "uat-2");
    }
}
