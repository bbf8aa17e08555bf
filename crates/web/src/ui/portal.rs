//! The customer portal: one customer person, one project, reached by an invitation link.
//!
//! It opens on their progress ("x of y of your tasks done", the next step, what is overdue), then
//! their side's tasks ("what we need from you, by when", each waiting task saying what it waits
//! on), the shared plan, the finish line, the launch date and who to ask for help. Everything is
//! rendered from `visibility::for_customer`: never internal tasks' titles, notes or proof (they
//! show as vendor work in progress), never the activity log, risks, sales promises or scorecard,
//! and never another project. Files are served only when the customer may see them. Customers act through an
//! allowlist of actions, each checked here against their person before the core sees it, and
//! run with a customer context (`Ctx { side: Customer, person, actor: "<name> (customer)" }`).

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use finishline_core::command::Ctx;
use finishline_core::lifecycle::Stage;
use finishline_core::people::{Person, Role, Side};
use finishline_core::plan::{Task, TaskStatus};
use finishline_core::survey::pending_asks;
use finishline_core::visibility::{
    customer_does, customer_may_download, customer_sees, for_customer,
};
use finishline_core::Project;
use maud::{html, Markup};
use serde::Deserialize;

use crate::auth::{sign_in, ConnectedFrom};
use crate::error::ApiError;
use crate::state::AppState;
use crate::ui::actions::{build, see_other};
use crate::ui::form::{csrf_token, html as html_response, page_status, FormData, FormState};
use crate::ui::layout::{self, Fields};
use crate::ui::project::{self, people_opts};
use crate::ui::session::{
    checked_pre_session, cookie_from_headers, no_session_form_page, portal_cookie,
    pre_session_csrf, Customer, Vendor, PORTAL_COOKIE, PRE_SESSION_COOKIE,
};
use finishline_app::commands::{discard_files, run_command};

/// A task of the customer's side that they can see (and so act on).
fn is_customer_task(p: &Project, t: &Task) -> bool {
    customer_does(p, t) && customer_sees(t)
}

fn is_customer_dm(person: &Person) -> bool {
    person.role == Role::DecisionMaker && person.side == Side::Customer
}

/// Who the customer asks for help: their named help contact, else the vendor owner.
fn help_contact<'a>(p: &'a Project, person: &Person) -> Option<&'a Person> {
    person
        .help_contact
        .and_then(|h| p.person(h))
        .or_else(|| p.vendor_owner())
}

