//! A task's page: its facts, its history and the forms that act on it. The plan table links
//! here instead of the project page repeating every task in a picker of each form.

use axum::extract::{Path, State};
use axum::response::Response;
use finishline_core::plan::{Task, TaskStatus};
use finishline_core::project::Project;
use maud::{html, Markup};

use super::options::visibilities;
use super::parts::{action_form, key, owner_name, people_opts, with_blank};
use super::plan::{ball, task_state};
use super::{page_data, render};
use crate::state::AppState;
use crate::ui::form::{html as html_response, page_status, FormState};
use crate::ui::layout::{self, Fields, Nav};
use crate::ui::session::Vendor;

/// The page of one task: its facts, its history and the forms that act on it (complete with proof,
/// block, unblock, move, reassign, reopen). The plan table links here instead of the project page
/// repeating every task in a picker of each form.
pub async fn task_page(
    State(state): State<AppState>,
    vendor: Vendor,
    Path((id, task)): Path<(String, String)>,
) -> Response {
    match task.parse::<u32>() {
        Ok(t) => render_task(&state, &vendor, &id, t, FormState::default()).await,
        Err(_) => layout::not_found(&format!("Task {task}")),
    }
}

/// Renders a task's page, with a refused form's state. A refusal for a task that does not exist
/// is shown at the top of the project page instead.
pub async fn render_task(
    state: &AppState,
    vendor: &Vendor,
    id: &str,
    task: u32,
    mut st: FormState,
) -> Response {
    let now = state.now();
    let d = match page_data(state, vendor, id, now).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let p = &d.view.project;
    let Some(t) = p.task(task) else {
        if st.is_empty() {
            return layout::not_found(&format!("Task {task}"));
        }
        st.form.clear();
        return render(state, vendor, id, st, None).await;
    };
    let today = now.date_naive();
    let csrf = vendor.csrf.as_str();
    let (entries, names) = match task_time_data(state, vendor, id, task).await {
        Ok(d) => d,
        Err(e) => return layout::internal(&e.to_string()),
    };
    let fb = format!("/projects/{}/files/", p.id);
    let subject = format!("task:{}", t.id);
    let back = format!("/projects/{}#task-{}", p.id, t.id);
    let page = html! {
        p class="muted small" { a href="/" { "Portfolio" } " / " a href=(format!("/projects/{}", p.id)) { (p.customer) } " / task " (t.id) }
        h1 { (t.title) }
        p { a href=(back) { "← Back to the plan" } }
        dl class="facts" {
            div { dt { "State" } dd { (task_state(p, t, today, &fb)) } }
            div { dt { "Ball in court" } dd { (ball(p, t)) } }
            div { dt { "Owner" } dd { (owner_name(p, t.owner)) } }
            div { dt { "Due" } dd { (t.due) @if t.due != t.baseline_due { div class="small muted" { "baseline " (t.baseline_due) } } } }
            div { dt { "Phase" } dd { (t.phase) } }
            div { dt { "Side" } dd { (t.label.label()) (if t.needs_proof { ", needs proof" } else { "" }) } }
            div { dt { "Who sees it" } dd {
                (t.visibility.label())
                @if t.visibility.is_internal() { div class="small muted" { "The customer sees “vendor work in progress”, its owner and due date: no title, notes or proof." } }
            } }
        }
        @if !t.depends_on.is_empty() {
            p { "Starts after: "
                @for (i, dep) in t.depends_on.iter().enumerate() {
                    @if i > 0 { ", " }
                    @match p.task(*dep) {
                        Some(o) => a href=(format!("/projects/{}/tasks/{}", p.id, o.id)) { "#" (o.id) " " (o.title) },
                        None => { "#" (dep) },
                    }
                }
            }
        }
        (task_forms(p, t, &st, csrf))
        (crate::ui::time::task_time(&p.id, t.id, &entries, &names, &st, csrf, today))
        @if !t.rebaselines.is_empty() {
            h2 { "Due date moves" }
            ul { @for r in &t.rebaselines { li { (r.at.date_naive()) ": " (r.from) " → " (r.to) " — " (r.reason) } } }
        }
        h2 { "History" }
        ol class="activity" {
            @for a in d.activities.iter().rev().filter(|a| a.subject == subject) {
                li { time datetime=(a.at.to_rfc3339()) { (a.at.format("%Y-%m-%d %H:%M")) } " " span class="actor" { (a.actor) } " — " (a.summary) }
            }
        }
    };
    let body = layout::with_refusal(&st, page);
    html_response(
        page_status(&st),
        layout::page(
            &format!("{} · {}", t.title, p.customer),
            Nav::Portfolio,
            &vendor.user.name,
            csrf,
            body,
        ),
    )
}

