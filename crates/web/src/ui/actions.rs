//! Project actions from forms: each form posts to `/projects/{id}/actions/<action>`, is parsed
//! into a core `Command` (field by field, with an error for each field that does not parse) and
//! runs through `finishline_app::commands::run_command`. A refusal re-renders the project page with the reason
//! next to the form and what the user typed kept.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use finishline_core::plan::Proof;
use finishline_core::Command;
use serde_json::{json, Map, Value};

use crate::error::ApiError;
use crate::state::AppState;
use crate::ui::form::{redirect_with_flash, Flash, FormData, FormState, Parse};
use crate::ui::layout;
use crate::ui::session::Vendor;
use crate::ui::{project, project_forms};
use finishline_app::commands::{discard_files, member_ctx, run_command};

#[derive(Debug, Clone, Copy)]
enum Kind {
    Text,
    OptText,
    Id,
    OptId,
    Date,
    OptDate,
    Bool,
    Num,
    OptNum,
    /// A whole count (users, minutes): commands take integers, not decimals.
    Int,
    OptInt,
    /// A time from a `datetime-local` input, read as UTC.
    DateTime,
    /// Comma-separated values.
    List,
    Enum,
    OptEnum,
}

use Kind::*;

/// The fields of each action built generically: (form field, kind, label).
fn spec(action: &str) -> Option<&'static [(&'static str, Kind, &'static str)]> {
    Some(match action {
        "block_task" => &[
            ("task", Id, "task"),
            ("needed", Text, "What is needed"),
            ("from", Id, "person it is needed from"),
            ("by", Date, "By when"),
        ],
        "unblock_task" => &[("task", Id, "task"), ("note", OptText, "Note")],
        "reopen_task" => &[("task", Id, "task"), ("reason", Text, "Reason")],
        "rebaseline_task" => &[
            ("task", Id, "task"),
            ("due", Date, "New due date"),
            ("reason", Text, "Reason"),
        ],
        "assign_task" => &[("task", Id, "task"), ("owner", Id, "owner")],
        "set_task_visibility" => &[("task", Id, "task"), ("visibility", Enum, "who sees it")],
        "add_task" => &[
            ("title", Text, "Title"),
            ("phase", Text, "Phase"),
            ("label", Enum, "side"),
            ("owner", Id, "owner"),
            ("due", Date, "Due date"),
            // Asked every time: a new task is shared with the customer or internal.
            (
                "visibility",
                Enum,
                "who sees it (shared with the customer, or internal)",
            ),
        ],
        "set_launch_date" => &[("date", Date, "Launch date"), ("reason", OptText, "Reason")],
        "set_next_meeting" => &[("date", Date, "Next meeting")],
        "add_person" => &[
            ("name", Text, "Name"),
            ("email", Text, "Email"),
            ("side", Enum, "side"),
            ("role", Enum, "role"),
        ],
        "change_role" => &[("person", Id, "person"), ("role", Enum, "role")],
        "set_help_contact" => &[
            ("person", Id, "person"),
            ("help_contact", Id, "help contact"),
        ],
        "realign_with_sales" => &[("reason", Text, "What needs realigning")],
        "set_finish_line" => &[("text", Text, "Finish line")],
        "add_criterion" => &[
            ("metric", Text, "Metric"),
            ("baseline", OptNum, "Baseline"),
            ("direction", OptEnum, "direction"),
            ("target", Num, "Target"),
            ("unit", OptText, "Unit"),
            ("how_measured", Text, "How it is measured"),
        ],
        "measure_criterion" => &[
            ("criterion", Id, "criterion"),
            ("value", Num, "Measured value"),
        ],
        "accept_criterion" => &[
            ("criterion", Id, "criterion"),
            ("by", Id, "customer decision maker"),
            ("reason", Text, "Why it is accepted"),
        ],
        "set_early_win" => &[("criterion", Id, "criterion")],
        "add_scope_item" => &[("text", Text, "Item"), ("bucket", Enum, "bucket")],
        "move_scope_item" => &[("item", Id, "scope item"), ("bucket", Enum, "bucket")],
        "confirm_nothing_excluded" => &[],
        "request_change" => &[
            ("title", Text, "Title"),
            ("description", OptText, "Description"),
            ("requested_by", Id, "requester"),
            ("adds_new_data", Bool, ""),
            ("adds_new_workflow", Bool, ""),
            ("adds_new_team", Bool, ""),
            ("proposed_launch_date", OptDate, "Proposed launch date"),
        ],
        "answer_change" => &[
            ("request", Id, "change request"),
            ("person", Id, "decision maker"),
            ("approved", Bool, ""),
            ("note", OptText, "Note"),
            ("proposed_launch_date", OptDate, "Proposed launch date"),
        ],
        "decide_change" => &[
            ("request", Id, "change request"),
            ("decision", Enum, "decision"),
            ("note", OptText, "Note"),
        ],
        "classify_promise" => &[("promise", Id, "promise"), ("class", Enum, "class")],
        "add_intake_request" => &[
            ("kind", Enum, "kind"),
            ("question", Text, "Question"),
            ("owner", Id, "owner"),
            ("due", Date, "Due date"),
        ],
        "answer_intake" => &[("request", Id, "request"), ("answer", Text, "Answer")],
        "add_data_source" => &[
            ("name", Text, "Name"),
            ("system", OptText, "System"),
            ("sample", Enum, "sample"),
        ],
        "set_sample_state" => &[("source", Id, "data source"), ("sample", Enum, "sample")],
        "add_risk" => &[("text", Text, "Risk"), ("owner", OptId, "owner")],
        "confirm_no_known_risks" => &[],
        "add_uat_case" => &[("title", Text, "Test case"), ("criterion", Id, "criterion")],
        "record_uat_result" => &[
            ("case", Id, "UAT case"),
            ("passed", Bool, ""),
            ("notes", OptText, "Notes"),
            ("loop_to", OptEnum, "loop back to"),
        ],
        "advance_stage" => &[("to", Enum, "stage")],
        "decide_go_live" => &[
            ("go", Bool, ""),
            ("reason", Text, "Reason"),
            ("override_reason", OptText, "Override reason"),
            ("back_to", OptEnum, "loop back to"),
        ],
        "add_access_item" => &[
            ("what", Text, "What access"),
            ("direction", Enum, "direction"),
            ("grantor", Id, "person who grants it"),
            ("due", Date, "Due date"),
        ],
        "grant_access" => &[("item", Id, "access item")],
        "schedule_training" => &[
            ("audience", Enum, "audience"),
            ("title", Text, "Title"),
            ("scheduled_at", DateTime, "When"),
            ("minutes", Int, "Minutes"),
        ],
        "record_attendance" => &[
            ("session", Id, "session"),
            ("person", Id, "person"),
            ("practice_task", Text, "Practice task"),
            ("completed", Bool, ""),
        ],
        "mark_training_held" => &[("session", Id, "session")],
        "send_training_recap" => &[("session", Id, "session")],
        "open_issue" => &[
            ("title", Text, "What is wrong"),
            ("owner", OptId, "owner"),
            ("due", OptDate, "Due date"),
        ],
        "update_issue" => &[
            ("issue", Id, "issue"),
            ("owner", OptId, "owner"),
            ("due", OptDate, "Due date"),
        ],
        "close_issue" => &[("issue", Id, "issue")],
        "record_adoption" => &[
            ("active_users", Int, "Active users"),
            ("trained_users", Int, "Trained users"),
            ("logins_first_week", OptInt, "First-week logins"),
            ("support_questions", OptInt, "Support questions"),
            ("key_features_unused", List, ""),
            ("intervention", OptEnum, "intervention"),
        ],
        "prepare_transition" => &[("renewal_csm", Id, "renewal CSM"), ("notes", Text, "Notes")],
        "accept_transition" => &[],
        "record_status_update" => &[
            ("meeting_date", Date, "Meeting date"),
            ("text", Text, "Text"),
            ("for_customer", Bool, ""),
        ],
        "pause" => &[("reason", Text, "Why it is paused")],
        "resume" => &[],
        "approve_plan" => &[("plan_version", OptText, "plan version")],
        "rate_milestone" => &[
            ("milestone", Enum, "milestone"),
            ("score", Int, "Your rating"),
            ("comment", OptText, "Comment"),
        ],
        "cancel" => &[("reason", Text, "Why it is cancelled")],
        "add_retro_item" => &[
            ("text", Text, "What happened"),
            ("kind", Enum, "kind"),
            ("bucket", Enum, "whose work it is"),
        ],
        "mark_retro_promoted" => &[
            ("item", Id, "retrospective item"),
            ("playbook", Text, "Playbook"),
        ],
        _ => return None,
    })
}