/// The portal page of a person. `csrf` is `None` in the vendor's preview: forms are disabled.
fn portal_body(
    p: &Project,
    person: &Person,
    csrf: Option<&str>,
    st: &FormState,
    today: chrono::NaiveDate,
    file_base: &str,
) -> Markup {
    // Everything below reads the project as the customer may see it.
    let shown = for_customer(p);
    let p = &shown;
    let f = |k: &str| Fields::new(Some(st), k);
    let token = csrf.unwrap_or("");
    let mut mine: Vec<&Task> = p
        .tasks
        .iter()
        .filter(|t| t.is_open() && is_customer_task(p, t))
        .collect();
    mine.sort_by_key(|t| (t.owner != Some(person.id), t.due, t.id));
    let stuck_from = people_opts(p, |x| x.side == Side::Vendor || x.id == person.id);
    let open_intake: Vec<_> = p
        .intake
        .iter()
        .filter(|r| {
            r.answer.is_none() && p.person(r.owner).is_some_and(|o| o.side == Side::Customer)
        })
        .collect();
    let open_crs: Vec<_> = p.change_requests.iter().filter(|c| c.is_open()).collect();
    let dm = is_customer_dm(person);
    let form = |action: &str, fields: &Fields, submit: &str, multipart: bool, body: Markup| {
        html! {
            form method="post" action=(format!("/portal/actions/{action}")) class="action"
                enctype=[multipart.then_some("multipart/form-data")] {
                (fields.hidden(token))
                (fields.message())
                fieldset disabled[csrf.is_none()] {
                    (body)
                    button type="submit" { (submit) }
                }
            }
        }
    };
    let page = html! {
        div class="page-head" {
            div {
                p class="muted small" { (p.name) }
                h1 { "Welcome, " (person.name) }
            }
        }
        (progress(p, &mine, &open_intake, today))
        dl class="facts" {
            div class="wide" { dt { "Finish line" } dd { (p.finish_line.as_ref().map_or("not written yet".into(), |x| x.text.clone())) } }
            div { dt { "Launch date" } dd {
                @match p.launch_date {
                    Some(l) => { (l) " — " @let left = (l - today).num_days(); @if left < 0 { (layout::days(-left)) " past" } @else { (layout::days(left)) " left" } },
                    None => "not set yet",
                }
            } }
            div { dt { "Stage" } dd { (p.stage.label()) } }
            div { dt { "Who to ask for help" } dd {
                @match help_contact(p, person) {
                    Some(h) => { (h.name) br; a href=(format!("mailto:{}", h.email)) { (h.email) } },
                    None => "your implementation team",
                }
            } }
        }
        (crate::ui::portal_approval::section(p, person, csrf, st, today))
        (ratings(p, person, csrf, st))

        @if !p.data_maps.is_empty() {
            @let data_href = if csrf.is_some() { "/portal/data".to_string() } else { format!("/projects/{}/data", p.id) };
            section id="data" aria-labelledby="data-h" {
                h2 id="data-h" { "Your data" }
                @for m in &p.data_maps {
                    article class="task-card" {
                        h3 { (m.name) }
                        @if let Some(t) = m.task.and_then(|t| p.task(t)) {
                            p class="small" { "For the task " strong { (t.title) } " · due " (t.due) }
                        }
                        p {
                            a class="button" href=(format!("{data_href}#map-{}", m.id)) {
                                @if m.draft.is_some() { "Continue fixing your data" } @else { "Upload and check your data" }
                            }
                        }
                    }
                }
            }
        }

        section id="yours" aria-labelledby="yours-h" {
            h2 id="yours-h" { "What we need from you, by when" }
            @if mine.is_empty() { p class="muted" { "Nothing right now. Thank you!" } }
            @for t in &mine {
                article class="task-card" id=(format!("task-{}", t.id)) {
                    h3 { (t.title) }
                    p class="small" {
                        "due " strong { (t.due) } " · " (project::owner_name(p, t.owner))
                        @if t.is_overdue(today) { " " span class="badge warn" { "overdue" } }
                    }
                    @if matches!(t.status, TaskStatus::Pending) {
                        (waits_on(p, t))
                    } @else {
                        (project::task_state(p, t, today, file_base))
                    }
                    @if !matches!(t.status, TaskStatus::Pending) {
                        @let key = format!("complete_task-{}", t.id);
                        @let fc = f(&key);
                        details open[st.form == key] {
                            summary { "Mark done with proof" }
                            (form("complete_task", &fc, "Mark done", true, html! {
                                input type="hidden" name="task" value=(t.id);
                                (fc.file("proof_file", "Upload a file"))
                                (fc.input("proof_link", "Or a link (https://…)", "url", "", false))
                                (fc.input("proof_note", "Or a note of the result", "text", "", false))
                            }))
                        }
                        @let key = format!("block_task-{}", t.id);
                        @let fb = f(&key);
                        details open[st.form == key] {
                            summary { "We are stuck" }
                            (form("block_task", &fb, "Tell the team", false, html! {
                                input type="hidden" name="task" value=(t.id);
                                (fb.input("needed", "What exactly do you need?", "text", "", true))
                                (fb.select("from", "From whom", &stuck_from, ""))
                                (fb.input("by", "By when", "date", "", true))
                            }))
                        }
                    }
                }
            }
        }

        @if !open_intake.is_empty() {
            section id="questions" aria-labelledby="questions-h" {
                h2 id="questions-h" { "Questions for you" }
                @for r in &open_intake {
                    @let key = format!("answer_intake-{}", r.id);
                    @let fa = f(&key);
                    article class="task-card" {
                        h3 { (r.question) }
                        p class="small" {
                            "due " strong { (r.due) } " · " (p.person_name(r.owner))
                            @if r.due < today { " " span class="badge warn" { "overdue" } }
                        }
                        (form("answer_intake", &fa, "Send answer", false, html! {
                            input type="hidden" name="request" value=(r.id);
                            (fa.textarea("answer", "Your answer", "", true))
                        }))
                    }
                }
            }
        }

        @if !open_crs.is_empty() {
            section id="changes" aria-labelledby="changes-h" {
                h2 id="changes-h" { "Change requests" }
                @for c in &open_crs {
                    @let key = format!("answer_change-{}", c.id);
                    @let fa = f(&key);
                    article class="task-card" {
                        h3 { (c.title) }
                        @if !c.description.is_empty() { p { (c.description) } }
                        @if let Some(d) = c.proposed_launch_date { p class="small" { "Proposed launch date: " (d) } }
                        @match c.latest_answer(person.id) {
                            Some(a) => p { "You " (if a.approved { "approved" } else { "declined" }) " this." },
                            None => @if dm {
                                (form("answer_change", &fa, "Send answer", false, html! {
                                    input type="hidden" name="request" value=(c.id);
                                    (fa.select("approved", "Your answer", &[("yes".into(), "approve".into()), ("no".into(), "decline".into())], ""))
                                    (fa.input("note", "Note", "text", "", false))
                                }))
                            } @else {
                                p class="muted small" { "Your decision maker answers this." }
                            },
                        }
                    }
                }
            }
        }

        @if p.stage == Stage::GoNoGo && dm {
            section id="golive" aria-labelledby="golive-h" {
                h2 id="golive-h" { "Go-live decision" }
                @let fg = f("decide_go_live");
                (form("decide_go_live", &fg, "Record decision", false, html! {
                    (fg.select("go", "Decision", &[("go".into(), "go".into()), ("no".into(), "no-go".into())], "go"))
                    (fg.input("reason", "Reason", "text", "", true))
                    (fg.select("back_to", "On no-go, what needs more work", &[("".into(), "—".into()), ("build".into(), "technical setup".into()), ("configuration".into(), "configuration".into()), ("training".into(), "training".into())], ""))
                }))
            }
        }

        section id="plan" aria-labelledby="plan-h" {
            h2 id="plan-h" { "The shared plan" }
            (portal_plan(p, today, file_base))
        }

        @let updates: Vec<_> = p.status_updates.iter().filter(|u| u.for_customer).collect();
        @if !updates.is_empty() {
            section id="updates" aria-labelledby="updates-h" {
                h2 id="updates-h" { "Status updates" }
                @for u in updates.iter().rev() {
                    details { summary { (u.meeting_date) } pre { (u.text) } }
                }
            }
        }
    };
    layout::with_refusal(st, page)
}

