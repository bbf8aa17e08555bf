//! Playbooks: the built-ins and the workspace's own, each viewed phase by phase; a copy is
//! saved under a new key as the workspace's own playbook (version 1).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use finishline_core::lifecycle::{Stage, STAGE_ORDER};
use finishline_core::playbook::{builtin, Phase, Playbook, Step};
use finishline_core::survey::{Milestone, Question, SurveyAsk};
use maud::html;

use crate::state::AppState;
use crate::ui::actions::see_other;
use crate::ui::form::{html as html_response, page_status, FormData, FormState};
use crate::ui::layout::{self, Fields, Nav};
use crate::ui::session::Vendor;
use finishline_app::handoffs::find_playbook;
use finishline_app::AppError;

pub async fn list(State(state): State<AppState>, v: Vendor) -> Response {
    let own = match state.app.store.playbooks(v.workspace()).await {
        Ok(p) => p,
        Err(e) => return layout::internal(&e.to_string()),
    };
    let body = html! {
        h1 { "Playbooks" }
        p class="muted" { "A running project keeps the playbook version it started with." }
        div class="table-wrap" { table {
            thead { tr { th scope="col" { "Playbook" } th scope="col" { "Key" } th scope="col" { "Version" } th scope="col" { "Steps" } th scope="col" { "Source" } } }
            tbody {
                @for pb in own.iter().map(|s| (&s.playbook, s.version, "workspace")).chain(builtin().iter().map(|p| (p, i64::from(p.version), "built in")).collect::<Vec<_>>().into_iter()) {
                    tr {
                        td data-label="Playbook" { a href=(format!("/playbooks/{}", pb.0.key)) { (pb.0.name) } }
                        td data-label="Key" { code { (pb.0.key) } }
                        td data-label="Version" { (pb.1) }
                        td data-label="Steps" { (pb.0.steps().count()) }
                        td data-label="Source" { (pb.2) }
                    }
                }
            }
        } }
    };
    html_response(
        StatusCode::OK,
        layout::page("Playbooks", Nav::Playbooks, &v.user.name, &v.csrf, body),
    )
}

fn roles() -> Vec<(String, String)> {
    use finishline_core::people::Role::*;
    [
        ImplementationOwner,
        VendorTeammate,
        AccountExecutive,
        RenewalCsm,
        CustomerOwner,
        BackupContact,
        DecisionMaker,
        ExecutiveSponsor,
        CustomerAdmin,
        EndUser,
    ]
    .iter()
    .map(|r| (crate::ui::project::key(r), r.label().to_string()))
    .collect()
}

fn labels() -> Vec<(String, String)> {
    [
        ("vendor_task", "vendor task"),
        ("customer_task", "customer task"),
        ("shared_task", "shared task"),
    ]
    .iter()
    .map(|(a, b)| ((*a).to_string(), (*b).to_string()))
    .collect()
}