/// The field a form filled in: `name`, or the older form's `fallback`.
fn either<'a>(f: &FormData, name: &'a str, fallback: &'a str) -> &'a str {
    if !f.has(name) && f.has(fallback) {
        fallback
    } else {
        name
    }
}

fn truthy(v: &str) -> bool {
    matches!(v, "on" | "true" | "yes" | "go" | "1" | "approve")
}

/// Builds the command of an action from a form. `file` is the id of a file stored for proof.
pub fn build(action: &str, f: &FormData, file: Option<String>) -> Result<Command, FormState> {
    let mut st = FormState::new(f);
    let mut p = Parse::default();
    let command = if action == "complete_task" {
        let task = p.id(f, "task", "task");
        let proof = if let Some(id) = file {
            Some(Proof::File(id))
        } else if f.has("proof_link") {
            Some(Proof::Link(f.get("proof_link").to_string()))
        } else if f.has("proof_import") {
            Some(Proof::ImportRun(f.get("proof_import").to_string()))
        } else if f.has("proof_note") {
            Some(Proof::Note(f.get("proof_note").to_string()))
        } else {
            None
        };
        Some(Command::CompleteTask {
            task,
            proof,
            completed_by: None,
        })
    } else if action == "resolve_promise" {
        let promise = p.id(f, "promise", "promise");
        let resolution = match f.get("outcome") {
            // Phase one's scope gets the words the member writes, not the promise's.
            "into_scope" => {
                let scope = p.text(f, "scope", "What goes into phase one's scope");
                let plan = p.text(f, either(f, "plan", "detail"), "The plan");
                json!({"outcome": "into_scope", "scope": scope, "plan": plan})
            }
            "declined" => {
                json!({"outcome": "declined", "reason": p.text(f, either(f, "reason", "detail"), "The reason")})
            }
            "later" => {
                json!({"outcome": "later", "acknowledged_by": p.id(f, "acknowledged_by", "customer person who acknowledged")})
            }
            _ => {
                p.errors
                    .push(("outcome".into(), "choose how it was resolved".into()));
                Value::Null
            }
        };
        if p.ok() {
            serde_json::from_value(
                json!({"action": "resolve_promise", "promise": promise, "resolution": resolution}),
            )
            .ok()
        } else {
            None
        }
    } else {
        let Some(fields) = spec(action) else {
            st.message = Some(format!("there is no action {action:?}"));
            return Err(st);
        };
        let mut obj = Map::new();
        obj.insert("action".into(), Value::String(action.to_string()));
        for (name, kind, label) in fields {
            let v = f.get(name);
            let value = match kind {
                Text => Some(Value::String(p.text(f, name, label))),
                OptText => (!v.is_empty()).then(|| Value::String(v.to_string())),
                Id => Some(json!(p.id(f, name, label))),
                OptId => {
                    if v.is_empty() {
                        None
                    } else {
                        Some(json!(p.id(f, name, label)))
                    }
                }
                Date => p.date(f, name, label).map(|d| json!(d)),
                OptDate => p.opt_date(f, name, label).map(|d| json!(d)),
                Bool => Some(Value::Bool(truthy(v))),
                Num | OptNum => {
                    if v.is_empty() {
                        if matches!(kind, Num) {
                            p.errors
                                .push((name.to_string(), format!("{label} is required")));
                        }
                        None
                    } else {
                        match v.parse::<f64>() {
                            Ok(n) if n.is_finite() => Some(json!(n)),
                            _ => {
                                p.errors.push((
                                    name.to_string(),
                                    format!("{label}: {v:?} is not a number"),
                                ));
                                None
                            }
                        }
                    }
                }
                Int | OptInt => {
                    if v.is_empty() {
                        if matches!(kind, Int) {
                            p.errors
                                .push((name.to_string(), format!("{label} is required")));
                        }
                        None
                    } else {
                        match v.parse::<u32>() {
                            Ok(n) => Some(json!(n)),
                            Err(_) => {
                                p.errors.push((
                                    name.to_string(),
                                    format!("{label}: {v:?} is not a whole number"),
                                ));
                                None
                            }
                        }
                    }
                }
                DateTime => {
                    // A `datetime-local` input sends "2026-03-09T10:00" (seconds optional).
                    let parsed = chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M")
                        .or_else(|_| chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S"));
                    match parsed {
                        Ok(t) => Some(json!(t.and_utc())),
                        Err(_) => {
                            p.errors.push((
                                name.to_string(),
                                if v.is_empty() {
                                    format!("{label} is required")
                                } else {
                                    format!("{label}: {v:?} is not a date and time (use YYYY-MM-DDTHH:MM)")
                                },
                            ));
                            None
                        }
                    }
                }
                List => Some(json!(v
                    .split(',')
                    .map(str::trim)
                    .filter(|x| !x.is_empty())
                    .collect::<Vec<_>>())),
                Enum => {
                    if v.is_empty() {
                        p.errors
                            .push((name.to_string(), format!("choose the {label}")));
                        None
                    } else {
                        Some(Value::String(v.to_string()))
                    }
                }
                OptEnum => (!v.is_empty()).then(|| Value::String(v.to_string())),
            };
            if let Some(value) = value {
                obj.insert((*name).to_string(), value);
            }
        }
        if p.ok() {
            match serde_json::from_value::<Command>(Value::Object(obj)) {
                Ok(c) => Some(c),
                Err(e) => {
                    st.message = Some(format!("the form could not be read: {e}"));
                    return Err(st);
                }
            }
        } else {
            None
        }
    };
    match command {
        Some(c) if p.ok() => Ok(c),
        _ => {
            if st.message.is_none() {
                st.message = Some("Some fields need fixing; see below each one.".into());
            }
            st.errors.extend(p.errors);
            Err(st)
        }
    }
}

/// Where on the project page an action's result is seen.
pub fn anchor(action: &str) -> &'static str {
    match action {
        "add_person" | "change_role" | "set_help_contact" => "people",
        "request_change"
        | "answer_change"
        | "decide_change"
        | "add_scope_item"
        | "move_scope_item"
        | "confirm_nothing_excluded" => "scope",
        "classify_promise" | "resolve_promise" | "realign_with_sales" => "handoff",
        "set_finish_line" | "add_criterion" | "set_early_win" | "measure_criterion"
        | "accept_criterion" => "finish-line",
        "add_intake_request"
        | "answer_intake"
        | "add_data_source"
        | "set_sample_state"
        | "add_risk"
        | "confirm_no_known_risks" => "intake",
        "record_uat_result" | "add_uat_case" | "open_issue" | "update_issue" | "close_issue" => {
            "uat"
        }
        "add_access_item" | "grant_access" => "intake",
        "schedule_training"
        | "record_attendance"
        | "mark_training_held"
        | "send_training_recap" => "training",
        "record_adoption" | "prepare_transition" | "accept_transition" => "adoption",
        "advance_stage" | "decide_go_live" | "pause" | "resume" | "cancel" => "gates",
        "add_retro_item" | "mark_retro_promoted" => "retro",
        "record_status_update" => "status",
        _ => "plan",
    }
}