/// "How are we doing?": the milestones this person may rate now, each with its question, and the
/// ratings they gave (theirs only, never the vendor's follow-up).
fn ratings(p: &Project, person: &Person, csrf: Option<&str>, st: &FormState) -> Markup {
    let pending = pending_asks(p, person.id);
    let mine: Vec<_> = p
        .survey_responses
        .iter()
        .filter(|r| r.person == person.id)
        .collect();
    if pending.is_empty() && mine.is_empty() {
        return html! {};
    }
    html! {
        section id="ratings" aria-labelledby="ratings-h" {
            h2 id="ratings-h" { "How are we doing?" }
            @for a in &pending {
                @let key = format!("rate_milestone-{}", a.milestone.key());
                @let fr = Fields::new(Some(st), &key);
                @let (low, high) = a.question.ends();
                form method="post" action="/portal/actions/rate_milestone" class="action wide" {
                    (fr.hidden(csrf.unwrap_or("")))
                    (fr.message())
                    input type="hidden" name="milestone" value=(a.milestone.key());
                    fieldset class="scale" disabled[csrf.is_none()] {
                        legend { (a.question.prompt(a.milestone)) }
                        p class="small muted" { "1 " (low) " · " (a.question.max()) " " (high) }
                        div class="scale-choices" {
                            @for s in 1..=a.question.max() {
                                label class="choice" {
                                    input type="radio" name="score" value=(s) required;
                                    (s)
                                }
                            }
                        }
                        (fr.textarea("comment", "Comment (optional)", "", false))
                        button type="submit" { "Send my rating" }
                    }
                    p class="small muted" { "You rate once; a rating cannot be changed afterwards." }
                }
            }
            @if !mine.is_empty() {
                h3 { "Your ratings" }
                ul {
                    @for r in &mine {
                        li {
                            (r.milestone.label()) ": " strong { (r.score) " of " (r.question.max()) } " (" (r.question.label()) "), " (r.at.date_naive())
                            @if !r.comment.is_empty() { " — " (r.comment) }
                        }
                    }
                }
            }
        }
    }
}