/// The forms that edit a workspace playbook: each saves a new version. All post to
/// `/playbooks/{key}/edit` and say what they do in a hidden `op` field; each has its own `_form`
/// key so a refusal is shown next to the form that was sent.
fn edit_forms(pb: &Playbook, v: &Vendor, st: &FormState) -> maud::Markup {
    let action = format!("/playbooks/{}/edit", pb.key);
    let steps: Vec<(String, String)> = pb
        .steps()
        .map(|(_, s)| (s.key.clone(), s.title.clone()))
        .collect();
    let choose_step: Vec<(String, String)> = [(String::new(), "choose a step".to_string())]
        .into_iter()
        .chain(steps.iter().cloned())
        .collect();
    let phases: Vec<(String, String)> = pb
        .phases
        .iter()
        .enumerate()
        .map(|(i, p)| (i.to_string(), format!("{}. {}", i + 1, p.name)))
        .collect();
    let after: Vec<(String, String)> = [("end".to_string(), "at the end".to_string())]
        .into_iter()
        .chain(
            pb.phases
                .iter()
                .enumerate()
                .map(|(i, p)| (i.to_string(), format!("after {}. {}", i + 1, p.name))),
        )
        .collect();
    let stages: Vec<(String, String)> = STAGE_ORDER
        .iter()
        .map(|s| (s.key(), s.label().to_string()))
        .collect();
    let last_stage = pb
        .phases
        .last()
        .map_or_else(|| Stage::Kickoff.key(), |p| p.stage.key());
    // The version the page shows: a form sent from an older page is refused, not applied to
    // phases that have moved since.
    let version = pb.version.to_string();
    let hidden = |f: &Fields, op: Op| {
        html! {
            (f.hidden(&v.csrf))
            input type="hidden" name="op" value=(op.name());
            input type="hidden" name="version" value=(version);
        }
    };
    let fe = Fields::new(Some(st), Op::Step.form());
    let fr = Fields::new(Some(st), Op::RenamePhase.form());
    let fa = Fields::new(Some(st), Op::AddPhase.form());
    let fd = Fields::new(Some(st), Op::Depends.form());
    let fx = Fields::new(Some(st), Op::RemoveStep.form());
    html! {
        h2 { "Edit (saves version " (pb.version + 1) ")" }
        div class="forms" {
            form method="post" action=(action) class="action" {
                (hidden(&fe, Op::Step))
                (fe.message())
                h3 { "Add or change a step" }
                (fe.select("phase", "Phase", &phases, ""))
                (fe.select("step", "Step to change (or a new one)", &[(String::new(), "a new step".to_string())].into_iter().chain(steps.iter().cloned()).collect::<Vec<_>>(), ""))
                (fe.input("key", "Key of a new step", "text", "", false))
                (fe.input("title", "Title", "text", "", true))
                (fe.select("label", "Side", &labels(), "shared_task"))
                (fe.select("owner_role", "Owner role", &roles(), "implementation_owner"))
                (fe.input("due_offset_days", "Due (days after start)", "number", "7", true))
                (fe.checkbox("needs_proof", "needs proof", true))
                button type="submit" { "Save new version" }
            }
            form method="post" action=(action) class="action" {
                (hidden(&fr, Op::RenamePhase))
                (fr.message())
                h3 { "Rename a phase" }
                (fr.select("phase", "Phase", &phases, ""))
                (fr.input("name", "New name", "text", "", true))
                button type="submit" { "Save new version" }
            }
            form method="post" action=(action) class="action" {
                (hidden(&fa, Op::AddPhase))
                (fa.message())
                h3 { "Add a phase" }
                (fa.input("name", "Name", "text", "", true))
                (fa.select("stage", "Lifecycle stage", &stages, &last_stage))
                (fa.select("after", "Place it", &after, "end"))
                p class="muted small" { "A new phase is empty; add its steps with “Add or change a step”." }
                button type="submit" { "Save new version" }
            }
            form method="post" action=(action) class="action" {
                (hidden(&fx, Op::RemoveStep))
                (fx.message())
                h3 { "Remove a step" }
                (fx.select("step", "Step", &choose_step, ""))
                p class="muted small" { "Running projects keep their tasks: they follow the version they started with." }
                button type="submit" { "Remove and save new version" }
            }
            form method="post" action=(action) class="action" {
                (hidden(&fd, Op::Depends))
                (fd.message())
                h3 { "Set a step's dependencies" }
                (fd.select("step", "Step", &choose_step, ""))
                (dependency_checks(&fd, &steps))
                button type="submit" { "Save new version" }
            }
            @let fq = Fields::new(Some(st), Op::Ratings.form());
            form method="post" action=(action) class="action" {
                (hidden(&fq, Op::Ratings))
                (fq.message())
                h3 { "Customer ratings" }
                p class="muted small" { "Which milestones ask each customer person for a rating, once, by email and in the portal. A low score (CSAT 1–2, CES 1–3) opens a follow-up task for the vendor owner." }
                (ratings_fields(pb, &fq))
                button type="submit" { "Save new version" }
            }
        }
    }
}

