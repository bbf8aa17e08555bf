//! Calendar feeds (RFC 5545): each person's dates — their tasks due, and the meetings, training
//! sessions and milestones of their projects — at a secret address a calendar program polls.
//!
//! The address carries a signed token `base64url(JSON claims).base64url(HMAC)`, with its own key
//! in `server_secrets`, naming the workspace, the person and the generation of their link. A new
//! link raises the generation (`Store::new_calendar_feed`), and every older link stops working;
//! nothing secret is stored. A member's feed shows everything of their projects; a customer's,
//! only what the portal shows them, and only while they hold an invitation that is not revoked.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Duration, Utc};
use finishline_core::calendar::{self, Audience, CalendarItem, ItemStatus, When};
use finishline_core::Project;
use finishline_store::audit::By;
use hmac::Mac as _;
use icalendar::{Calendar, Component as _, Event, EventLike as _, EventStatus};
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::notify::tokens::{base, mac, signing_key};
use crate::App;

const KEY_NAME: &str = "calendar_feed_key";

/// Whose feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// A workspace member, by user id.
    Member(String),
    /// A customer person of one project (customers are people of a project, not members).
    Customer { project: String, person: u32 },
}

impl Subject {
    /// How the subject is written in the token and in `calendar_feeds`.
    pub fn key(&self) -> String {
        match self {
            Subject::Member(id) => format!("member:{id}"),
            Subject::Customer { project, person } => format!("customer:{project}:{person}"),
        }
    }

    fn parse(key: &str) -> Option<Subject> {
        if let Some(id) = key.strip_prefix("member:") {
            return Some(Subject::Member(id.to_owned()));
        }
        let rest = key.strip_prefix("customer:")?;
        let (project, person) = rest.rsplit_once(':')?;
        Some(Subject::Customer {
            project: project.to_owned(),
            person: person.parse().ok()?,
        })
    }
}

#[derive(Serialize, Deserialize)]
struct Claims {
    ws: String,
    sub: String,
    gen: i64,
}

/// A person's feed links: all their dates, and one per project they are on.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FeedLinks {
    /// The `https://` address to paste into a calendar program's "subscribe by URL".
    pub url: String,
    /// The same address as `webcal://`, which opens the calendar program directly.
    pub webcal: String,
}

/// The current links of `subject` (the same every time until a new link is asked for).
pub async fn links(app: &App, ws: &str, subject: &Subject) -> Result<FeedLinks, AppError> {
    let generation = app
        .store
        .calendar_feed_generation(ws, &subject.key())
        .await?;
    links_at(app, ws, subject, generation).await
}

/// Revokes `subject`'s link and returns the new one.
pub async fn replace(
    app: &App,
    ws: &str,
    subject: &Subject,
    by: &By,
) -> Result<FeedLinks, AppError> {
    let generation = app.store.new_calendar_feed(ws, &subject.key(), by).await?;
    links_at(app, ws, subject, generation).await
}

async fn links_at(
    app: &App,
    ws: &str,
    subject: &Subject,
    generation: i64,
) -> Result<FeedLinks, AppError> {
    let claims = Claims {
        ws: ws.to_owned(),
        sub: subject.key(),
        gen: generation,
    };
    let json = serde_json::to_vec(&claims).map_err(|e| AppError::Internal(e.to_string()))?;
    let key = signing_key(app, KEY_NAME).await?;
    let sig = mac(&key, &json)?.finalize().into_bytes();
    let token = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(&json),
        URL_SAFE_NO_PAD.encode(sig)
    );
    let url = format!("{}/calendar/{token}.ics", base(app));
    let webcal = webcal(&url);
    Ok(FeedLinks { url, webcal })
}

/// The same address as `webcal://`, which a browser hands to the calendar program.
pub fn webcal(url: &str) -> String {
    match url.split_once("://") {
        Some((_, rest)) => format!("webcal://{rest}"),
        None => url.to_owned(),
    }
}

/// The feed behind a token as iCalendar text, or `NotFound` for a token that is forged, cut
/// short, replaced by a newer link, or whose person left. Every refusal says the same, so a
/// guess learns nothing. `project` narrows the feed to one project's dates (all of them, not
/// only the person's own tasks).
pub async fn feed(
    app: &App,
    token: &str,
    project: Option<&str>,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    let gone = || AppError::NotFound("this calendar link".into());
    let (body, sig) = token.split_once('.').ok_or_else(gone)?;
    let json = URL_SAFE_NO_PAD.decode(body).map_err(|_| gone())?;
    let sig = URL_SAFE_NO_PAD.decode(sig).map_err(|_| gone())?;
    let key = signing_key(app, KEY_NAME).await?;
    mac(&key, &json)?.verify_slice(&sig).map_err(|_| gone())?;
    let claims: Claims = serde_json::from_slice(&json).map_err(|_| gone())?;
    let subject = Subject::parse(&claims.sub).ok_or_else(gone)?;
    let current = app
        .store
        .calendar_feed_generation(&claims.ws, &claims.sub)
        .await?;
    if current != claims.gen {
        return Err(gone());
    }
    let (name, items) = match &subject {
        Subject::Member(user) => member_items(app, &claims.ws, user, project).await?,
        Subject::Customer { project: p, person } => {
            if project.is_some_and(|wanted| wanted != p) {
                return Err(gone());
            }
            customer_items(app, &claims.ws, p, *person).await?
        }
    }
    .ok_or_else(gone)?;
    let link = match subject {
        Subject::Member(_) => None,
        Subject::Customer { .. } => Some(format!("{}/portal", base(app))),
    };
    Ok(render(&name, &items, now, base(app), link.as_deref()))
}

