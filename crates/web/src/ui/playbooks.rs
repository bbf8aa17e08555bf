//! Playbooks: the built-ins and the workspace's own, each viewed phase by phase; a copy is
//! saved under a new key as the workspace's own playbook (version 1).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use finishline_core::playbook::{builtin, Playbook};
use maud::html;

use crate::service::find_playbook;
use crate::state::AppState;
use crate::ui::actions::see_other;
use crate::ui::form::{html as html_response, page_status, FormData, FormState};
use crate::ui::layout::{self, Fields, Nav};
use crate::ui::session::Vendor;

pub async fn list(State(state): State<AppState>, v: Vendor) -> Response {
    let own = match state.store.playbooks(v.workspace()).await {
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

/// The forms that edit a workspace playbook: each saves a new version.
fn edit_forms(pb: &Playbook, v: &Vendor, st: &FormState) -> maud::Markup {
    let fe = Fields::new(Some(st), "edit_step");
    let steps: Vec<(String, String)> = pb
        .steps()
        .map(|(_, s)| (s.key.clone(), s.title.clone()))
        .collect();
    let phases: Vec<(String, String)> = pb
        .phases
        .iter()
        .enumerate()
        .map(|(i, p)| (i.to_string(), p.name.clone()))
        .collect();
    html! {
        h2 { "Edit (saves version " (pb.version + 1) ")" }
        div class="forms" {
            form method="post" action=(format!("/playbooks/{}/edit", pb.key)) class="action" {
                (fe.hidden(&v.csrf))
                (fe.message())
                h3 { "Add or change a step" }
                (fe.select("phase", "Phase", &phases, ""))
                (fe.select("step", "Step to change (or a new one)", &[(String::new(), "a new step".to_string())].into_iter().chain(steps).collect::<Vec<_>>(), ""))
                (fe.input("key", "Key of a new step", "text", "", false))
                (fe.input("title", "Title", "text", "", true))
                (fe.select("label", "Side", &labels(), "shared_task"))
                (fe.select("owner_role", "Owner role", &roles(), "implementation_owner"))
                (fe.input("due_offset_days", "Due (days after start)", "number", "7", true))
                (fe.checkbox("needs_proof", "needs proof", true))
                button type="submit" { "Save new version" }
            }
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
        @for ph in &pb.phases {
            section {
                h2 { (ph.name) " " span class="muted small" { "(" (ph.stage.label()) ")" } }
                div class="table-wrap" { table {
                    thead { tr { th scope="col" { "Step" } th scope="col" { "Side" } th scope="col" { "Owner role" } th scope="col" class="num" { "Due (day)" } th scope="col" { "Depends on" } th scope="col" { "Proof" } } }
                    tbody { @for s in &ph.steps { tr {
                        td data-label="Step" { (s.title) }
                        td data-label="Side" { (s.label.label()) }
                        td data-label="Owner role" { (s.owner_role.label()) }
                        td data-label="Due (day)" class="num" { (s.due_offset_days) }
                        td data-label="Depends on" { (s.depends_on.join(", ")) }
                        td data-label="Proof" { (if s.needs_proof { "needed" } else { "—" }) }
                    } } }
                } }
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
        state.store.playbook(v.workspace(), key, None).await,
        Ok(Some(_))
    );
    match find_playbook(&state.store, v.workspace(), key, None).await {
        Ok(pb) => html_response(
            page_status(&st),
            layout::page(
                &pb.name,
                Nav::Playbooks,
                &v.user.name,
                &v.csrf,
                view_markup(&pb, v, &st, own),
            ),
        ),
        Err(crate::ApiError::Internal(m)) => layout::internal(&m),
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
    let mut pb = match find_playbook(&state.store, v.workspace(), &key, None).await {
        Ok(pb) => pb,
        Err(crate::ApiError::Internal(m)) => return layout::internal(&m),
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
        state.store.playbook(v.workspace(), &new_key, None).await,
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
    pb.key = new_key.clone();
    pb.name = name;
    pb.version = 1;
    if let Err(e) = pb.validate() {
        st.message = Some(e.to_string());
        return render(&state, &v, &key, st).await;
    }
    match state
        .store
        .save_playbook(v.workspace(), &pb, &v.user.name, state.now())
        .await
    {
        Ok(_) => see_other(&format!("/playbooks/{new_key}")),
        Err(e) => layout::internal(&e.to_string()),
    }
}

/// Adds or changes a step of a workspace playbook and saves it as a new version.
pub async fn edit(
    State(state): State<AppState>,
    v: Vendor,
    Path(key): Path<String>,
    form: FormData,
) -> Response {
    if let Err(r) = form.check_csrf(&v.csrf) {
        return r;
    }
    let mut pb = match state.store.playbook(v.workspace(), &key, None).await {
        Ok(Some(s)) => {
            let mut pb = s.playbook;
            pb.version = u32::try_from(s.version).unwrap_or(u32::MAX);
            pb
        }
        Ok(None) => return layout::not_found(&format!("Workspace playbook {key}")),
        Err(e) => return layout::internal(&e.to_string()),
    };
    let mut st = FormState::new(&form);
    st.form = "edit_step".into();
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
    let phase = form
        .get("phase")
        .parse::<usize>()
        .ok()
        .filter(|i| *i < pb.phases.len());
    if phase.is_none() {
        st.field("phase", "choose a phase");
    }
    let existing = form.get("step").to_string();
    let new_key = form.get("key").to_string();
    if existing.is_empty()
        && (new_key.is_empty()
            || !new_key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-'))
    {
        st.field(
            "key",
            "a new step needs a key of letters, digits and dashes",
        );
    }
    let (Some(due), Some(label), Some(role), Some(phase), true) =
        (due, label, role, phase, st.errors.is_empty())
    else {
        st.message = Some("Some fields need fixing; see below each one.".into());
        return render(&state, &v, &key, st).await;
    };
    let needs_proof = form.has("needs_proof");
    if existing.is_empty() {
        if let Some(ph) = pb.phases.get_mut(phase) {
            ph.steps.push(finishline_core::playbook::Step {
                key: new_key,
                title,
                label,
                owner_role: role,
                due_offset_days: due,
                depends_on: Vec::new(),
                needs_proof,
            });
        }
    } else {
        let Some(step) = pb
            .phases
            .iter_mut()
            .flat_map(|p| p.steps.iter_mut())
            .find(|s| s.key == existing)
        else {
            st.field("step", "no such step in this playbook");
            return render(&state, &v, &key, st).await;
        };
        step.title = title;
        step.label = label;
        step.owner_role = role;
        step.due_offset_days = due;
        step.needs_proof = needs_proof;
    }
    if let Err(e) = pb.validate() {
        st.message = Some(e.to_string());
        return render(&state, &v, &key, st).await;
    }
    match state
        .store
        .save_playbook(v.workspace(), &pb, &v.user.name, state.now())
        .await
    {
        Ok(_) => see_other(&format!("/playbooks/{key}")),
        Err(e) => layout::internal(&e.to_string()),
    }
}
