//! OCEL 2.0 JSON (<https://www.ocel-standard.org>): the object-centric event log. Objects are
//! the workspace's projects, tasks, people, change requests and import runs; each activity of
//! each project is one event, related to its project, to the object it happened to (its
//! `subject`) and to the person who acted, each relation with its qualifier.
//!
//! Streaming JSON with two arrays: the events go straight to the output as each project is
//! written, while the same project's objects go to a spool file; `finish` appends the spool as
//! `objects` and then the event types seen. JSON members have no order, so readers do not mind
//! `objects` after `events`, and the spool keeps memory flat without reading the store twice
//! (which could also pair events with objects of a later document).

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};

use chrono::{DateTime, Utc};
use finishline_core::plan::TaskStatus;
use finishline_core::process::{person_of_actor, stage_visits, waiting_spans};
use finishline_core::{Activity, Project};
use serde_json::{json, Value};

use super::{key_of, time};

/// The object types and their attributes (name, OCEL type).
const OBJECT_TYPES: [(&str, &[(&str, &str)]); 5] = [
    (
        PROJECT,
        &[
            ("name", "string"),
            ("customer", "string"),
            ("segment", "string"),
            ("playbook", "string"),
            ("stage", "string"),
        ],
    ),
    (
        TASK,
        &[
            ("title", "string"),
            ("phase", "string"),
            ("label", "string"),
            ("status", "string"),
            ("due", "time"),
        ],
    ),
    (
        PERSON,
        &[("name", "string"), ("side", "string"), ("role", "string")],
    ),
    (
        CHANGE_REQUEST,
        &[("title", "string"), ("decision", "string")],
    ),
    (
        IMPORT_RUN,
        &[
            ("rows", "integer"),
            ("errors", "integer"),
            ("reviews", "integer"),
        ],
    ),
];

pub const PROJECT: &str = "project";
pub const TASK: &str = "task";
pub const PERSON: &str = "person";
pub const CHANGE_REQUEST: &str = "change request";
pub const IMPORT_RUN: &str = "import run";

/// Values that do not change over the object's life (or whose history the log does not keep)
/// carry the epoch as their time, OCEL's convention for an initial value.
const INITIAL: &str = "1970-01-01T00:00:00.000Z";

/// Writes one OCEL 2.0 JSON document, a project at a time.
pub struct OcelWriter<W: Write> {
    out: W,
    objects: BufWriter<File>,
    now: DateTime<Utc>,
    events_written: bool,
    objects_written: bool,
    event_types: BTreeSet<String>,
}

/// The ids of a project's objects by kind, to relate events and objects only to objects the
/// export holds (a log can name an import draft that never became a run, say).
struct Known {
    tasks: BTreeSet<u32>,
    people: BTreeSet<u32>,
    change_requests: BTreeSet<u32>,
    imports: BTreeSet<u32>,
}

impl Known {
    fn of(p: &Project) -> Self {
        Known {
            tasks: p.tasks.iter().map(|t| t.id).collect(),
            people: p.people.iter().map(|x| x.id).collect(),
            change_requests: p.change_requests.iter().map(|c| c.id).collect(),
            imports: p.imports.iter().map(|r| r.id).collect(),
        }
    }

    /// The object id of an activity's subject (`task:3` in project `p1` is `task:p1:3`);
    /// `None` for subjects that are not objects of the export (the project itself, a risk).
    fn subject(&self, project: &str, subject: &str) -> Option<String> {
        let (kind, id) = subject.split_once(':')?;
        let id: u32 = id.parse().ok()?;
        let known = match kind {
            "task" => &self.tasks,
            "person" => &self.people,
            "change_request" => &self.change_requests,
            "import" => &self.imports,
            _ => return None,
        };
        known
            .contains(&id)
            .then(|| format!("{kind}:{project}:{id}"))
    }
}

fn rel(object: &str, qualifier: &str) -> Value {
    json!({ "objectId": object, "qualifier": qualifier })
}

fn attr(name: &str, value: impl Into<Value>) -> Value {
    json!({ "name": name, "time": INITIAL, "value": value.into() })
}

impl<W: Write> OcelWriter<W> {
    /// Starts the document. `now` is when task statuses are read.
    pub fn new(mut out: W, now: DateTime<Utc>) -> std::io::Result<Self> {
        let types: Vec<Value> = OBJECT_TYPES
            .iter()
            .map(|(name, attrs)| {
                let attrs: Vec<Value> = attrs
                    .iter()
                    .map(|(n, t)| json!({ "name": n, "type": t }))
                    .collect();
                json!({ "name": name, "attributes": attrs })
            })
            .collect();
        out.write_all(b"{\"objectTypes\":")?;
        serde_json::to_writer(&mut out, &types)?;
        out.write_all(b",\n\"events\":[")?;
        Ok(OcelWriter {
            out,
            objects: BufWriter::new(tempfile::tempfile()?),
            now,
            events_written: false,
            objects_written: false,
            event_types: BTreeSet::new(),
        })
    }