/// The top of the portal: how far the customer's side is, what is overdue, and the next step.
fn progress(
    p: &Project,
    mine: &[&Task],
    open_intake: &[&finishline_core::intake::IntakeRequest],
    today: chrono::NaiveDate,
) -> Markup {
    let theirs: Vec<&Task> = p.tasks.iter().filter(|t| is_customer_task(p, t)).collect();
    let done = theirs.iter().filter(|t| t.is_done()).count();
    let late_tasks = mine.iter().filter(|t| t.is_overdue(today)).count();
    let late_questions = open_intake.iter().filter(|r| r.due < today).count();
    // The next step: the customer's first task they can act on now, else their first waiting
    // one, else the next open task of the shared plan (whoever owns it).
    let next = mine
        .iter()
        .find(|t| !matches!(t.status, TaskStatus::Pending))
        .or_else(|| mine.first())
        .copied()
        .or_else(|| {
            p.tasks
                .iter()
                .filter(|t| t.is_open() && !matches!(t.status, TaskStatus::Pending))
                .min_by_key(|t| (t.due, t.id))
        });
    html! {
        section id="progress" class="card" aria-labelledby="progress-h" {
            h2 id="progress-h" { (done) " of " (theirs.len()) " of your tasks done" }
            @if !theirs.is_empty() {
                div class="upload-progress" {
                    progress max=(theirs.len()) value=(done) aria-labelledby="progress-h" { (done) " of " (theirs.len()) }
                }
            }
            @if late_tasks + late_questions > 0 {
                p {
                    span class="badge warn" { "overdue" } " "
                    @if late_tasks > 0 { a href="#yours" { (late_tasks) " task" (if late_tasks == 1 { "" } else { "s" }) } }
                    @if late_tasks > 0 && late_questions > 0 { " and " }
                    @if late_questions > 0 { a href="#questions" { (late_questions) " question" (if late_questions == 1 { "" } else { "s" }) } }
                    " past " (if late_tasks + late_questions == 1 { "its" } else { "their" }) " due date"
                }
            }
            p {
                @match next {
                    Some(t) => {
                        strong { "Next step: " }
                        @let anchor = if mine.iter().any(|m| m.id == t.id) { "task" } else { "plan" };
                        a href=(format!("#{anchor}-{}", t.id)) { (t.title) }
                        " — " (project::owner_name(p, t.owner)) ", due " (t.due)
                        @if t.is_overdue(today) { " " span class="badge warn" { "overdue" } }
                    },
                    None => "Nothing is open on the plan right now.",
                }
            }
        }
    }
}

