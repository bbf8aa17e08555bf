//! The project's occasional actions, each on its own page (`/projects/{id}/forms/{action}`): a
//! role changed, a sample received, a pause, a criterion measured at the value review. The
//! project page links to them instead of carrying every form, which keeps it light at hundreds
//! of tasks; a refusal comes back to the same page with what was typed.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use finishline_core::people::{Role, Side};
use finishline_core::project::Project;
use maud::{html, Markup};

use crate::state::AppState;
use crate::ui::actions::anchor;
use crate::ui::form::{html as html_response, page_status, FormState};
use crate::ui::layout::{self, Fields, Nav};
use crate::ui::project::occasional::{available, is_occasional, title, unpromoted};
use crate::ui::project::options::{roles, sample_states, scope_buckets};
use crate::ui::project::parts::{action_form, people_opts, with_blank};
use crate::ui::project::{page_data, render as render_project};
use crate::ui::session::Vendor;

/// The form of an occasional action for this project, or `None` when the project does not offer
/// it now.
fn form(p: &Project, action: &str, f: &Fields, csrf: &str) -> Option<Markup> {
    if !available(p, action) {
        return None;
    }
    let everyone = || with_blank("choose a person", people_opts(p, |_| true));
    let criteria: Vec<(String, String)> = p
        .criteria
        .iter()
        .map(|c| (c.id.to_string(), c.describe()))
        .collect();
    Some(match action {
        "set_early_win" => action_form(
            p,
            action,
            f,
            csrf,
            "Mark as the early win",
            false,
            html! {
                p class="muted small" { "The early win: the criterion the customer should see met first, soon after launch. The go-live gate asks for one." }
                (f.select("criterion", "Criterion", &criteria, &p.early_win.map(|c| c.to_string()).unwrap_or_default()))
            },
        ),
        "measure_criterion" => action_form(
            p,
            action,
            f,
            csrf,
            "Record measurement",
            false,
            html! {
                (f.select("criterion", "Criterion", &criteria, ""))
                (f.input("value", "Measured value", "text", "", true))
            },
        ),
        "accept_criterion" => {
            let dms = people_opts(p, |x| {
                x.role == Role::DecisionMaker && x.side == Side::Customer
            });
            action_form(
                p,
                action,
                f,
                csrf,
                "Accept as settled",
                false,
                html! {
                    p class="muted small" { "R11: only the customer's decision maker can accept a criterion that was not met." }
                    (f.select("criterion", "Criterion", &criteria, ""))
                    (f.select("by", "Accepted by", &with_blank("choose the decision maker", dms), ""))
                    (f.input("reason", "Why it is accepted", "text", "", true))
                },
            )
        }
        "move_scope_item" => {
            let items: Vec<(String, String)> = p
                .scope
                .iter()
                .map(|x| (x.id.to_string(), x.text.clone()))
                .collect();
            action_form(
                p,
                action,
                f,
                csrf,
                "Move",
                false,
                html! {
                    (f.select("item", "Item", &items, ""))
                    (f.select("bucket", "To", &scope_buckets(), "later"))
                },
            )
        }
        "realign_with_sales" => action_form(
            p,
            action,
            f,
            csrf,
            "Loop back to handoff",
            false,
            html! {
                p class="muted small" { "Before kickoff, when the handoff does not hold (what was sold, promised or expected): the project goes back to handoff and the loop is counted. After kickoff, raise a change request instead." }
                (f.input("reason", "What needs realigning", "text", "", true))
            },
        ),
        "change_role" => action_form(
            p,
            action,
            f,
            csrf,
            "Change role",
            false,
            html! {
                (f.select("person", "Person", &everyone(), ""))
                (f.select("role", "New role", &roles(), ""))
            },
        ),
        "set_help_contact" => action_form(
            p,
            action,
            f,
            csrf,
            "Set help contact",
            false,
            html! {
                (f.select("person", "Person", &everyone(), ""))
                (f.select("help_contact", "Asks for help from", &everyone(), ""))
            },
        ),
        "answer_intake" => {
            let open: Vec<(String, String)> = p
                .intake
                .iter()
                .filter(|r| r.answer.is_none())
                .map(|r| (r.id.to_string(), r.question.clone()))
                .collect();
            action_form(
                p,
                action,
                f,
                csrf,
                "Record answer",
                false,
                html! {
                    p class="muted small" { "When the customer answered in a call or by email; they can also answer in the portal." }
                    (f.select("request", "Request", &open, ""))
                    (f.input("answer", "Answer", "text", "", true))
                },
            )
        }
        "set_sample_state" => {
            let sources: Vec<(String, String)> = p
                .data_sources
                .iter()
                .map(|x| (x.id.to_string(), x.name.clone()))
                .collect();
            action_form(
                p,
                action,
                f,
                csrf,
                "Save",
                false,
                html! {
                    (f.select("source", "Data source", &sources, ""))
                    (f.select("sample", "Sample", &sample_states(), "received"))
                },
            )
        }
        "pause" => action_form(
            p,
            action,
            f,
            csrf,
            "Pause",
            false,
            html! {
                p class="muted small" { "A paused project keeps its plan; nothing moves until it is resumed, and its health says so." }
                (f.input("reason", "Why it is paused", "text", "", true))
            },
        ),
        "cancel" => action_form(
            p,
            action,
            f,
            csrf,
            "Cancel the project",
            false,
            html! {
                p class="muted small" { "A cancelled project is closed: only status updates and the retrospective can still be added." }
                (f.input("reason", "Why it is cancelled", "text", "", true))
            },
        ),
        "mark_retro_promoted" => {
            let fixes: Vec<(String, String)> = p
                .retro
                .iter()
                .filter(|r| unpromoted(r))
                .map(|r| (r.id.to_string(), r.text.clone()))
                .collect();
            action_form(
                p,
                action,
                f,
                csrf,
                "Mark promoted",
                false,
                html! {
                    p class="muted small" { "Edit the playbook on " a href="/playbooks" { "Playbooks" } ", then record it here." }
                    (f.select("item", "Rollout fix", &fixes, ""))
                    (f.input("playbook", "Playbook (name and version)", "text", &format!("{} v{}", p.playbook.name, p.playbook.version + 1), true))
                },
            )
        }
        _ => return None,
    })
}