/// The checkboxes of the steps a step may depend on, ticked as sent after a refusal.
fn dependency_checks(f: &Fields, steps: &[(String, String)]) -> maud::Markup {
    let sent = f.value("depends_on", "");
    let ticked: Vec<&str> = sent.split('\n').collect();
    let err = f.error("depends_on");
    let err_id = format!("{}-depends_on-err", f.key);
    html! {
        fieldset aria-describedby=[err.as_ref().map(|_| err_id.clone())] {
            legend { "Depends on (replaces its dependencies; only earlier steps)" }
            @for (i, (k, title)) in steps.iter().enumerate() {
                div class="field check" {
                    input type="checkbox" id=(format!("{}-dep-{i}", f.key)) name="depends_on" value=(k) checked[ticked.contains(&k.as_str())];
                    label for=(format!("{}-dep-{i}", f.key)) { (title) " " code class="small" { (k) } }
                }
            }
            @if let Some(e) = err { p class="error" id=(err_id) { (e) } }
        }
    }
}

fn view_markup(pb: &Playbook, v: &Vendor, st: &FormState, own: bool) -> maud::Markup {
    let f = Fields::new(Some(st), "copy");
    html! {
        p class="muted small" { a href="/playbooks" { "Playbooks" } " / " (pb.key) }
        h1 { (pb.name) " " span class="muted" { "v" (pb.version) } }
        @if !pb.description.is_empty() { p { (pb.description) } }
        p class="small" { "Hypercare: " (pb.hypercare_days) " days" }
        (ratings_line(pb))
        @for ph in &pb.phases {
            section {
                h2 { (ph.name) " " span class="muted small" { "(" (ph.stage.label()) ")" } }
                @if ph.steps.is_empty() {
                    p class="muted" { "No steps yet: this phase makes no tasks." }
                } @else { div class="table-wrap" { table {
                    thead { tr { th scope="col" { "Step" } th scope="col" { "Side" } th scope="col" { "Owner role" } th scope="col" class="num" { "Due (day)" } th scope="col" { "Depends on" } th scope="col" { "Proof" } } }
                    tbody { @for s in &ph.steps { tr {
                        td data-label="Step" { (s.title) }
                        td data-label="Side" { (s.label.label()) }
                        td data-label="Owner role" { (s.owner_role.label()) }
                        td data-label="Due (day)" class="num" { (s.due_offset_days) }
                        td data-label="Depends on" { (s.depends_on.join(", ")) }
                        td data-label="Proof" { (if s.needs_proof { "needed" } else { "—" }) }
                    } } }
                } } }
            }
        }
        @if own { (edit_forms(pb, v, st)) } @else { p class="muted" { "Built-in playbooks are copied, then edited." } }
        form method="post" action=(format!("/playbooks/{}/copy", pb.key)) class="action" {
            (f.hidden(&v.csrf))
            (f.message())
            h2 { "Copy this playbook" }
            div class="row" {
                (f.input("key", "New key (letters, digits, dashes)", "text", &format!("{}-copy", pb.key), true))
                (f.input("name", "New name", "text", &format!("{} (copy)", pb.name), true))
            }
            button type="submit" { "Save a copy" }
        }
    }
}

pub async fn view(State(state): State<AppState>, v: Vendor, Path(key): Path<String>) -> Response {
    render(&state, &v, &key, FormState::default()).await
}

async fn render(state: &AppState, v: &Vendor, key: &str, st: FormState) -> Response {
    let own = matches!(
        state.app.store.playbook(v.workspace(), key, None).await,
        Ok(Some(_))
    );
    match find_playbook(&state.app.store, v.workspace(), key, None).await {
        Ok(pb) => html_response(
            page_status(&st),
            layout::page(
                &pb.name,
                Nav::Playbooks,
                &v.user.name,
                &v.csrf,
                layout::with_refusal(&st, view_markup(&pb, v, &st, own)),
            ),
        ),
        Err(e @ (AppError::Store(_) | AppError::Internal(_))) => layout::internal(&e.to_string()),
        Err(_) => layout::not_found(&format!("Playbook {key}")),
    }
}