/// What a waiting task waits on: each unfinished earlier task with its owner and due date (an
/// internal one as vendor work in progress, its title never shown).
fn waits_on(p: &Project, t: &Task) -> Markup {
    let before: Vec<&Task> = t
        .depends_on
        .iter()
        .filter_map(|d| p.task(*d))
        .filter(|d| d.is_open())
        .collect();
    html! {
        span class="badge" { "waiting" }
        @if before.is_empty() {
            div class="small" { "Starts when the team opens it." }
        } @else {
            div class="small" {
                "Waits on "
                @for (i, d) in before.iter().enumerate() {
                    @if i > 0 { "; " }
                    @if customer_sees(d) { "“" (d.title) "”" } @else { "vendor work in progress" }
                    " (" (project::owner_name(p, d.owner)) ", due " (d.due) ")"
                }
            }
        }
    }
}

/// The shared plan as the customer sees it: the portal's own rendering (never the vendor's plan
/// table), a heading where the phase changes. An internal task is one line of vendor work in
/// progress with its owner, due date and state, nothing more.
fn portal_plan(p: &Project, today: chrono::NaiveDate, file_base: &str) -> Markup {
    let tasks: Vec<&Task> = p.tasks.iter().collect();
    html! {
        div class="table-wrap" {
            table class="portal-plan" {
                thead { tr {
                    th scope="col" { "Task" }
                    th scope="col" { "Owner" }
                    th scope="col" { "Due" }
                    th scope="col" { "State" }
                } }
                tbody {
                    @for (i, t) in tasks.iter().enumerate() {
                        @if i == 0 || tasks[i - 1].phase != t.phase {
                            tr class="phase" { td colspan="4" { strong { (t.phase) } } }
                        }
                        tr id=(format!("plan-{}", t.id)) {
                            td data-label="Task" {
                                @if customer_sees(t) { (t.title) } @else { span class="muted" { (t.title) } }
                                // The data page of the import this task waits on (beside the files).
                                @if let (Some(m), Some(base)) = (p.data_maps.iter().find(|m| m.task == Some(t.id)), file_base.strip_suffix("files/")) {
                                    div class="small" { a href=(format!("{base}data#map-{}", m.id)) { "Data import: " (m.name) } }
                                }
                            }
                            td data-label="Owner" { (project::owner_name(p, t.owner)) }
                            td data-label="Due" {
                                (t.due)
                                @if t.is_overdue(today) { " " span class="badge warn" { "overdue" } }
                            }
                            td data-label="State" {
                                @if matches!(t.status, TaskStatus::Pending) {
                                    (waits_on(p, t))
                                } @else if customer_sees(t) {
                                    (project::task_state(p, t, today, file_base))
                                } @else {
                                    @match t.status {
                                        TaskStatus::Done { .. } => span class="badge ok" { "done" },
                                        TaskStatus::Blocked(_) => span class="badge bad" { "blocked" },
                                        _ => "in progress",
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

pub async fn home(State(state): State<AppState>, customer: Customer) -> Response {
    render(&state, &customer, FormState::default()).await
}

async fn render(state: &AppState, c: &Customer, st: FormState) -> Response {
    let s = &c.session;
    let p = match state
        .app
        .store
        .project(&s.workspace_id, &s.project_id)
        .await
    {
        Ok(Some((p, _))) => p,
        Ok(None) => {
            return layout::portal_message(
                StatusCode::NOT_FOUND,
                "Project not found",
                "This project is no longer available.",
            )
        }
        Err(e) => return layout::internal(&e.to_string()),
    };
    let Some(person) = p.person(s.person_id).cloned() else {
        return layout::portal_message(
            StatusCode::FORBIDDEN,
            "No access",
            "You are no longer part of this project.",
        );
    };
    let status = page_status(&st);
    let body = portal_body(
        &p,
        &person,
        Some(&c.csrf),
        &st,
        state.now().date_naive(),
        "/portal/files/",
    );
    let calendar = crate::ui::calendar::portal_section(state, c).await;
    let body = maud::html! { (body) (calendar) };
    html_response(
        status,
        layout::portal_page(&p.customer, &p.customer, &person.name, Some(&c.csrf), body),
    )
}

#[derive(Debug, Deserialize, Default)]
pub struct PreviewQuery {
    #[serde(default)]
    pub person: Option<String>,
}

/// "View as customer": the portal exactly as a customer person sees it, forms disabled.
pub async fn preview(
    State(state): State<AppState>,
    vendor: Vendor,
    Path(id): Path<String>,
    q: Result<Query<PreviewQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Query(q) = q.unwrap_or(Query(PreviewQuery::default()));
    let p = match state.app.store.project(vendor.workspace(), &id).await {
        Ok(Some((p, _))) => p,
        Ok(None) => return layout::not_found(&format!("Project {id}")),
        Err(e) => return layout::internal(&e.to_string()),
    };
    let chosen = q
        .person
        .as_deref()
        .and_then(|s| s.parse::<u32>().ok())
        .and_then(|pid| p.person(pid))
        .filter(|x| x.side == Side::Customer)
        .or_else(|| p.customer_owner())
        .or_else(|| p.people.iter().find(|x| x.side == Side::Customer))
        .cloned();
    let Some(person) = chosen else {
        return layout::error_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "No customer person yet",
            "Add a customer person to the project to preview their portal.",
        );
    };
    let body = html! {
        div class="flash" role="status" {
            "Preview: this is what " strong { (person.name) } " sees in the portal. Actions are disabled. "
            a href=(format!("/projects/{}", p.id)) { "Back to the project" }
        }
        (portal_body(&p, &person, None, &FormState::default(), state.now().date_naive(), &format!("/projects/{}/files/", p.id)))
    };
    html_response(
        StatusCode::OK,
        layout::portal_page(
            &p.customer,
            &p.customer,
            &format!("preview as {}", person.name),
            None,
            body,
        ),
    )
}

/// The landing page of an invitation link: one button, so that link scanners that fetch the
/// URL do not use up the single-use link.
pub async fn join_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Response {
    let now = state.now();
    let inv = match state.app.store.invitation_by_secret(&token).await {
        Ok(i) => i,
        Err(e) => return layout::internal(&e.to_string()),
    };
    let why = match &inv {
        None => Some("This link is not valid. Check that it was copied whole."),
        Some(i) if i.revoked_at.is_some() => Some("This link was revoked. Ask your implementation contact for a new one."),
        Some(i) if i.used_at.is_some() => Some("This link was already used. A link opens the portal once; ask your implementation contact for a new one."),
        Some(i) if i.expires_at <= now => Some("This link has expired. Ask your implementation contact for a new one."),
        Some(_) => None,
    };
    if let Some(why) = why {
        return layout::portal_message(StatusCode::GONE, "This link does not work", why);
    }
    let (csrf, set) = pre_session_csrf(
        cookie_from_headers(&headers, PRE_SESSION_COOKIE),
        state.config.secure_cookies,
    );
    let markup = layout::bare(
        "Open your project",
        html! {
            main class="login" id="main" {
                h1 { "Your implementation project" }
                p { "You were invited to follow your project and do your part of it here." }
                form method="post" action="/portal/join" class="card" {
                    input type="hidden" name="csrf" value=(csrf);
                    input type="hidden" name="token" value=(token);
                    button type="submit" { "Open the project" }
                }
            }
        },
    );
    no_session_form_page(markup, set)
}

/// Redeems an invitation (throttled per address by `throttle::guard_links`, the route's layer).
pub async fn join(
    State(state): State<AppState>,
    ConnectedFrom(addr): ConnectedFrom,
    headers: HeaderMap,
    form: FormData,
) -> Response {
    if let Err(r) = checked_pre_session(&headers, &form, "the invitation link") {
        return r;
    }
    match state.app.store.redeem_invitation(form.get("token"), state.now(), state.config.session_ttl).await {
        Ok(Some((session, secret))) => {
            sign_in::portal_joined(&state, &addr, &session).await;
            (
            StatusCode::SEE_OTHER,
            [
                (header::SET_COOKIE, portal_cookie(&secret, state.config.session_ttl.num_seconds(), state.config.secure_cookies)),
                (header::LOCATION, "/portal".to_string()),
            ],
        )
            .into_response()
        }
        Ok(None) => layout::portal_message(StatusCode::GONE, "This link does not work", "It was already used, has expired or was revoked. Ask your implementation contact for a new one."),
        Err(e) => layout::internal(&e.to_string()),
    }
}

pub async fn logout(State(state): State<AppState>, headers: HeaderMap, form: FormData) -> Response {
    if let Some(secret) = cookie_from_headers(&headers, PORTAL_COOKIE) {
        if let Err(r) = form.check_csrf(&csrf_token(secret)) {
            return r;
        }
        if let Err(e) = state.app.store.delete_portal_session(secret).await {
            return layout::internal(&e.to_string());
        }
    }
    (
        StatusCode::OK,
        [(header::SET_COOKIE, portal_cookie("", 0, state.config.secure_cookies))],
        html_response(StatusCode::OK, layout::bare("Signed out", html! { main class="login" id="main" { h1 { "Signed out" } p { "Open a new invitation link to come back." } } })),
    )
        .into_response()
}

pub async fn file(
    State(state): State<AppState>,
    customer: Customer,
    Path(file_id): Path<String>,
) -> Response {
    let s = &customer.session;
    // Only a file the customer may see: the proof of a shared task or a file of their data
    // imports. Any other id answers as if it did not exist.
    let may = match state
        .app
        .store
        .project(&s.workspace_id, &s.project_id)
        .await
    {
        Ok(Some((p, _))) => customer_may_download(&p, &file_id),
        Ok(None) => false,
        Err(e) => return layout::internal(&e.to_string()),
    };
    if !may {
        return layout::portal_message(
            StatusCode::NOT_FOUND,
            "Not found",
            "There is no such file in your project.",
        );
    }
    project::serve_file(&state, &s.workspace_id, &s.project_id, &file_id).await
}

const PORTAL_ACTIONS: &[&str] = &[
    "complete_task",
    "block_task",
    "answer_intake",
    "answer_change",
    "decide_go_live",
    "approve_plan",
    "rate_milestone",
];

/// Checks that a customer may take this action on what the form names.
fn allowed(p: &Project, me: &Person, action: &str, form: &FormData) -> Result<(), String> {
    let task_ok = || {
        form.get("task")
            .parse::<u32>()
            .ok()
            .and_then(|id| p.task(id))
            .is_some_and(|t| is_customer_task(p, t))
    };
    match action {
        "complete_task" | "block_task" => {
            if !task_ok() {
                return Err("this task is not one of your side's tasks".into());
            }
            if action == "block_task" {
                let from_ok = form
                    .get("from")
                    .parse::<u32>()
                    .ok()
                    .and_then(|id| p.person(id))
                    .is_some_and(|x| x.side == Side::Vendor || x.id == me.id);
                if !from_ok {
                    return Err(
                        "say who you need it from: someone on the vendor team, or yourself".into(),
                    );
                }
            }
            Ok(())
        }
        "answer_intake" => {
            let ok = form
                .get("request")
                .parse::<u32>()
                .ok()
                .and_then(|id| p.intake.iter().find(|r| r.id == id))
                .and_then(|r| p.person(r.owner))
                .is_some_and(|o| o.side == Side::Customer);
            if ok {
                Ok(())
            } else {
                Err("this question is not for your side".into())
            }
        }
        // The core checks the rest: their own rating, of a milestone asked and reached, once.
        "rate_milestone" => Ok(()),
        "answer_change" | "decide_go_live" | "approve_plan" => {
            if is_customer_dm(me) {
                Ok(())
            } else {
                Err("only your decision maker can answer this".into())
            }
        }
        _ => Err(format!("there is no portal action {action:?}")),
    }
}

pub async fn action(
    State(state): State<AppState>,
    customer: Customer,
    Path(action): Path<String>,
    mut form: FormData,
) -> Response {
    if let Err(r) = form.check_csrf(&customer.csrf) {
        return r;
    }
    if !PORTAL_ACTIONS.contains(&action.as_str()) {
        return layout::portal_message(
            StatusCode::NOT_FOUND,
            "Not found",
            "There is no such action in the portal.",
        );
    }
    let s = customer.session.clone();
    let p = match state
        .app
        .store
        .project(&s.workspace_id, &s.project_id)
        .await
    {
        Ok(Some((p, _))) => p,
        Ok(None) => {
            return layout::portal_message(
                StatusCode::NOT_FOUND,
                "Project not found",
                "This project is no longer available.",
            )
        }
        Err(e) => return layout::internal(&e.to_string()),
    };
    let Some(me) = p.person(s.person_id).cloned() else {
        return layout::portal_message(
            StatusCode::FORBIDDEN,
            "No access",
            "You are no longer part of this project.",
        );
    };
    if let Err(why) = allowed(&p, &me, &action, &form) {
        let mut st = FormState::new(&form);
        st.form = String::new();
        st.message = Some(why);
        return render(&state, &customer, st).await;
    }
    if action == "answer_change" {
        form.fields.retain(|(k, _)| k != "person");
        form.fields.push(("person".into(), me.id.to_string()));
    }
    let now = state.now();
    let mut file_id = None;
    if action == "complete_task" {
        if let Some(up) = form.file("proof_file") {
            let name = match crate::files::form_upload_name(&up.name) {
                Ok(n) => n,
                Err(why) => {
                    let mut st = FormState::new(&form);
                    st.field("proof_file", why.clone());
                    st.message = Some(format!("The proof file was not kept: {why}."));
                    return render(&state, &customer, st).await;
                }
            };
            match state
                .app
                .store
                .put_file(
                    &s.workspace_id,
                    &s.project_id,
                    &name,
                    &up.content_type,
                    &up.body,
                    &format!("{} (customer)", me.name),
                    now,
                )
                .await
            {
                Ok(f) => file_id = Some(f.id),
                Err(e) => return layout::internal(&e.to_string()),
            }
        }
    }
    // A proof file written above is removed again if the command does not go through.
    let written: Vec<String> = file_id.iter().cloned().collect();
    let command = match build(&action, &form, file_id) {
        Ok(c) => c,
        Err(st) => {
            discard_files(&state.app.store, &s.workspace_id, &s.project_id, &written).await;
            return render(&state, &customer, st).await;
        }
    };
    let ctx = Ctx {
        actor: format!("{} (customer)", me.name),
        person: Some(me.id),
        side: Side::Customer,
        now,
    };
    let done = run_command(
        &state.app.store,
        &s.workspace_id,
        &s.project_id,
        &command,
        |_| ctx.clone(),
    )
    .await;
    if done.is_err() {
        discard_files(&state.app.store, &s.workspace_id, &s.project_id, &written).await;
    }
    match done {
        Ok(_) => see_other("/portal"),
        Err(e) => match FormState::new(&form).refused(e) {
            Ok(st) => render(&state, &customer, st).await,
            Err(ApiError::Internal(m)) => layout::internal(&m),
            Err(other) => {
                layout::portal_message(StatusCode::BAD_REQUEST, "Not done", &other.to_string())
            }
        },
    }
}