    /// Writes one project's events (returned: how many) and spools its objects.
    pub fn project(&mut self, p: &Project, log: &[Activity]) -> std::io::Result<usize> {
        let project_obj = format!("project:{}", p.id);
        let known = Known::of(p);
        for (i, a) in log.iter().enumerate() {
            let mut rels = vec![rel(&project_obj, "project")];
            if let Some(obj) = known.subject(&p.id, &a.subject) {
                rels.push(rel(&obj, "subject"));
            }
            if let Some(person) = person_of_actor(p, &a.actor) {
                let obj = format!("person:{}:{}", p.id, person.id);
                if !rels.iter().any(|r| r["objectId"] == obj.as_str()) {
                    rels.push(rel(&obj, "actor"));
                }
            }
            let event = json!({
                "id": format!("{}:{i}", p.id),
                "type": a.kind,
                "time": time(a.at),
                "attributes": [
                    { "name": "summary", "value": a.summary },
                    { "name": "actor", "value": a.actor },
                ],
                "relationships": rels,
            });
            if !self.event_types.contains(&a.kind) {
                self.event_types.insert(a.kind.clone());
            }
            if self.events_written {
                self.out.write_all(b",\n")?;
            }
            self.events_written = true;
            serde_json::to_writer(&mut self.out, &event)?;
        }
        for object in objects(p, log, &known, self.now) {
            if self.objects_written {
                self.objects.write_all(b",\n")?;
            }
            self.objects_written = true;
            serde_json::to_writer(&mut self.objects, &object)?;
        }
        Ok(log.len())
    }

    /// Ends the document: the spooled objects, then the event types. Returns the output.
    pub fn finish(mut self) -> std::io::Result<W> {
        self.out.write_all(b"],\n\"objects\":[")?;
        let mut spool = self.objects.into_inner().map_err(|e| e.into_error())?;
        spool.seek(SeekFrom::Start(0))?;
        std::io::copy(&mut spool, &mut self.out)?;
        let types: Vec<Value> = self
            .event_types
            .iter()
            .map(|t| {
                json!({ "name": t, "attributes": [
                    { "name": "summary", "type": "string" },
                    { "name": "actor", "type": "string" },
                ] })
            })
            .collect();
        self.out.write_all(b"],\n\"eventTypes\":")?;
        serde_json::to_writer(&mut self.out, &types)?;
        self.out.write_all(b"}\n")?;
        Ok(self.out)
    }
}

/// A project's objects: itself (its stage as it changed), its people, tasks, change requests
/// and import runs, each related to the project and to the people it names.
fn objects(p: &Project, log: &[Activity], known: &Known, now: DateTime<Utc>) -> Vec<Value> {
    let pid = &p.id;
    let project_obj = format!("project:{pid}");
    let person = |id: u32| format!("person:{pid}:{id}");
    // A relation to a person names one of the project's people, or is left out.
    let to_person = |id: u32, q: &str| known.people.contains(&id).then(|| rel(&person(id), q));
    let mut out = Vec::with_capacity(1 + p.people.len() + p.tasks.len());

    let spans = waiting_spans(log, now);
    let mut project_attrs = vec![
        attr("name", p.name.as_str()),
        attr("customer", p.customer.as_str()),
        attr("segment", key_of(&p.handoff.segment)),
        attr(
            "playbook",
            format!("{} v{}", p.playbook.key, p.playbook.version),
        ),
    ];
    for v in stage_visits(p, log, &spans, now) {
        project_attrs
            .push(json!({ "name": "stage", "time": time(v.entered), "value": v.stage.key() }));
    }
    let members: Vec<Value> = p
        .people
        .iter()
        .map(|x| rel(&person(x.id), "member"))
        .collect();
    out.push(json!({ "id": project_obj, "type": PROJECT, "attributes": project_attrs, "relationships": members }));

    for x in &p.people {
        out.push(json!({
            "id": person(x.id),
            "type": PERSON,
            "attributes": [attr("name", x.name.as_str()), attr("side", key_of(&x.side)), attr("role", key_of(&x.role))],
            "relationships": [rel(&project_obj, "member of")],
        }));
    }
    for t in &p.tasks {
        let mut rels = vec![rel(&project_obj, "part of")];
        rels.extend(t.owner.and_then(|o| to_person(o, "owner")));
        rels.extend(
            t.depends_on
                .iter()
                .filter(|d| known.tasks.contains(d))
                .map(|d| rel(&format!("task:{pid}:{d}"), "depends on")),
        );
        let status = match &t.status {
            TaskStatus::Done { .. } => "done",
            TaskStatus::Blocked(_) => "blocked",
            TaskStatus::Open => "open",
            TaskStatus::Pending => "pending",
        };
        let due = t
            .due
            .and_hms_opt(0, 0, 0)
            .map(|d| time(d.and_utc()))
            .unwrap_or_default();
        out.push(json!({
            "id": format!("task:{pid}:{}", t.id),
            "type": TASK,
            "attributes": [
                attr("title", t.title.as_str()),
                attr("phase", t.phase.as_str()),
                attr("label", key_of(&t.label)),
                json!({ "name": "status", "time": time(now), "value": status }),
                attr("due", due),
            ],
            "relationships": rels,
        }));
    }
    for c in &p.change_requests {
        let mut rels = vec![rel(&project_obj, "part of")];
        rels.extend(to_person(c.requested_by, "requested by"));
        if let Some(d) = &c.decision {
            rels.extend(
                d.approved_by
                    .iter()
                    .filter_map(|a| to_person(*a, "approved by")),
            );
        }
        let decision = c
            .decision
            .as_ref()
            .map(|d| key_of(&d.decision))
            .unwrap_or_else(|| "open".into());
        out.push(json!({
            "id": format!("change_request:{pid}:{}", c.id),
            "type": CHANGE_REQUEST,
            "attributes": [attr("title", c.title.as_str()), attr("decision", decision)],
            "relationships": rels,
        }));
    }
    for r in &p.imports {
        out.push(json!({
            "id": format!("import:{pid}:{}", r.id),
            "type": IMPORT_RUN,
            "attributes": [attr("rows", r.rows), attr("errors", r.errors), attr("reviews", r.reviews)],
            "relationships": [rel(&project_obj, "part of")],
        }));
    }
    out
}
