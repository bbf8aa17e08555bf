//! The project page: the header (customer, owners, finish line, launch date, stage track with the
//! loops taken) and a section for each part of the project, each with its forms.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use finishline_core::activity::Activity;
use finishline_core::lifecycle::{Stage, STAGE_ORDER};
use finishline_core::people::{Role, Side};
use finishline_core::plan::{TaskLabel, TaskStatus};
use finishline_core::project::Project;
use finishline_core::scorecard::Scorecard;
use finishline_core::status_update::r10_status_draft;
use finishline_store::{Invitation, StoredFile};
use maud::{html, Markup};
use serde::Serialize;

use crate::service::{view, ProjectView};
use crate::state::AppState;
use crate::ui::form::{html as html_response, page_status, FormState};
use crate::ui::layout::{self, Fields, Nav};
use crate::ui::session::Vendor;
use crate::ui::svg;

/// The serde name of an enum value (`customer_task`, `go_no_go`).
pub fn key<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

pub fn people_opts(
    p: &Project,
    keep: impl Fn(&finishline_core::people::Person) -> bool,
) -> Vec<(String, String)> {
    p.people
        .iter()
        .filter(|x| keep(x))
        .map(|x| (x.id.to_string(), x.display()))
        .collect()
}

fn with_blank(label: &str, mut v: Vec<(String, String)>) -> Vec<(String, String)> {
    v.insert(0, (String::new(), label.to_string()));
    v
}

pub fn owner_name(p: &Project, id: Option<u32>) -> String {
    id.map_or_else(|| "unowned".to_string(), |i| p.person_name(i))
}

/// The state of a task in words, with its blocker or proof.
pub fn task_state(
    p: &Project,
    t: &finishline_core::plan::Task,
    today: NaiveDate,
    file_base: &str,
) -> Markup {
    html! {
        @match &t.status {
            TaskStatus::Done { proof, by, at } => {
                span class="badge ok" { "done" }
                div class="small" {
                    "by " (p.person_name(*by)) " on " (at.date_naive()) " — "
                    @match proof {
                        finishline_core::plan::Proof::File(f) => a href=(format!("{file_base}{f}")) hx-boost="false" download { "file" },
                        finishline_core::plan::Proof::Link(l) => a href=(l) rel="noopener noreferrer" { "link" },
                        other => (other.describe()),
                    }
                }
            }
            TaskStatus::Blocked(b) => {
                span class="badge bad" { "blocked" }
                div class="small" { "needs " (b.needed) " from " (p.person_name(b.from)) " by " (b.by) }
            }
            TaskStatus::Pending => span class="badge" { "waiting on earlier tasks" },
            TaskStatus::Open => {
                @if t.is_overdue(today) { span class="badge warn" { "overdue" } } @else { span class="badge" { "open" } }
            }
        }
        // R9: the chasing done for this task, as people ask about it ("did we remind them?").
        @if t.nudges > 0 || t.escalated_at.is_some() {
            div class="small muted" {
                @if t.nudges > 0 { "nudged " (t.nudges) "×" }
                @if let Some(at) = t.escalated_at {
                    @if t.nudges > 0 { ", " }
                    "escalated on " (at.format("%-d %b"))
                }
            }
        }
    }
}

fn ball(p: &Project, t: &finishline_core::plan::Task) -> Markup {
    match p.ball_for(t) {
        Some(Side::Customer) => html! { span class="side customer" { "customer" } },
        Some(Side::Vendor) => html! { span class="side vendor" { "vendor" } },
        None => html! { span class="muted" { "—" } },
    }
}

/// The plan as a table; `file_base` is where proof files are downloaded.
pub fn plan_table(
    p: &Project,
    today: NaiveDate,
    tasks: &[&finishline_core::plan::Task],
    file_base: &str,
) -> Markup {
    html! {
        div class="table-wrap" {
            table class="plan" {
                thead { tr {
                    th scope="col" { "#" }
                    th scope="col" { "Task" }
                    th scope="col" { "Owner" }
                    th scope="col" { "Due" }
                    th scope="col" { "State" }
                    th scope="col" { "Ball" }
                } }
                tbody {
                    @for t in tasks {
                        tr id=(format!("task-{}", t.id)) {
                            td { (t.id) }
                            td {
                                (t.title)
                                div class="muted small" { (t.phase) " · " (t.label.label()) @if t.needs_proof { " · needs proof" } }
                                // The data page of the import this task waits on, for both sides
                                // (the portal's file base is /portal/files/, the workspace's
                                // /projects/{id}/files/: the data page sits beside it).
                                @if let (Some(m), Some(base)) = (p.data_maps.iter().find(|m| m.task == Some(t.id)), file_base.strip_suffix("files/")) {
                                    div class="small" { a href=(format!("{base}data#map-{}", m.id)) { "Data import: " (m.name) } }
                                }
                            }
                            td { (owner_name(p, t.owner)) }
                            td {
                                (t.due)
                                @if t.due != t.baseline_due {
                                    div class="small muted" { "baseline " (t.baseline_due) ", moved " (t.slips()) "×" }
                                }
                            }
                            td { (task_state(p, t, today, file_base)) }
                            td { (ball(p, t)) }
                        }
                    }
                }
            }
        }
    }
}