pub async fn copy(
    State(state): State<AppState>,
    v: Vendor,
    Path(key): Path<String>,
    form: FormData,
) -> Response {
    if let Err(r) = form.check_csrf(&v.csrf) {
        return r;
    }
    let mut pb = match find_playbook(&state.app.store, v.workspace(), &key, None).await {
        Ok(pb) => pb,
        Err(e @ (AppError::Store(_) | AppError::Internal(_))) => {
            return layout::internal(&e.to_string())
        }
        Err(_) => return layout::not_found(&format!("Playbook {key}")),
    };
    let mut st = FormState::new(&form);
    st.form = "copy".into();
    let new_key = form.get("key").to_string();
    let name = form.get("name").to_string();
    if new_key.is_empty()
        || !new_key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
        || new_key.len() > 64
    {
        st.field("key", "use 1–64 letters, digits and dashes");
    } else if matches!(
        state
            .app
            .store
            .playbook(v.workspace(), &new_key, None)
            .await,
        Ok(Some(_))
    ) || finishline_core::playbook::builtin_by_key(&new_key).is_some()
    {
        st.field(
            "key",
            format!("a playbook {new_key:?} already exists: choose another key"),
        );
    }
    if name.is_empty() {
        st.field("name", "Name is required");
    }
    if !st.errors.is_empty() {
        st.message = Some("The copy needs a new key and a name.".into());
        return render(&state, &v, &key, st).await;
    }
    pb.key = new_key;
    pb.name = name;
    pb.version = 1;
    save(&state, &v, &pb, &key, st).await
}

/// Checks a playbook and saves it as its next version, then shows it; a playbook that does not
/// pass is shown refused on the page it came from (`from`).
async fn save(
    state: &AppState,
    v: &Vendor,
    pb: &Playbook,
    from: &str,
    mut st: FormState,
) -> Response {
    if let Err(e) = pb.validate() {
        st.message = Some(e.to_string());
        return render(state, v, from, st).await;
    }
    match state
        .app
        .store
        .save_playbook(v.workspace(), pb, &v.user.name, state.now())
        .await
    {
        Ok(_) => see_other(&format!("/playbooks/{}", pb.key)),
        Err(e) => layout::internal(&e.to_string()),
    }
}

/// What a form posted to `/playbooks/{key}/edit` asks for, from its hidden `op` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    /// Add a step to a phase or change one (also what a form without `op` means).
    Step,
    RenamePhase,
    AddPhase,
    RemoveStep,
    /// Set the steps a step depends on.
    Depends,
    /// Which milestones ask the customer for a rating, with which question.
    Ratings,
}

impl Op {
    fn parse(op: &str) -> Option<Op> {
        match op {
            "" | "step" => Some(Op::Step),
            "rename_phase" => Some(Op::RenamePhase),
            "add_phase" => Some(Op::AddPhase),
            "remove_step" => Some(Op::RemoveStep),
            "depends" => Some(Op::Depends),
            "ratings" => Some(Op::Ratings),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Op::Step => "step",
            Op::RenamePhase => "rename_phase",
            Op::AddPhase => "add_phase",
            Op::RemoveStep => "remove_step",
            Op::Depends => "depends",
            Op::Ratings => "ratings",
        }
    }

    /// The `_form` key of the op's form on the page.
    fn form(self) -> &'static str {
        match self {
            Op::Step => "edit_step",
            other => other.name(),
        }
    }
}

/// The longest phase name the page accepts.
const PHASE_NAME_MAX: usize = 120;