/// The time logged on a task, and the members' names.
async fn task_time_data(
    state: &AppState,
    vendor: &Vendor,
    project: &str,
    task: u32,
) -> Result<
    (
        Vec<finishline_store::TimeEntry>,
        std::collections::HashMap<String, String>,
    ),
    finishline_app::AppError,
> {
    let filter = finishline_store::EntryFilter {
        project_id: Some(project.to_string()),
        ..Default::default()
    };
    let entries = finishline_app::time::entries(&state.app.store, vendor.workspace(), &filter)
        .await?
        .into_iter()
        .filter(|e| e.task_id == Some(task))
        .collect();
    let names = state
        .app
        .store
        .users(vendor.workspace())
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    Ok((entries, names))
}

/// The forms that act on a task: while it is open, complete, block or unblock, move, reassign;
/// once done, reopen. Who sees it can be set either way.
fn task_forms(p: &Project, t: &Task, st: &FormState, csrf: &str) -> Markup {
    let f = |k: &str| Fields::new(Some(st), k);
    let everyone = people_opts(p, |_| true);
    let hidden = html! { input type="hidden" name="task" value=(t.id); };
    html! {
        div class="forms" {
            @if t.is_open() {
                @let fc = f("complete_task");
                (action_form(p, "complete_task", &fc, csrf, "Mark done", true, html! {
                    h3 { "Complete with proof" }
                    (hidden)
                    (fc.input("proof_link", "Link (https://…)", "url", "", false))
                    (fc.input("proof_note", "Or a note of the result", "text", "", false))
                    (fc.file("proof_file", "Or a file"))
                }))
                @if let TaskStatus::Blocked(_) = t.status {
                    @let fu = f("unblock_task");
                    (action_form(p, "unblock_task", &fu, csrf, "Unblock", false, html! {
                        h3 { "Unblock" }
                        (hidden)
                        (fu.input("note", "Note", "text", "", false))
                    }))
                } @else {
                    @let fbk = f("block_task");
                    (action_form(p, "block_task", &fbk, csrf, "Mark blocked", false, html! {
                        h3 { "Block" }
                        (hidden)
                        (fbk.input("needed", "What exactly is needed", "text", "", true))
                        (fbk.select("from", "From whom", &with_blank("choose a person", everyone.clone()), ""))
                        (fbk.input("by", "By when", "date", "", true))
                    }))
                }
                @let fr = f("rebaseline_task");
                (action_form(p, "rebaseline_task", &fr, csrf, "Move due date", false, html! {
                    h3 { "Move the due date" }
                    (hidden)
                    (fr.input("due", "New due date", "date", "", true))
                    (fr.input("reason", "Reason", "text", "", true))
                }))
                @let fa = f("assign_task");
                (action_form(p, "assign_task", &fa, csrf, "Reassign", false, html! {
                    h3 { "Reassign" }
                    (hidden)
                    (fa.select("owner", "Owner", &everyone, &t.owner.map(|o| o.to_string()).unwrap_or_default()))
                }))
                (visibility_form(p, t, &f, csrf))
            } @else {
                (visibility_form(p, t, &f, csrf))
                @let fo = f("reopen_task");
                (action_form(p, "reopen_task", &fo, csrf, "Reopen", false, html! {
                    h3 { "Reopen" }
                    (hidden)
                    (fo.input("reason", "Why it is not done after all", "text", "", true))
                }))
            }
        }
    }
}

/// Shared or internal, for a task's page: a member sets it per task (its notes and proof follow).
fn visibility_form<'a>(
    p: &Project,
    t: &Task,
    f: &impl Fn(&str) -> Fields<'a>,
    csrf: &str,
) -> Markup {
    let fv = f("set_task_visibility");
    html! {
        (action_form(p, "set_task_visibility", &fv, csrf, "Save", false, html! {
            h3 { "Who sees it" }
            input type="hidden" name="task" value=(t.id);
            (fv.select("visibility", "Who sees this task, its notes and proof", &visibilities(), &key(&t.visibility)))
        }))
    }
}