/// What the confirmation after an action says, in the section it returns to.
fn confirmation(action: &str, f: &FormData) -> String {
    let quoted = |k: &str| format!("\u{201c}{}\u{201d}", f.get(k));
    match action {
        "add_person" => format!("{} is added to the people of this project.", f.get("name")),
        "change_role" => "Role changed.".into(),
        "set_help_contact" => "Help contact set.".into(),
        "set_finish_line" => "Finish line saved.".into(),
        "add_criterion" => format!("Success criterion {} added.", quoted("metric")),
        "measure_criterion" => "Measurement recorded.".into(),
        "accept_criterion" => "Criterion accepted.".into(),
        "set_early_win" => "Early win chosen.".into(),
        "add_scope_item" => format!("{} added to scope.", quoted("text")),
        "move_scope_item" => "Scope item moved.".into(),
        "confirm_nothing_excluded" => "Confirmed: phase one excludes nothing.".into(),
        "request_change" => format!("Change request {} recorded.", quoted("title")),
        "answer_change" => "The decision maker's answer is recorded.".into(),
        "decide_change" => "Change request decided.".into(),
        "classify_promise" => "Promise classified.".into(),
        "resolve_promise" => "Promise resolved.".into(),
        "realign_with_sales" => {
            "Realignment with sales recorded: the project is back at handoff.".into()
        }
        "add_intake_request" => format!("Question {} added for the customer.", quoted("question")),
        "answer_intake" => "Answer recorded.".into(),
        "add_data_source" => format!("Data source {} added.", quoted("name")),
        "set_sample_state" => "Sample state recorded.".into(),
        "add_risk" => "Risk added.".into(),
        "confirm_no_known_risks" => "Recorded: no risks are known.".into(),
        "add_access_item" => format!("Access {} requested.", quoted("what")),
        "grant_access" => "Access marked granted.".into(),
        "add_uat_case" => format!("UAT case {} added.", quoted("title")),
        "record_uat_result" => "UAT result recorded.".into(),
        "advance_stage" => format!("Stage moved to {}.", f.get("to").replace('_', " ")),
        "decide_go_live" => "Go / no-go decision recorded.".into(),
        "schedule_training" => format!("Training {} scheduled.", quoted("title")),
        "record_attendance" => "Attendance recorded.".into(),
        "mark_training_held" => "Session marked held.".into(),
        "send_training_recap" => "Recap sent.".into(),
        "open_issue" => format!("Issue {} opened.", quoted("title")),
        "update_issue" => "Issue updated.".into(),
        "close_issue" => "Issue closed.".into(),
        "record_adoption" => "Adoption reading recorded.".into(),
        "prepare_transition" => "Transition packet prepared.".into(),
        "accept_transition" => "Transition packet accepted.".into(),
        "record_status_update" => "Status update recorded.".into(),
        "pause" => "Project paused.".into(),
        "resume" => "Project resumed where it stopped.".into(),
        "cancel" => "Project cancelled.".into(),
        "add_retro_item" => "Added to the retrospective.".into(),
        "mark_retro_promoted" => "Recorded as promoted into the playbook.".into(),
        "add_task" => format!("Task {} added to the plan.", quoted("title")),
        "set_launch_date" => format!("Launch date set to {}.", f.get("date")),
        "set_next_meeting" => format!("Next meeting set to {}.", f.get("date")),
        "complete_task" => "Task marked done.".into(),
        "block_task" => "Task marked blocked.".into(),
        "unblock_task" => "Task unblocked.".into(),
        "reopen_task" => "Task reopened.".into(),
        "rebaseline_task" => format!("Due date moved to {}.", f.get("due")),
        "assign_task" => "Task reassigned.".into(),
        _ => "Saved.".into(),
    }
}