/// Edits a workspace playbook with one of the page's forms and saves it as a new version.
pub async fn edit(
    State(state): State<AppState>,
    v: Vendor,
    Path(key): Path<String>,
    form: FormData,
) -> Response {
    if let Err(r) = form.check_csrf(&v.csrf) {
        return r;
    }
    let mut pb = match state.app.store.playbook(v.workspace(), &key, None).await {
        Ok(Some(s)) => {
            let mut pb = s.playbook;
            pb.version = u32::try_from(s.version).unwrap_or(u32::MAX);
            pb
        }
        Ok(None) => return layout::not_found(&format!("Workspace playbook {key}")),
        Err(e) => return layout::internal(&e.to_string()),
    };
    let mut st = FormState::new(&form);
    let Some(op) = Op::parse(form.get("op")) else {
        st.form = String::new();
        st.message = Some(format!(
            "{:?} is not an edit this page makes: use one of the forms below.",
            form.get("op")
        ));
        return render(&state, &v, &key, st).await;
    };
    st.form = op.form().into();
    let sent_version = form.get("version");
    if !sent_version.is_empty() && sent_version != pb.version.to_string() {
        st.message = Some(format!(
            "This playbook was saved as version {} after the page was opened: check the change against it and send it again.",
            pb.version
        ));
        return render(&state, &v, &key, st).await;
    }
    match op {
        Op::Step => edit_step(&mut pb, &form, &mut st),
        Op::RenamePhase => rename_phase(&mut pb, &form, &mut st),
        Op::AddPhase => add_phase(&mut pb, &form, &mut st),
        Op::RemoveStep => remove_step(&mut pb, &form, &mut st),
        Op::Depends => set_depends(&mut pb, &form, &mut st),
        Op::Ratings => set_ratings(&mut pb, &form, &mut st),
    }
    if !st.errors.is_empty() {
        st.message
            .get_or_insert_with(|| "Some fields need fixing; see below each one.".into());
        return render(&state, &v, &key, st).await;
    }
    save(&state, &v, &pb, &key, st).await
}

/// The phase chosen in the form's `phase` field, or a field error.
fn chosen_phase(pb: &Playbook, form: &FormData, st: &mut FormState) -> Option<usize> {
    let phase = form
        .get("phase")
        .parse::<usize>()
        .ok()
        .filter(|i| *i < pb.phases.len());
    if phase.is_none() {
        st.field("phase", "choose a phase");
    }
    phase
}

/// The step chosen in the form's `step` field, or a field error.
fn chosen_step(pb: &Playbook, form: &FormData, st: &mut FormState) -> Option<String> {
    let key = form.get("step");
    if pb.steps().any(|(_, s)| s.key == key) {
        Some(key.to_string())
    } else {
        st.field(
            "step",
            if key.is_empty() {
                "choose a step".to_string()
            } else {
                format!("there is no step {key:?} in this playbook")
            },
        );
        None
    }
}

/// A phase name from the form's `name` field: not empty, at most [`PHASE_NAME_MAX`] characters.
fn phase_name(form: &FormData, st: &mut FormState) -> Option<String> {
    let name = form.get("name");
    let len = name.chars().count();
    if name.is_empty() {
        st.field("name", "Name is required");
        None
    } else if len > PHASE_NAME_MAX {
        st.field(
            "name",
            format!("at most {PHASE_NAME_MAX} characters (this one has {len})"),
        );
        None
    } else {
        Some(name.to_string())
    }
}