fn stage_track(p: &Project, sc: &Scorecard) -> Markup {
    let current = p
        .stage
        .position()
        .or(p.paused_from.and_then(Stage::position));
    let loops = [
        ("realign with sales", sc.loops.sales_realign),
        ("UAT rework", sc.loops.uat_rework),
        ("no-go", sc.loops.no_go),
        ("adoption intervention", sc.loops.adoption_intervention),
    ];
    html! {
        ol class="stages" aria-label="Stages" {
            @for (i, s) in STAGE_ORDER.iter().enumerate() {
                @let class = match current { Some(c) if i < c => "done", Some(c) if i == c => "current", _ => "" };
                li class=(class) aria-current=[(Some(i) == current).then_some("step")] { (s.label()) }
            }
        }
        @if matches!(p.stage, Stage::Paused | Stage::Cancelled) {
            p { span class="badge warn" { (p.stage.label()) } }
        }
        @if loops.iter().any(|(_, n)| *n > 0) {
            p class="loops" { "Loops taken: "
                @for (l, n) in loops.iter().filter(|(_, n)| *n > 0) {
                    span class="badge loop" { "↺ " (l) " ×" (n) } " "
                }
            }
        }
    }
}

fn section(id: &str, title: &str, body: Markup) -> Markup {
    html! {
        section id=(id) aria-labelledby=(format!("{id}-h")) {
            h2 id=(format!("{id}-h")) { (title) }
            (body)
        }
    }
}

/// A form posting to an action of this project.
fn action_form(
    p: &Project,
    action: &str,
    f: &Fields,
    csrf: &str,
    submit: &str,
    multipart: bool,
    body: Markup,
) -> Markup {
    html! {
        form method="post" action=(format!("/projects/{}/actions/{action}", p.id))
            enctype=[multipart.then_some("multipart/form-data")] class="action" {
            (f.hidden(csrf))
            (f.message())
            (body)
            button type="submit" { (submit) }
        }
    }
}

pub struct PageData {
    pub view: ProjectView,
    pub activities: Vec<Activity>,
    pub files: Vec<StoredFile>,
    pub invitations: Vec<Invitation>,
}

pub async fn load(state: &AppState, ws: &str, id: &str) -> Result<Option<PageData>, Response> {
    let err = |e: finishline_store::StoreError| layout::internal(&e.to_string());
    let Some((p, version)) = state.store.project(ws, id).await.map_err(err)? else {
        return Ok(None);
    };
    let activities = state.store.activities(ws, id).await.map_err(err)?;
    let files = state.store.files(ws, id).await.map_err(err)?;
    let invitations = state.store.invitations(ws, id).await.map_err(err)?;
    let v = view(p, version, &activities, state.now());
    Ok(Some(PageData {
        view: v,
        activities,
        files,
        invitations,
    }))
}

pub async fn page(
    State(state): State<AppState>,
    vendor: Vendor,
    Path(id): Path<String>,
) -> Response {
    render(&state, &vendor, &id, FormState::default(), None).await
}

/// Renders the project page, with a refused form's state or a message shown once.
pub async fn render(
    state: &AppState,
    vendor: &Vendor,
    id: &str,
    st: FormState,
    flash: Option<Markup>,
) -> Response {
    let data = match load(state, vendor.workspace(), id).await {
        Ok(Some(d)) => d,
        Ok(None) => return layout::not_found(&format!("Project {id}")),
        Err(r) => return r,
    };
    let status = page_status(&st);
    let body = body(state, vendor, &data, &st, flash);
    html_response(
        status,
        layout::page(
            &data.view.project.customer,
            Nav::Portfolio,
            &vendor.user.name,
            &vendor.csrf,
            body,
        ),
    )
}