/// The task a task action is about, when the form names one: its forms live on the task's page.
fn task_of(action: &str, form: &FormData) -> Option<u32> {
    matches!(
        action,
        "complete_task"
            | "block_task"
            | "unblock_task"
            | "rebaseline_task"
            | "reopen_task"
            | "assign_task"
            | "set_task_visibility"
    )
    .then(|| form.get("task").parse().ok())
    .flatten()
}

/// Shows a refused form again where it was sent from: a task's page for task actions, the
/// project page otherwise. A task action that names no task is explained at the top of the
/// project page (it has no form there to be shown next to).
async fn refused(
    state: &AppState,
    vendor: &Vendor,
    id: &str,
    action: &str,
    form: &FormData,
    mut st: FormState,
) -> Response {
    if let Some(t) = task_of(action, form) {
        return project::render_task(state, vendor, id, t, st).await;
    }
    if project::occasional::is_occasional(action) {
        return project_forms::render(state, vendor, id, action, st).await;
    }
    if action.ends_with("_task") && action != "add_task" {
        st.form.clear();
    }
    project::render(state, vendor, id, st, None).await
}

pub fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}

pub async fn run(
    State(state): State<AppState>,
    vendor: Vendor,
    Path((id, action)): Path<(String, String)>,
    form: FormData,
) -> Response {
    if let Err(r) = form.check_csrf(&vendor.csrf) {
        return r;
    }
    let ws = vendor.workspace().to_string();
    match state.app.store.project(&ws, &id).await {
        Ok(Some(_)) => {}
        Ok(None) => return layout::not_found(&format!("Project {id}")),
        Err(e) => return layout::internal(&e.to_string()),
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
                    return refused(&state, &vendor, &id, &action, &form, st).await;
                }
            };
            match state
                .app
                .store
                .put_file(
                    &ws,
                    &id,
                    &name,
                    &up.content_type,
                    &up.body,
                    &vendor.user.name,
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
            discard_files(&state.app.store, &ws, &id, &written).await;
            return refused(&state, &vendor, &id, &action, &form, st).await;
        }
    };
    let user = vendor.user.clone();
    let done = run_command(&state.app.store, &ws, &id, &command, |p| {
        member_ctx(&user, p, now)
    })
    .await;
    if done.is_err() {
        discard_files(&state.app.store, &ws, &id, &written).await;
    }
    match done {
        Ok(_) => {
            let at = match task_of(&action, &form) {
                Some(t) => format!("task-{t}"),
                None => anchor(&action).to_string(),
            };
            let flash = Flash::new(&at, confirmation(&action, &form));
            redirect_with_flash(&state, &vendor.csrf, &format!("/projects/{id}"), flash).await
        }
        Err(e) => match FormState::new(&form).refused(e) {
            Ok(st) => refused(&state, &vendor, &id, &action, &form, st.with_codes()).await,
            Err(ApiError::Internal(m)) => layout::internal(&m),
            Err(other) => {
                layout::error_page(StatusCode::BAD_REQUEST, "Not done", &other.to_string())
            }
        },
    }
}