/// `op=step`: adds a step to a phase, or changes the title, side, owner, due day and proof of one.
fn edit_step(pb: &mut Playbook, form: &FormData, st: &mut FormState) {
    let title = form.get("title").to_string();
    if title.is_empty() {
        st.field("title", "Title is required");
    }
    let due: Option<i64> = form
        .get("due_offset_days")
        .parse()
        .ok()
        .filter(|d: &i64| (0..=3650).contains(d));
    if due.is_none() {
        st.field("due_offset_days", "a whole number of days from 0 to 3650");
    }
    let label =
        serde_json::from_value(serde_json::Value::String(form.get("label").to_string())).ok();
    if label.is_none() {
        st.field("label", "choose the side");
    }
    let role = serde_json::from_value(serde_json::Value::String(
        form.get("owner_role").to_string(),
    ))
    .ok();
    if role.is_none() {
        st.field("owner_role", "choose the owner role");
    }
    let phase = chosen_phase(pb, form, st);
    let existing = form.get("step").to_string();
    let new_key = form.get("key").to_string();
    if existing.is_empty() {
        if new_key.is_empty()
            || !new_key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            st.field(
                "key",
                "a new step needs a key of letters, digits and dashes",
            );
        } else if pb.steps().any(|(_, s)| s.key == new_key) {
            st.field(
                "key",
                format!("a step {new_key:?} already exists: choose another key, or choose it under “Step to change”"),
            );
        }
    } else if !pb.steps().any(|(_, s)| s.key == existing) {
        st.field("step", "no such step in this playbook");
    }
    let (Some(due), Some(label), Some(role), Some(phase), true) =
        (due, label, role, phase, st.errors.is_empty())
    else {
        return;
    };
    let needs_proof = form.has("needs_proof");
    if existing.is_empty() {
        if let Some(ph) = pb.phases.get_mut(phase) {
            ph.steps.push(Step {
                key: new_key,
                title,
                label,
                owner_role: role,
                due_offset_days: due,
                depends_on: Vec::new(),
                needs_proof,
                visibility: Default::default(),
                kind: finishline_core::playbook::StepKind::from_phase_name(&ph.name),
                effort_hours: None,
            });
        }
    } else if let Some(step) = pb
        .phases
        .iter_mut()
        .flat_map(|p| p.steps.iter_mut())
        .find(|s| s.key == existing)
    {
        step.title = title;
        step.label = label;
        step.owner_role = role;
        step.due_offset_days = due;
        step.needs_proof = needs_proof;
    }
}

/// `op=rename_phase`: gives a phase a new name.
fn rename_phase(pb: &mut Playbook, form: &FormData, st: &mut FormState) {
    let phase = chosen_phase(pb, form, st);
    let name = phase_name(form, st);
    if let (Some(i), Some(name)) = (phase, name) {
        if let Some(ph) = pb.phases.get_mut(i) {
            ph.name = name;
        }
    }
}

/// `op=add_phase`: adds an empty phase of a lifecycle stage after a chosen phase or at the end.
fn add_phase(pb: &mut Playbook, form: &FormData, st: &mut FormState) {
    let name = phase_name(form, st);
    let stage = STAGE_ORDER
        .iter()
        .copied()
        .find(|s| s.key() == form.get("stage"));
    if stage.is_none() {
        st.field("stage", "choose the lifecycle stage the phase belongs to");
    }
    let at = match form.get("after") {
        "" | "end" => Some(pb.phases.len()),
        i => i
            .parse::<usize>()
            .ok()
            .filter(|i| *i < pb.phases.len())
            .map(|i| i + 1),
    };
    if at.is_none() {
        st.field("after", "choose the phase it comes after, or the end");
    }
    if let (Some(name), Some(stage), Some(at)) = (name, stage, at) {
        pb.phases.insert(
            at.min(pb.phases.len()),
            Phase {
                name,
                stage,
                steps: Vec::new(),
            },
        );
    }
}

/// `op=remove_step`: removes a step no other step depends on. Its phase may be left empty.
fn remove_step(pb: &mut Playbook, form: &FormData, st: &mut FormState) {
    let Some(key) = chosen_step(pb, form, st) else {
        return;
    };
    let dependents: Vec<String> = pb
        .steps()
        .filter(|(_, s)| s.depends_on.contains(&key))
        .map(|(_, s)| format!("“{}” ({})", s.title, s.key))
        .collect();
    if !dependents.is_empty() {
        st.field(
            "step",
            format!(
                "{} depend{} on it: take it out of their dependencies first (“Set a step's dependencies”), then remove it",
                dependents.join(", "),
                if dependents.len() == 1 { "s" } else { "" }
            ),
        );
        return;
    }
    for ph in &mut pb.phases {
        ph.steps.retain(|s| s.key != key);
    }
}