#[allow(clippy::too_many_lines)]
fn body(
    state: &AppState,
    vendor: &Vendor,
    d: &PageData,
    st: &FormState,
    flash: Option<Markup>,
) -> Markup {
    let now = state.now();
    let today = now.date_naive();
    let p = &d.view.project;
    let csrf = vendor.csrf.as_str();
    let fb = format!("/projects/{}/files/", p.id);
    let f = |k: &str| Fields::new(Some(st), k);
    let everyone = people_opts(p, |_| true);
    let customers = people_opts(p, |x| x.side == Side::Customer);
    let open_tasks: Vec<(String, String)> = p
        .tasks
        .iter()
        .filter(|t| t.is_open())
        .map(|t| (t.id.to_string(), format!("#{} {}", t.id, t.title)))
        .collect();
    let blocked_tasks: Vec<(String, String)> = p
        .tasks
        .iter()
        .filter(|t| matches!(t.status, TaskStatus::Blocked(_)))
        .map(|t| (t.id.to_string(), format!("#{} {}", t.id, t.title)))
        .collect();
    let open_crs: Vec<(String, String)> = p
        .change_requests
        .iter()
        .filter(|c| c.is_open())
        .map(|c| (c.id.to_string(), format!("#{} {}", c.id, c.title)))
        .collect();
    let dms = people_opts(p, |x| x.role == Role::DecisionMaker);
    let tasks: Vec<&finishline_core::plan::Task> = p.tasks.iter().collect();
    let draft = r10_status_draft(p, &d.activities, now);
    let sc = &d.view.scorecard;
    html! {
        @if let Some(fl) = flash { div class="flash" role="status" { (fl) } }
        (layout::page_refusal(st))
        div class="page-head" {
            div {
                p class="muted small" { a href="/" { "Portfolio" } " / " (p.name) }
                h1 { (p.customer) }
            }
            div class="head-actions" {
                (layout::health_badge(&d.view.health))
                a class="button secondary" href=(format!("/projects/{}/data", p.id)) { "Data import" }
                a class="button secondary" href=(format!("/projects/{}/preview", p.id)) { "View as customer" }
            }
        }
        @if !d.view.health.reasons.is_empty() {
            ul class="reasons" { @for r in &d.view.health.reasons { li { (r) } } }
        }
        dl class="facts" {
            div { dt { "Vendor owner" } dd { (p.vendor_owner().map_or("unassigned".into(), |o| o.name.clone())) } }
            div { dt { "Customer owner" } dd { (p.customer_owner().map_or("not named".into(), |o| o.name.clone())) } }
            div { dt { "Decision makers" } dd {
                (p.decision_maker(Side::Customer).map_or("customer: not named".into(), |o| format!("customer: {}", o.name)))
                br;
                (p.decision_maker(Side::Vendor).map_or("vendor: not named".into(), |o| format!("vendor: {}", o.name)))
            } }
            div { dt { "Launch date" } dd {
                @match p.launch_date {
                    Some(l) => {
                        (l) " — "
                        @let left = (l - today).num_days();
                        @if left < 0 { span class="late" { (layout::days(-left)) " past" } } @else { (layout::days(left)) " left" }
                        @if let Some(b) = p.baseline_launch_date { @if b != l { div class="small muted" { "baseline " (b) } } }
                    },
                    None => span class="muted" { "not set" },
                }
            } }
            div { dt { "Days since contract" } dd { ((today - p.handoff.contract_date).num_days()) } }
            div { dt { "Playbook" } dd { (p.playbook.name) " v" (p.playbook.version) } }
        }
        div class="finish-line" id="finish-line" {
            h2 { "Finish line" }
            @match &p.finish_line {
                Some(fl) => {
                    p class="line" { (fl.text) }
                    @if !fl.vague_reasons.is_empty() {
                        p class="refusal" { strong { "Vague (R2): " } (fl.vague_reasons.join("; ")) }
                    }
                },
                None => p class="muted" { "Not written yet." },
            }
            @if !p.criteria.is_empty() {
                ul { @for c in &p.criteria {
                    li { (c.describe()) " — measured by " (c.how_measured)
                        @if p.early_win == Some(c.id) { " " span class="badge ok" { "early win" } } }
                } }
            }
            details {
                summary { "Edit the finish line or add a criterion" }
                @let ff = f("set_finish_line");
                (action_form(p, "set_finish_line", &ff, csrf, "Save finish line", false, html! {
                    (ff.textarea("text", "Finish line: the user, the task and what done looks like, with a number", p.finish_line.as_ref().map_or("", |x| x.text.as_str()), true))
                }))
                @let fc = f("add_criterion");
                (action_form(p, "add_criterion", &fc, csrf, "Add criterion", false, html! {
                    div class="row" {
                        (fc.input("metric", "Metric", "text", "", true))
                        (fc.input("baseline", "Baseline", "text", "", false))
                        (fc.input("target", "Target", "text", "", true))
                        (fc.input("unit", "Unit", "text", "", false))
                    }
                    (fc.input("how_measured", "How it is measured", "text", "", true))
                }))
            }
        }
        (stage_track(p, sc))

        (section("plan", "Plan", html! {
            (plan_table(p, today, &tasks, &fb))
            h3 id="gantt" { "Gantt" }
            div class="gantt-wrap" { (svg::gantt(p, today)) }
            (svg::gantt_legend())
            div class="forms" {
                @let fc = f("complete_task");
                (action_form(p, "complete_task", &fc, csrf, "Mark done", true, html! {
                    h3 { "Complete a task with proof" }
                    (fc.select("task", "Task", &with_blank("choose a task", open_tasks.clone()), ""))
                    (fc.input("proof_link", "Link (https://…)", "url", "", false))
                    (fc.input("proof_note", "Or a note of the result", "text", "", false))
                    (fc.file("proof_file", "Or a file"))
                }))
                @let fbk = f("block_task");
                (action_form(p, "block_task", &fbk, csrf, "Mark blocked", false, html! {
                    h3 { "Block a task" }
                    (fbk.select("task", "Task", &with_blank("choose a task", open_tasks.clone()), ""))
                    (fbk.input("needed", "What exactly is needed", "text", "", true))
                    (fbk.select("from", "From whom", &with_blank("choose a person", everyone.clone()), ""))
                    (fbk.input("by", "By when", "date", "", true))
                }))
                @let fr = f("rebaseline_task");
                (action_form(p, "rebaseline_task", &fr, csrf, "Move due date", false, html! {
                    h3 { "Re-baseline a task" }
                    (fr.select("task", "Task", &with_blank("choose a task", open_tasks.clone()), ""))
                    (fr.input("due", "New due date", "date", "", true))
                    (fr.input("reason", "Reason", "text", "", true))
                }))
                @if !blocked_tasks.is_empty() {
                    @let fu = f("unblock_task");
                    (action_form(p, "unblock_task", &fu, csrf, "Unblock", false, html! {
                        h3 { "Unblock a task" }
                        (fu.select("task", "Task", &blocked_tasks, ""))
                        (fu.input("note", "Note", "text", "", false))
                    }))
                }
                @let fl = f("set_launch_date");
                (action_form(p, "set_launch_date", &fl, csrf, "Set launch date", false, html! {
                    h3 { "Launch date" }
                    (fl.input("date", "Launch date", "date", &p.launch_date.map(|d| d.to_string()).unwrap_or_default(), true))
                    (fl.input("reason", "Reason (when moving it)", "text", "", false))
                }))
            }
        }))

        (section("scope", "Scope and change requests", html! {
            div class="cols" {
                @for (bucket, title) in [(finishline_core::scope::ScopeBucket::In, "In phase one"), (finishline_core::scope::ScopeBucket::Later, "Later"), (finishline_core::scope::ScopeBucket::Out, "Not included")] {
                    div { h3 { (title) } ul { @for s in p.scope.iter().filter(|s| s.bucket == bucket) { li { (s.text) } } } }
                }
            }
            @if p.nothing_excluded_confirmed { p class="muted" { "Nothing excluded (confirmed)." } }
            h3 { "Change requests" }
            @if p.change_requests.is_empty() { p class="muted" { "None." } }
            ul class="crs" {
                @for c in &p.change_requests {
                    li {
                        strong { "#" (c.id) " " (c.title) }
                        " — requested by " (p.person_name(c.requested_by)) " on " (c.requested_at.date_naive())
                        @if c.is_material() { " " span class="badge warn" { "material (R4)" } }
                        @if !c.description.is_empty() { div class="small" { (c.description) } }
                        @for a in &c.approvals {
                            div class="small" { (p.person_name(a.person)) (if a.approved { " approved" } else { " declined" }) @if !a.note.is_empty() { ": " (a.note) } }
                        }
                        @match &c.decision {
                            Some(dc) => div { span class="badge ok" { "decided: " (dc.decision.label()) } @if !dc.note.is_empty() { " — " (dc.note) } },
                            None => div { span class="badge" { "open" } },
                        }
                    }
                }
            }
            div class="forms" {
                @let fs = f("add_scope_item");
                (action_form(p, "add_scope_item", &fs, csrf, "Add to scope", false, html! {
                    h3 { "Scope item" }
                    (fs.input("text", "Item", "text", "", true))
                    (fs.select("bucket", "Bucket", &[("in".into(), "in phase one".into()), ("later".into(), "later".into()), ("out".into(), "not included".into())], "in"))
                }))
                @let fq = f("request_change");
                (action_form(p, "request_change", &fq, csrf, "Record request", false, html! {
                    h3 { "New change request" }
                    (fq.input("title", "Title", "text", "", true))
                    (fq.input("description", "Description", "text", "", false))
                    (fq.select("requested_by", "Requested by", &with_blank("choose a person", everyone.clone()), ""))
                    (fq.checkbox("adds_new_data", "adds new data", false))
                    (fq.checkbox("adds_new_workflow", "adds a new workflow", false))
                    (fq.checkbox("adds_new_team", "adds a new team", false))
                    (fq.input("proposed_launch_date", "Proposed launch date", "date", "", false))
                }))
                @if !open_crs.is_empty() {
                    @let fa = f("answer_change");
                    (action_form(p, "answer_change", &fa, csrf, "Record answer", false, html! {
                        h3 { "A decision maker's answer" }
                        (fa.select("request", "Change request", &open_crs, ""))
                        (fa.select("person", "Decision maker", &with_blank("choose", dms.clone()), ""))
                        (fa.select("approved", "Answer", &[("yes".into(), "approve".into()), ("no".into(), "decline".into())], "yes"))
                        (fa.input("note", "Note", "text", "", false))
                    }))
                    @let fd = f("decide_change");
                    (action_form(p, "decide_change", &fd, csrf, "Record decision", false, html! {
                        h3 { "Decide a change request" }
                        (fd.select("request", "Change request", &open_crs, ""))
                        (fd.select("decision", "Decision", &[("add_now".into(), "add now".into()), ("phase_two".into(), "phase two".into()), ("decline".into(), "decline".into())], ""))
                        (fd.input("note", "Note", "text", "", false))
                    }))
                }
            }
        }))

        (section("handoff", "Handoff and sales promises", html! {
            p { strong { "Sold: " } (p.handoff.sold) }
            p class="small muted" { "Champion: " (p.handoff.champion) " · expected timeline: " (p.handoff.expected_timeline) " · AE: " (p.handoff.account_executive) " · contract " (p.handoff.contract_date) }
            @if p.handoff.promises.is_empty() { p class="muted" { "No promises recorded." } }
            ul { @for pr in &p.handoff.promises {
                li {
                    "#" (pr.id) " " (pr.text) " — " span class=(if pr.class.is_over_promise() { "badge warn" } else { "badge ok" }) { (key(&pr.class).replace('_', " ")) }
                    @if let Some(r) = &pr.resolution { " resolved: " (key(r).replace('_', " ")) (serde_json::to_value(r).ok().and_then(|v| v.get("outcome").and_then(|o| o.as_str()).map(str::to_string)).unwrap_or_default().replace('_', " ")) }
                    @else if pr.is_unresolved() { " " span class="badge bad" { "unresolved over-promise" } }
                }
            } }
            @if !p.handoff.promises.is_empty() {
                div class="forms" {
                    @let fc = f("classify_promise");
                    (action_form(p, "classify_promise", &fc, csrf, "Classify", false, html! {
                        h3 { "Classify a promise" }
                        (fc.select("promise", "Promise", &p.handoff.promises.iter().map(|x| (x.id.to_string(), format!("#{} {}", x.id, x.text))).collect::<Vec<_>>(), ""))
                        (fc.select("class", "Class", &promise_classes(), ""))
                    }))
                    @let fr = f("resolve_promise");
                    (action_form(p, "resolve_promise", &fr, csrf, "Resolve", false, html! {
                        h3 { "Resolve an over-promise" }
                        (fr.select("promise", "Promise", &p.handoff.promises.iter().map(|x| (x.id.to_string(), format!("#{} {}", x.id, x.text))).collect::<Vec<_>>(), ""))
                        (fr.select("outcome", "Outcome", &[("into_scope".into(), "into scope with a plan".into()), ("later".into(), "later, acknowledged by the customer".into()), ("declined".into(), "declined".into())], ""))
                        (fr.input("detail", "The plan, or the reason it is declined", "text", "", false))
                        (fr.select("acknowledged_by", "Acknowledged by (for later)", &with_blank("—", customers.clone()), ""))
                    }))
                }
            }
        }))

        (section("people", "People and roles", html! {
            div class="table-wrap" { table {
                thead { tr { th scope="col" { "Name" } th scope="col" { "Role" } th scope="col" { "Side" } th scope="col" { "Email" } th scope="col" { "Help contact" } } }
                tbody { @for x in &p.people { tr {
                    td data-label="Name" { (x.name) } td data-label="Role" { (x.role.label()) } td data-label="Side" { (x.side.label()) }
                    td data-label="Email" { (x.email) }
                    td data-label="Help contact" { (x.help_contact.map(|h| p.person_name(h)).unwrap_or_default()) }
                } } }
            } }
            @let fa = f("add_person");
            (action_form(p, "add_person", &fa, csrf, "Add person", false, html! {
                h3 { "Add a person" }
                div class="row" {
                    (fa.input("name", "Name", "text", "", true))
                    (fa.input("email", "Email", "email", "", true))
                    (fa.select("side", "Side", &[("customer".into(), "customer".into()), ("vendor".into(), "vendor".into())], "customer"))
                    (fa.select("role", "Role", &roles(), ""))
                }
            }))
        }))

        (section("intake", "Intake, access, data and risks", html! {
            div class="cols" {
                div {
                    h3 { "Intake requests" }
                    ul { @for r in &p.intake { li {
                        (r.question) " — " (p.person_name(r.owner)) ", due " (r.due)
                        @match &r.answer { Some(a) => div class="small" { "answered: " (a) }, None => { " " span class="badge" { "open" } } }
                    } } }
                    @if p.intake.is_empty() { p class="muted" { "None." } }
                }
                div {
                    h3 { "Access" }
                    ul { @for a in &p.access { li {
                        (a.what) " — granted by " (p.person_name(a.grantor)) ", due " (a.due)
                        @if a.granted_at.is_some() { " " span class="badge ok" { "granted" } } @else { " " span class="badge" { "open" } }
                    } } }
                    @if p.access.is_empty() { p class="muted" { "None." } }
                }
                div {
                    h3 { "Data sources" }
                    ul { @for s in &p.data_sources { li { (s.name) " (" (s.system) ") — sample " (key(&s.sample).replace('_', " ")) } } }
                    h3 { "Risks" }
                    ul { @for r in &p.risks { li { (r.text) } } }
                    @if p.no_known_risks { p class="muted" { "None known (stated)." } }
                }
            }
            div class="forms" {
                @let fi = f("add_intake_request");
                (action_form(p, "add_intake_request", &fi, csrf, "Ask", false, html! {
                    h3 { "Ask the customer" }
                    (fi.select("kind", "Kind", &intake_kinds(), "other"))
                    (fi.input("question", "Question", "text", "", true))
                    (fi.select("owner", "Who answers", &with_blank("choose a person", customers.clone()), ""))
                    (fi.input("due", "Due", "date", "", true))
                }))
                @let fd = f("add_data_source");
                (action_form(p, "add_data_source", &fd, csrf, "Add source", false, html! {
                    h3 { "Data source" }
                    (fd.input("name", "Name", "text", "", true))
                    (fd.input("system", "System", "text", "", false))
                    (fd.select("sample", "Sample", &[("not_requested".into(), "not requested".into()), ("requested".into(), "requested".into()), ("received".into(), "received".into())], "requested"))
                }))
                @let fr = f("add_risk");
                (action_form(p, "add_risk", &fr, csrf, "Add risk", false, html! {
                    h3 { "Risk" }
                    (fr.input("text", "Risk to launch", "text", "", true))
                }))
            }
        }))

        (section("training", "Training", html! {
            @if p.training.is_empty() { p class="muted" { "No sessions scheduled." } }
            ul { @for s in &p.training { li {
                (s.title) " — " (s.audience.label()) ", " (s.scheduled_at.date_naive()) ", " (s.minutes) " min"
                @if s.held { " " span class="badge ok" { "held" } }
                " · " (s.attendees.iter().filter(|a| a.completed).count()) "/" (s.attendees.len()) " practice tasks completed"
            } } }
        }))

        (section("uat", "UAT and issues", html! {
            @if p.uat.is_empty() { p class="muted" { "No UAT cases." } }
            ul { @for c in &p.uat { li {
                (c.title)
                @if c.passed() { " " span class="badge ok" { "passed" } } @else { " " span class="badge" { (key(&c.result).replace('_', " ")) } }
                @if c.failures > 0 { " · failed " (c.failures) "×" }
            } } }
            @if !p.criteria.is_empty() {
                div class="forms" {
                    @let fa = f("add_uat_case");
                    (action_form(p, "add_uat_case", &fa, csrf, "Add case", false, html! {
                        h3 { "UAT case" }
                        (fa.input("title", "Test case", "text", "", true))
                        (fa.select("criterion", "Success criterion it proves", &p.criteria.iter().map(|c| (c.id.to_string(), c.describe())).collect::<Vec<_>>(), ""))
                    }))
                    @if !p.uat.is_empty() {
                        @let fr = f("record_uat_result");
                        (action_form(p, "record_uat_result", &fr, csrf, "Record result", false, html! {
                            h3 { "UAT result" }
                            (fr.select("case", "Case", &p.uat.iter().map(|c| (c.id.to_string(), c.title.clone())).collect::<Vec<_>>(), ""))
                            (fr.select("passed", "Result", &[("yes".into(), "passed".into()), ("no".into(), "failed".into())], "yes"))
                            (fr.input("notes", "Notes", "text", "", false))
                            (fr.select("loop_to", "On failure, loop back to", &[("".into(), "—".into()), ("build".into(), "build".into()), ("configuration".into(), "configuration".into()), ("training".into(), "training".into())], ""))
                        }))
                    }
                }
            }
            h3 { "Issues" }
            ul { @for i in &p.issues { li {
                (i.title) " — " (owner_name(p, i.owner)) @if let Some(d) = i.due { ", due " (d) }
                @if i.is_open() { " " span class="badge warn" { "open" } } @else { " " span class="badge ok" { "closed" } }
            } } }
            @if p.issues.is_empty() { p class="muted" { "No issues." } }
        }))

        (section("gates", "Gates and stage", html! {
            div class="cols" {
                (layout::gate_checklist(&d.view.gates.kickoff))
                (layout::gate_checklist(&d.view.gates.go_live))
            }
            div class="forms" {
                @let fa = f("advance_stage");
                (action_form(p, "advance_stage", &fa, csrf, "Advance", false, html! {
                    h3 { "Advance the stage" }
                    (fa.select("to", "To stage", &STAGE_ORDER.iter().map(|s| (s.key(), s.label().to_string())).collect::<Vec<_>>(), &p.stage.next().map(Stage::key).unwrap_or_default()))
                }))
                @if p.stage == Stage::GoNoGo {
                    @let fg = f("decide_go_live");
                    (action_form(p, "decide_go_live", &fg, csrf, "Record decision", false, html! {
                        h3 { "Go / no-go decision" }
                        (fg.select("go", "Decision", &[("go".into(), "go".into()), ("no".into(), "no-go".into())], "go"))
                        (fg.input("reason", "Reason", "text", "", true))
                        (fg.input("override_reason", "Override the gate (owner only): why", "text", "", false))
                        (fg.select("back_to", "On no-go, loop back to", &[("".into(), "—".into()), ("build".into(), "build".into()), ("configuration".into(), "configuration".into()), ("training".into(), "training".into())], ""))
                    }))
                }
            }
            @if !p.go_decisions.is_empty() {
                h3 { "Decisions" }
                ul { @for g in &p.go_decisions { li { (if g.go { "GO" } else { "NO-GO" }) " by " (g.decided_by) " on " (g.at.date_naive()) ": " (g.reason) } } }
            }
        }))

        (section("status", "Status update", html! {
            @let fs = f("record_status_update");
            (action_form(p, "record_status_update", &fs, csrf, "Send status update", false, html! {
                p class="muted small" { "Drafted from what happened since the last update (R10). Edit, then send." }
                (fs.input("meeting_date", "Meeting date", "date", &today.to_string(), true))
                (fs.textarea("text", "Text", &draft.to_text(), true))
                (fs.checkbox("for_customer", "show it to the customer in the portal", true))
            }))
            @if !p.status_updates.is_empty() {
                h3 { "Sent" }
                @for u in p.status_updates.iter().rev() {
                    details { summary { (u.meeting_date) @if u.for_customer { " · shared with the customer" } } pre { (u.text) } }
                }
            }
        }))

        (section("portal", "Customer portal", html! {
            p class="muted small" { "An invitation link lets one customer person into this project's portal: single use, valid " (crate::ui::INVITATION_DAYS) " days, revocable." }
            @let fi = Fields::new(Some(st), "invite");
            form method="post" action=(format!("/projects/{}/invitations", p.id)) class="action" {
                (fi.hidden(csrf))
                (fi.message())
                (fi.select("person", "Customer person", &with_blank("choose a person", customers.clone()), ""))
                button type="submit" { "Create invitation link" }
            }
            @if !d.invitations.is_empty() {
                ul class="invitations" { @for inv in &d.invitations { li {
                    (p.person_name(inv.person_id)) " — created " (inv.created_at.date_naive()) " by " (inv.created_by) " · "
                    @if inv.revoked_at.is_some() { span class="badge" { "revoked" } }
                    @else if inv.used_at.is_some() { span class="badge ok" { "used" } }
                    @else if inv.expires_at <= now { span class="badge" { "expired" } }
                    @else { span class="badge warn" { "not used yet" } }
                    @if inv.revoked_at.is_none() {
                        form method="post" action=(format!("/projects/{}/invitations/{}/revoke", p.id, inv.id)) class="inline" {
                            input type="hidden" name="csrf" value=(csrf);
                            button type="submit" class="link" { "Revoke" }
                        }
                    }
                    " " a href=(format!("/projects/{}/preview?person={}", p.id, inv.person_id)) { "preview" }
                } } }
            }
        }))

        (section("files", "Files", html! {
            @if d.files.is_empty() { p class="muted" { "No files." } }
            ul { @for file in &d.files { li { a href=(format!("{fb}{}", file.id)) hx-boost="false" download { (file.name) } " — " (file.size) " bytes, by " (file.uploaded_by) } } }
        }))

        (section("scorecard", "Scorecard", html! {
            dl class="facts" {
                div { dt { "Days to launch" } dd { (sc.days_to_launch) (if sc.live { " (live)" } else { " so far" }) } }
                div { dt { "Waiting on customer" } dd { (layout::days_f(sc.days_waiting_on_customer)) } }
                div { dt { "Waiting on vendor" } dd { (layout::days_f(sc.days_waiting_on_vendor)) } }
                div { dt { "Re-baselines" } dd { (sc.rebaselines) } }
                div { dt { "Loops" } dd { "UAT " (sc.loops.uat_rework) " · realign " (sc.loops.sales_realign) " · no-go " (sc.loops.no_go) } }
                div { dt { "First-week logins" } dd { (sc.first_week_logins.map(|n| n.to_string()).unwrap_or_else(|| "—".into())) } }
            }
        }))

        (section("activity", "Activity", html! {
            ol class="activity" {
                @for a in d.activities.iter().rev().take(60) {
                    li { time datetime=(a.at.to_rfc3339()) { (a.at.format("%Y-%m-%d %H:%M")) } " " span class="actor" { (a.actor) } " — " (a.summary) }
                }
            }
            @if d.activities.len() > 60 { p class="muted small" { "Showing the latest 60 of " (d.activities.len()) "." } }
        }))
    }
}