pub async fn page(
    State(state): State<AppState>,
    vendor: Vendor,
    Path((id, action)): Path<(String, String)>,
) -> Response {
    render(&state, &vendor, &id, &action, FormState::default()).await
}

/// The page of one occasional action, with a refused form's state. When the project no longer
/// offers the form (the last open request was answered meanwhile), a refusal is shown at the top
/// of the project page instead.
pub async fn render(
    state: &AppState,
    vendor: &Vendor,
    id: &str,
    action: &str,
    mut st: FormState,
) -> Response {
    let now = state.now();
    let d = match page_data(state, vendor, id, now).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let p = &d.view.project;
    let csrf = vendor.csrf.as_str();
    let f = Fields::new(Some(&st), action);
    let Some(form) = form(p, action, &f, csrf) else {
        if st.is_empty() {
            return if is_occasional(action) {
                layout::error_page(
                    StatusCode::NOT_FOUND,
                    "Not offered now",
                    &format!(
                        "“{}” is not offered for {} while it is {}, or there is nothing to do it on yet. The project page shows what can be done.",
                        title(action),
                        p.customer,
                        p.stage.label()
                    ),
                )
            } else {
                layout::not_found(&format!("A form {action:?} for this project"))
            };
        }
        st.form.clear();
        return render_project(state, vendor, id, st, None).await;
    };
    let body = html! {
        p class="muted small" { a href="/" { "Portfolio" } " / " a href=(format!("/projects/{}", p.id)) { (p.customer) } }
        h1 { (title(action)) }
        p { a href=(format!("/projects/{}#{}", p.id, anchor(action))) { "← Back to the project" } }
        (form)
    };
    html_response(
        page_status(&st),
        layout::page(
            title(action),
            Nav::Portfolio,
            &vendor.user.name,
            csrf,
            layout::with_refusal(&st, body),
        ),
    )
}