/// `op=depends`: replaces a step's dependencies with the ticked steps, which must come before it.
fn set_depends(pb: &mut Playbook, form: &FormData, st: &mut FormState) {
    let mut wanted: Vec<String> = Vec::new();
    for d in form.all("depends_on").into_iter().map(str::trim) {
        if !d.is_empty() && !wanted.iter().any(|w| w == d) {
            wanted.push(d.to_string());
        }
    }
    // The form state keeps one value per field; keep every ticked step to show them again.
    st.values.insert("depends_on".into(), wanted.join("\n"));
    let Some(key) = chosen_step(pb, form, st) else {
        return;
    };
    let order: Vec<(String, String)> = pb
        .steps()
        .map(|(_, s)| (s.key.clone(), s.title.clone()))
        .collect();
    let at = order.iter().position(|(k, _)| *k == key).unwrap_or(0);
    let mut unknown = Vec::new();
    let mut later = Vec::new();
    for d in &wanted {
        match order.iter().position(|(k, _)| k == d) {
            None => unknown.push(format!("{d:?}")),
            Some(j) if j == at => st.field("depends_on", "a step cannot depend on itself"),
            Some(j) if j > at => later.push(format!("“{}” ({d})", order[j].1)),
            Some(_) => {}
        }
    }
    if !unknown.is_empty() {
        st.field(
            "depends_on",
            format!("no such step in this playbook: {}", unknown.join(", ")),
        );
    }
    if !later.is_empty() {
        st.field(
            "depends_on",
            format!(
                "{} come{} later in the playbook: a step may depend only on earlier steps, so no loop can form",
                later.join(", "),
                if later.len() == 1 { "s" } else { "" }
            ),
        );
    }
    if !st.errors.is_empty() {
        return;
    }
    let mut deps: Vec<String> = wanted;
    deps.sort_by_key(|d| order.iter().position(|(k, _)| k == d));
    if let Some(step) = pb
        .phases
        .iter_mut()
        .flat_map(|p| p.steps.iter_mut())
        .find(|s| s.key == key)
    {
        step.depends_on = deps;
    }
}

/// The choices of the ratings form: per milestone, not asked, CSAT or CES.
fn question_opts() -> Vec<(String, String)> {
    [
        (String::new(), "not asked".to_string()),
        ("csat".to_string(), "CSAT: satisfaction 1–5".to_string()),
        ("ces".to_string(), "CES: ease 1–7".to_string()),
    ]
    .into()
}

fn ratings_fields(pb: &Playbook, f: &Fields) -> maud::Markup {
    html! {
        @for m in Milestone::ALL {
            @let now = pb.surveys.iter().find(|a| a.milestone == m).map_or("", |a| a.question.key());
            (f.select(&format!("ask_{}", m.key()), &format!("Rating {}", m.label()), &question_opts(), now))
        }
    }
}

/// What the playbook asks, in a line.
fn ratings_line(pb: &Playbook) -> maud::Markup {
    let asks: Vec<String> = pb
        .surveys
        .iter()
        .map(|a| format!("{} {}", a.question.label(), a.milestone.label()))
        .collect();
    html! {
        p class="small" {
            "Customer ratings: "
            @if asks.is_empty() { "none asked" } @else { (asks.join(", ")) }
        }
    }
}

/// `op=ratings`: replaces the playbook's asks with the milestones the form asks about.
fn set_ratings(pb: &mut Playbook, form: &FormData, st: &mut FormState) {
    let mut asks = Vec::new();
    for m in Milestone::ALL {
        let field = format!("ask_{}", m.key());
        match form.get(&field) {
            "" => {}
            q => match Question::parse(q) {
                Some(question) => asks.push(SurveyAsk {
                    milestone: m,
                    question,
                }),
                None => st.field(
                    &field,
                    format!("{q:?} is not a question: choose not asked, CSAT or CES"),
                ),
            },
        }
    }
    pb.surveys = asks;
}