type Items = Option<(String, Vec<(String, CalendarItem)>)>;

async fn member_items(
    app: &App,
    ws: &str,
    user: &str,
    project: Option<&str>,
) -> Result<Items, AppError> {
    let users = app.store.users(ws).await?;
    let Some(member) = users.into_iter().find(|u| u.id == user) else {
        return Ok(None);
    };
    if let Some(id) = project {
        let Some((p, _)) = app.store.project(ws, id).await? else {
            return Ok(None);
        };
        let items = tagged(&p, calendar::project_items(&p, Audience::Vendor));
        return Ok(Some((format!("{} · Finishline", p.name), items)));
    }
    let mut items = Vec::new();
    for (p, _) in app.store.projects(ws).await? {
        let mine = p
            .people
            .iter()
            .find(|x| is_member(x, &member))
            .map(|x| x.id);
        if let Some(person) = mine {
            items.extend(tagged(&p, calendar::person_items(&p, person)));
        }
    }
    Ok(Some((format!("{} · Finishline", member.name), items)))
}

async fn customer_items(
    app: &App,
    ws: &str,
    project: &str,
    person: u32,
) -> Result<Items, AppError> {
    let invited = app
        .store
        .invitations(ws, project)
        .await?
        .iter()
        .any(|i| i.person_id == person && i.revoked_at.is_none());
    if !invited {
        return Ok(None);
    }
    let Some((p, _)) = app.store.project(ws, project).await? else {
        return Ok(None);
    };
    if p.person(person).is_none() {
        return Ok(None);
    }
    let items = tagged(&p, calendar::person_items(&p, person));
    Ok(Some((format!("{} · {}", p.name, p.customer), items)))
}

/// Whether a project person is this member: linked to them, or a vendor person with their email
/// (a handoff names its owner by email only).
pub fn is_member(
    person: &finishline_core::people::Person,
    member: &finishline_store::User,
) -> bool {
    person.user_id.as_deref() == Some(member.id.as_str())
        || (person.side == finishline_core::people::Side::Vendor
            && person.email.eq_ignore_ascii_case(&member.email))
}

/// Each item with the project it belongs to, for its link.
fn tagged(p: &Project, items: Vec<CalendarItem>) -> Vec<(String, CalendarItem)> {
    items.into_iter().map(|i| (p.id.clone(), i)).collect()
}

/// A one-event invitation (`METHOD:REQUEST`) for an email, with the same UID and sequence as
/// the entry in the feeds, so a calendar that has both keeps one.
pub fn invitation(
    item: &CalendarItem,
    url: &str,
    organizer: &str,
    attendee: &str,
    now: DateTime<Utc>,
) -> String {
    let mut cal = Calendar::empty();
    cal.append_property(("VERSION", "2.0"))
        .append_property(("PRODID", "-//Finishline//Calendar feed//EN"))
        .append_property(("METHOD", "REQUEST"));
    let mut e = event(item, now, url);
    e.append_property(("ORGANIZER", format!("mailto:{organizer}").as_str()))
        .append_property(
            icalendar::Property::new("ATTENDEE", format!("mailto:{attendee}"))
                .add_parameter("RSVP", "FALSE")
                .done(),
        );
    cal.push(e.done());
    cal.done().to_string()
}

fn event(item: &CalendarItem, now: DateTime<Utc>, url: &str) -> Event {
    let mut e = Event::new();
    e.uid(&item.uid)
        .summary(&item.summary)
        .description(&item.description)
        .sequence(item.sequence)
        .timestamp(now)
        .status(match item.status {
            ItemStatus::Confirmed => EventStatus::Confirmed,
            ItemStatus::Tentative => EventStatus::Tentative,
            ItemStatus::Cancelled => EventStatus::Cancelled,
        });
    match item.when {
        // DTEND of a whole day is the next day: RFC 5545 ends are exclusive, and an end equal
        // to the start is an event of no length, which some programs hide.
        When::Day(d) => {
            e.starts(d).ends(d.succ_opt().unwrap_or(d));
        }
        When::At { start, minutes } => {
            e.starts(start)
                .ends(start + Duration::minutes(i64::from(minutes)));
        }
    }
    e.url(url);
    e.done()
}

/// The iCalendar text. `DTSTAMP` is the time of this answer, as RFC 5545 asks of a feed without
/// a `METHOD`; timed entries are written in UTC, so no time-zone table is needed.
fn render(
    name: &str,
    items: &[(String, CalendarItem)],
    now: DateTime<Utc>,
    base: &str,
    customer_link: Option<&str>,
) -> String {
    let mut sorted: Vec<&(String, CalendarItem)> = items.iter().collect();
    sorted.sort_by(|a, b| a.1.uid.cmp(&b.1.uid));
    let mut cal = Calendar::empty();
    cal.append_property(("VERSION", "2.0"))
        .append_property(("PRODID", "-//Finishline//Calendar feed//EN"))
        .append_property(("CALSCALE", "GREGORIAN"))
        .name(name);
    for (project, item) in sorted {
        let url = match customer_link {
            Some(l) => l.to_owned(),
            None => format!("{base}/projects/{project}"),
        };
        cal.push(event(item, now, &url));
    }
    cal.done().to_string()
}