fn promise_classes() -> Vec<(String, String)> {
    [
        ("standard", "standard"),
        ("phase_two", "phase two"),
        ("needs_custom_work", "needs custom work"),
        ("not_offered", "not offered"),
    ]
    .iter()
    .map(|(a, b)| ((*a).to_string(), (*b).to_string()))
    .collect()
}

fn roles() -> Vec<(String, String)> {
    [
        Role::CustomerOwner,
        Role::BackupContact,
        Role::DecisionMaker,
        Role::ExecutiveSponsor,
        Role::CustomerAdmin,
        Role::EndUser,
        Role::ImplementationOwner,
        Role::VendorTeammate,
        Role::AccountExecutive,
        Role::RenewalCsm,
    ]
    .iter()
    .map(|r| (key(r), r.label().to_string()))
    .collect()
}

fn intake_kinds() -> Vec<(String, String)> {
    use finishline_core::intake::IntakeKind::*;
    [
        FirstOutcome,
        NamesAndRoles,
        SampleFiles,
        Access,
        Deadlines,
        Risks,
        Other,
    ]
    .iter()
    .map(|k| (key(k), key(k).replace('_', " ")))
    .collect()
}

pub fn label_is_customer(l: TaskLabel) -> bool {
    l == TaskLabel::CustomerTask
}

/// A proof file of this project, as an attachment (never rendered in our origin).
pub async fn file(
    State(state): State<AppState>,
    vendor: Vendor,
    Path((id, file_id)): Path<(String, String)>,
) -> Response {
    serve_file(&state, vendor.workspace(), &id, &file_id).await
}

pub async fn serve_file(state: &AppState, ws: &str, project: &str, file_id: &str) -> Response {
    match state.store.file(ws, file_id).await {
        Ok(Some((meta, body))) if meta.project_id == project => {
            let disposition = format!(
                "attachment; filename=\"{}\"",
                meta.name.replace(['"', '\r', '\n', '\\'], "_")
            );
            (
                [
                    (header::CONTENT_TYPE, "application/octet-stream".to_string()),
                    (header::CONTENT_DISPOSITION, disposition),
                ],
                body,
            )
                .into_response()
        }
        Ok(_) => layout::not_found(&format!("File {file_id}")),
        Err(e) => layout::internal(&e.to_string()),
    }
}

pub fn status_ok() -> StatusCode {
    StatusCode::OK
}
