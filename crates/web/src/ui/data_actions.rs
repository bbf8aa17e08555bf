//! The handlers of the data import pages: who is looking (a customer in the portal sees only
//! their own project; a vendor member any project of the workspace), and what each form does.
//! The grid of flagged rows has its own handlers in `data_grid_actions`, built on these.
//!
//! Every form checks the CSRF token first. Files are written only after the data engine has
//! accepted the upload, and the project changes through one `core::Command`, so a refused upload
//! or fix leaves the project as it was.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use finishline_core::command::Ctx;
use finishline_core::intake::ImportDraft;
use finishline_core::people::{Person, Side};
use finishline_core::{Command, Project};
use finishline_data::{DataMap, Fix, FixAction, Fixes};
use maud::Markup;

use crate::error::ApiError;
use crate::state::AppState;
use crate::throttle::Refusal;
use crate::ui::actions::see_other;
use crate::ui::data::{self, MapView, Target, DATE_READINGS};
use crate::ui::data_grid_actions;
use crate::ui::form::{html as html_response, page_status, FormData, FormState};
use crate::ui::layout::{self, Nav};
use crate::ui::session::{Customer, Vendor};
use finishline_app::commands::{discard_files, member_ctx, run_command};
use finishline_app::imports;

/// Who acts on a data page.
pub(super) enum Actor<'a> {
    Customer(&'a Customer, Person),
    Vendor(&'a Vendor),
}

impl Actor<'_> {
    pub(super) fn ws(&self) -> &str {
        match self {
            Actor::Customer(c, _) => &c.session.workspace_id,
            Actor::Vendor(v) => v.workspace(),
        }
    }
    /// The name kept with files and fixes.
    pub(super) fn name(&self) -> String {
        match self {
            Actor::Customer(_, p) => format!("{} (customer)", p.name),
            Actor::Vendor(v) => format!("{} (vendor)", v.user.name),
        }
    }
    pub(super) fn ctx(&self, p: &Project, now: chrono::DateTime<chrono::Utc>) -> Ctx {
        match self {
            Actor::Customer(_, person) => Ctx {
                actor: format!("{} (customer)", person.name),
                person: Some(person.id),
                side: Side::Customer,
                now,
            },
            Actor::Vendor(v) => member_ctx(&v.user, p, now),
        }
    }
    pub(super) fn target(&self, p: &Project) -> Target<'_> {
        match self {
            Actor::Customer(c, _) => Target {
                base: "/portal/data".into(),
                files: "/portal/files/".into(),
                csrf: &c.csrf,
                vendor: false,
            },
            Actor::Vendor(v) => Target {
                base: format!("/projects/{}/data", p.id),
                files: format!("/projects/{}/files/", p.id),
                csrf: &v.csrf,
                vendor: true,
            },
        }
    }
}

/// The customer's project and their person in it, or the page that says why not.
pub(super) async fn customer_project(
    state: &AppState,
    c: &Customer,
) -> Result<(Project, Person), Response> {
    let s = &c.session;
    let p = match state
        .app
        .store
        .project(&s.workspace_id, &s.project_id)
        .await
    {
        Ok(Some((p, _))) => p,
        Ok(None) => {
            return Err(layout::portal_message(
                StatusCode::NOT_FOUND,
                "Project not found",
                "This project is no longer available.",
            ))
        }
        Err(e) => return Err(layout::internal(&e.to_string())),
    };
    match p.person(s.person_id).cloned() {
        Some(person) => Ok((p, person)),
        None => Err(layout::portal_message(
            StatusCode::FORBIDDEN,
            "No access",
            "You are no longer part of this project.",
        )),
    }
}

pub(super) async fn vendor_project(
    state: &AppState,
    v: &Vendor,
    id: &str,
) -> Result<Project, Response> {
    match state.app.store.project(v.workspace(), id).await {
        Ok(Some((p, _))) => Ok(p),
        Ok(None) => Err(layout::not_found(&format!("Project {id}"))),
        Err(e) => Err(layout::internal(&e.to_string())),
    }
}

/// A member's post to a project's data page: the form's token first, then the project.
async fn vendor_post(
    state: &AppState,
    v: &Vendor,
    id: &str,
    form: &FormData,
) -> Result<Project, Response> {
    form.check_csrf(&v.csrf)?;
    vendor_project(state, v, id).await
}

/// Each map with its fields and the latest report of its draft (an unreadable one is shown as
/// such rather than failing the page).
async fn views(state: &AppState, ws: &str, p: &Project) -> Vec<MapView> {
    let mut out = Vec::new();
    for m in &p.data_maps {
        let fields = imports::load_map(&state.app, ws, &p.id, &m.file).await.ok();
        let report = match &m.draft {
            Some(d) => imports::load_report(&state.app, ws, &p.id, &d.report)
                .await
                .ok(),
            None => None,
        };
        out.push(MapView {
            map: m.clone(),
            fields,
            report,
        });
    }
    out
}

pub(super) async fn render(
    state: &AppState,
    actor: &Actor<'_>,
    p: &Project,
    st: FormState,
) -> Response {
    // A customer's page is rendered from the project as they may see it: an internal task a map
    // serves shows as vendor work in progress, with no title or notes.
    let shown;
    let p = match actor {
        Actor::Customer(..) => {
            shown = finishline_core::visibility::for_customer(p);
            &shown
        }
        Actor::Vendor(_) => p,
    };
    let v = views(state, actor.ws(), p).await;
    let body: Markup = data::body(p, &v, &actor.target(p), &st);
    let status = page_status(&st);
    match actor {
        Actor::Customer(c, person) => html_response(
            status,
            layout::portal_page(
                &format!("Data import · {}", p.customer),
                &p.customer,
                &person.name,
                Some(&c.csrf),
                body,
            ),
        ),
        Actor::Vendor(v) => html_response(
            status,
            layout::page(
                &format!("Data import · {}", p.customer),
                Nav::Portfolio,
                &v.user.name,
                &v.csrf,
                body,
            ),
        ),
    }
}

pub async fn portal_page(State(state): State<AppState>, customer: Customer) -> Response {
    match customer_project(&state, &customer).await {
        Ok((p, person)) => {
            render(
                &state,
                &Actor::Customer(&customer, person),
                &p,
                FormState::default(),
            )
            .await
        }
        Err(r) => r,
    }
}

pub async fn vendor_page(
    State(state): State<AppState>,
    vendor: Vendor,
    Path(id): Path<String>,
) -> Response {
    match vendor_project(&state, &vendor, &id).await {
        Ok(p) => render(&state, &Actor::Vendor(&vendor), &p, FormState::default()).await,
        Err(r) => r,
    }
}

pub async fn portal_action(
    State(state): State<AppState>,
    customer: Customer,
    Path((map, action)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    mut form: FormData,
) -> Response {
    with_query(&mut form, query.as_deref());
    if let Err(r) = form.check_csrf(&customer.csrf) {
        return r;
    }
    let (p, person) = match customer_project(&state, &customer).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    act(
        &state,
        Actor::Customer(&customer, person),
        p,
        &map,
        &action,
        form,
    )
    .await
}

pub async fn vendor_action(
    State(state): State<AppState>,
    vendor: Vendor,
    Path((id, map, action)): Path<(String, String, String)>,
    RawQuery(query): RawQuery,
    mut form: FormData,
) -> Response {
    with_query(&mut form, query.as_deref());
    let p = match vendor_post(&state, &vendor, &id, &form).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    act(&state, Actor::Vendor(&vendor), p, &map, &action, form).await
}

/// A grid's filter and the cell an in-place edit is for travel in the form's address: they
/// join the form's fields (a field the form sends itself wins).
pub(super) fn with_query(form: &mut FormData, query: Option<&str>) {
    let Some(q) = query else { return };
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(q).unwrap_or_default();
    for (k, v) in pairs {
        if !form.has(&k) {
            form.fields.push((k, v));
        }
    }
}

/// Runs `work`; the files it wrote are removed again when it is refused or fails, so a
/// refusal leaves nothing behind.
pub(super) async fn leaving_nothing(
    state: &AppState,
    ws: &str,
    project: &str,
    work: impl AsyncFnOnce(&mut Vec<String>) -> Result<(), Fail>,
) -> Result<(), Fail> {
    let mut written = Vec::new();
    let done = work(&mut written).await;
    if done.is_err() {
        discard_files(&state.app.store, ws, project, &written).await;
    }
    done
}

/// Why a form was not done: shown next to it, the server too busy to check the file now (shown
/// next to it, answered 503 with `Retry-After`), or a server failure.
pub(super) enum Fail {
    Form(FormState),
    Busy(FormState, Refusal),
    Internal(String),
}

pub(super) fn refuse(st: &FormState, e: ApiError) -> Fail {
    if let ApiError::Refused(r) = e {
        let mut st = st.clone();
        st.message = Some(format!(
            "Your file was not checked: {} Nothing was kept; send it again then.",
            r.detail
        ));
        return Fail::Busy(st, r);
    }
    match st.clone().refused(e) {
        Ok(st) => Fail::Form(st),
        Err(other) => Fail::Internal(other.to_string()),
    }
}

impl From<finishline_store::StoreError> for Fail {
    fn from(e: finishline_store::StoreError) -> Self {
        Fail::Internal(e.to_string())
    }
}

const ACTIONS: &[&str] = &[
    "upload", "fix", "bulk", "recheck", "submit", "decide", "sendback",
];

/// The project as it is now (after a change, or a refusal that may follow others' changes),
/// as this actor may reach it; otherwise the page that says why not.
pub(super) async fn fresh_project(
    state: &AppState,
    actor: &Actor<'_>,
    id: &str,
) -> Result<Project, Response> {
    match actor {
        Actor::Customer(c, _) => customer_project(state, c).await.map(|(p, _)| p),
        Actor::Vendor(v) => vendor_project(state, v, id).await,
    }
}

/// The page again with the refused form, on the project as it is now.
async fn refused(state: &AppState, actor: &Actor<'_>, p: &Project, st: FormState) -> Response {
    match fresh_project(state, actor, &p.id).await {
        Ok(p) => render(state, actor, &p, st).await,
        Err(r) => r,
    }
}

async fn act(
    state: &AppState,
    actor: Actor<'_>,
    p: Project,
    map: &str,
    action: &str,
    form: FormData,
) -> Response {
    let map_id = map.parse::<u32>().ok();
    if !ACTIONS.contains(&action) || map_id.and_then(|m| p.data_map(m)).is_none() {
        return layout::error_page(
            StatusCode::NOT_FOUND,
            "Not found",
            "There is no such data map or action in this project.",
        );
    }
    let map_id = map_id.unwrap_or_default();
    match action {
        "decide" => return data_grid_actions::decide(state, actor, p, map_id, form).await,
        "sendback" => return data_grid_actions::sendback(state, actor, p, map_id, form).await,
        _ => {}
    }
    match perform(state, &actor, &p, map_id, action, &form).await {
        Ok(()) => see_other(&format!("{}#map-{map_id}", actor.target(&p).base)),
        Err(Fail::Form(st)) => refused(state, &actor, &p, st).await,
        Err(Fail::Busy(st, r)) => r.with_retry_after(refused(state, &actor, &p, st).await),
        Err(Fail::Internal(m)) => layout::internal(&m),
    }
}

/// Runs a data-page action, leaving nothing behind when it is refused.
async fn perform(
    state: &AppState,
    actor: &Actor<'_>,
    p: &Project,
    map_id: u32,
    action: &str,
    form: &FormData,
) -> Result<(), Fail> {
    leaving_nothing(state, actor.ws(), &p.id, async |written| {
        perform_writing(state, actor, p, map_id, action, form, written).await
    })
    .await
}

async fn perform_writing(
    state: &AppState,
    actor: &Actor<'_>,
    p: &Project,
    map_id: u32,
    action: &str,
    form: &FormData,
    written: &mut Vec<String>,
) -> Result<(), Fail> {
    let mut st = FormState::new(form);
    st.form = form_key(map_id, action, form);
    let ws = actor.ws().to_string();
    let now = state.now();
    let who = actor.name();
    let mref = p
        .data_map(map_id)
        .ok_or_else(|| Fail::Internal("data map vanished".into()))?;
    let dm = imports::load_map(&state.app, &ws, &p.id, &mref.file)
        .await
        .map_err(|e| refuse(&st, e.into()))?;
    let mut replaced: Option<String> = None;
    let command = match action {
        "upload" => {
            let Some(up) = form.file("file") else {
                let empty = form
                    .files
                    .iter()
                    .any(|f| f.field == "file" && !f.name.is_empty());
                st.field(
                    "file",
                    if empty {
                        "this file is empty: choose the file with your rows"
                    } else {
                        "choose the file to upload"
                    },
                );
                st.message = Some("No file was uploaded.".into());
                return Err(Fail::Form(st));
            };
            // Browsers may send a path ("C:\fakepath\x.csv"): only the file's name is kept.
            let name = match crate::files::form_upload_name(&up.name) {
                Ok(n) => n,
                Err(why) => {
                    st.field("file", why.clone());
                    st.message = Some(format!("The file was not uploaded: {why}."));
                    return Err(Fail::Form(st));
                }
            };
            let outcome = imports::run(
                &state.app,
                &name,
                up.body.clone(),
                dm,
                Fixes::default(),
                false,
            )
            .await
            .map_err(|e| refuse(&st, e.into()))?;
            let upload = state
                .app
                .store
                .put_file(
                    &ws,
                    &p.id,
                    &name,
                    "application/octet-stream",
                    &up.body,
                    &who,
                    now,
                )
                .await?;
            written.push(upload.id.clone());
            let (_, stored) = imports::store_outputs(&state.app, &ws, &p.id, &who, now, outcome)
                .await
                .map_err(|e| refuse(&st, e.into()))?;
            written.extend(stored.ids());
            Command::StartImportDraft {
                map: map_id,
                upload: upload.id,
                name,
                sha256: upload.sha256,
                report: stored.report.id,
            }
        }
        "fix" | "bulk" => {
            let Some(draft) = &mref.draft else {
                st.message = Some("Upload a file first.".into());
                return Err(Fail::Form(st));
            };
            let fix = match build_fix(action, form, &dm, &who, now) {
                Ok(f) => f,
                Err(errors) => {
                    st.errors = errors;
                    st.message = Some("The fix was not saved: see the fields marked below.".into());
                    return Err(Fail::Form(st));
                }
            };
            let value = serde_json::to_value(&fix).map_err(|e| Fail::Internal(e.to_string()))?;
            let mut all = draft.fixes.clone();
            all.push(value.clone());
            imports::fixes_from_values(&all, &dm).map_err(|e| refuse(&st, e.into()))?;
            Command::AddImportFix {
                map: map_id,
                fix: value,
            }
        }
        "recheck" | "submit" => {
            let Some(draft) = &mref.draft else {
                st.message = Some("Upload a file first.".into());
                return Err(Fail::Form(st));
            };
            let checked = check_draft(
                state,
                actor,
                p,
                map_id,
                dm,
                draft,
                action == "submit",
                &st,
                written,
            )
            .await?;
            replaced = checked.replaced;
            checked.command
        }
        _ => return Err(Fail::Internal(format!("unknown data action {action}"))),
    };
    run_command(&state.app.store, &ws, &p.id, &command, |p| {
        actor.ctx(p, now)
    })
    .await
    .map_err(|e| refuse(&st, e.into()))?;
    discard_replaced(state, &ws, &p.id, replaced).await;
    Ok(())
}

/// The flagged rows of a check replaced by a newer one are not needed again (the report
/// stays, for the record): each is up to a few megabytes at 100,000 rows.
pub(super) async fn discard_replaced(
    state: &AppState,
    ws: &str,
    project: &str,
    file: Option<String>,
) {
    if let Some(f) = file {
        discard_files(&state.app.store, ws, project, &[f]).await;
    }
}

/// A check of the draft: the command that records it, and the flagged rows it replaces.
pub(super) struct Checked {
    pub(super) command: Command,
    pub(super) replaced: Option<String>,
}

/// Checks the draft's upload with its fixes again (and with `submit`, exports it): the command
/// that records the new report or the import run.
#[allow(clippy::too_many_arguments)]
pub(super) async fn check_draft(
    state: &AppState,
    actor: &Actor<'_>,
    p: &Project,
    map_id: u32,
    dm: DataMap,
    draft: &ImportDraft,
    submit: bool,
    st: &FormState,
    written: &mut Vec<String>,
) -> Result<Checked, Fail> {
    let mut st = st.clone();
    let ws = actor.ws().to_string();
    let now = state.now();
    let who = actor.name();
    if submit && draft.needs_recheck() {
        st.message = Some(
            "Some fixes were made since the last check: press “Re-check with the fixes” first, then submit."
                .into(),
        );
        return Err(Fail::Form(st));
    }
    let mut fixes =
        imports::fixes_from_values(&draft.fixes, &dm).map_err(|e| refuse(&st, e.into()))?;
    // Ties the layer to its upload: the engine refuses it over another file.
    fixes.source_sha256 = Some(draft.sha256.clone());
    let fixes_json =
        serde_json::to_vec_pretty(&fixes).map_err(|e| Fail::Internal(e.to_string()))?;
    let body = imports::project_file(&state.app, &ws, &p.id, &draft.upload, "file")
        .await
        .map_err(|e| refuse(&st, e.into()))?;
    let mut outcome = imports::run(&state.app, &draft.name, body, dm, fixes, submit)
        .await
        .map_err(|e| refuse(&st, e.into()))?;
    // "N of M decided" counts from the first check of this upload.
    let previous = imports::load_report(&state.app, &ws, &p.id, &draft.report)
        .await
        .ok();
    outcome.original = previous.as_ref().map(|r| r.decided().1);
    let replaced = previous.and_then(|r| r.flagged);
    let (report, stored) = imports::store_outputs(&state.app, &ws, &p.id, &who, now, outcome)
        .await
        .map_err(|e| refuse(&st, e.into()))?;
    written.extend(stored.ids());
    if !submit {
        Ok(Checked {
            command: Command::RecheckImportDraft {
                map: map_id,
                report: stored.report.id,
            },
            replaced,
        })
    } else {
        let clean = stored
            .clean
            .ok_or_else(|| Fail::Internal("export without a clean file".into()))?;
        let stem = draft
            .name
            .rsplit_once('.')
            .map_or(draft.name.as_str(), |(s, _)| s);
        let fixes_file = state
            .app
            .store
            .put_file(
                &ws,
                &p.id,
                &format!("{stem}.fixes.json"),
                "application/json",
                &fixes_json,
                &who,
                now,
            )
            .await?;
        written.push(fixes_file.id.clone());
        Ok(Checked {
            replaced,
            command: Command::SubmitImportDraft {
                map: map_id,
                rows: report.rows,
                errors: report.errors,
                reviews: report.reviews,
                by_rule: imports::by_rule(&report),
                clean_file: clean.id,
                report_file: stored.report.id,
                fixes_file: Some(fixes_file.id),
            },
        })
    }
}

/// The form whose errors a refusal shows: the one sent when its `_form` is one of this map's,
/// else the page's general form of that kind (so an error is never lost).
fn form_key(map: u32, action: &str, form: &FormData) -> String {
    let sent = form.get("_form");
    match action {
        "fix" if sent.starts_with(&format!("cell-{map}-")) => sent.to_string(),
        "fix" => format!("cell-{map}-any"),
        "bulk" => format!("bulk-{map}-{}", form.get("kind")),
        other => format!("{other}-{map}"),
    }
}

/// A fix from an in-place (`fix`) or bulk form, or the error of each field that is wrong.
fn build_fix(
    action: &str,
    form: &FormData,
    dm: &DataMap,
    who: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Fix, Vec<(String, String)>> {
    let mut errors = Vec::new();
    let field = form.get("field").to_string();
    if dm.field_index(&field).is_none() {
        errors.push(("field".into(), "choose a column of the data map".into()));
    }
    let why = form.get("why").to_string();
    if why.is_empty() {
        errors.push((
            "why".into(),
            "say why, in a few words (it is kept with the fix)".into(),
        ));
    }
    // A new value may be blank on purpose (clearing a cell), so it is not trimmed away.
    let raw = |name: &str| {
        form.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let action = if action == "fix" {
        let row = form.get("row").parse::<u64>().ok().filter(|r| *r >= 2);
        if row.is_none() {
            errors.push((
                "row".into(),
                "give the row number as your spreadsheet shows it: 2 or more (row 1 is the header)"
                    .into(),
            ));
        }
        FixAction::Cell {
            row: row.unwrap_or_default(),
            field,
            value: raw("value"),
        }
    } else {
        match form.get("kind") {
            "map_value" => {
                let from = raw("from");
                if from.is_empty() {
                    errors.push(("from".into(), "type the value to replace".into()));
                }
                FixAction::MapValue {
                    field,
                    from,
                    to: raw("to"),
                }
            }
            "fill_blanks" => {
                let value = raw("to");
                if value.is_empty() {
                    errors.push(("to".into(), "type what to fill the empty cells with".into()));
                }
                FixAction::FillBlanks { field, value }
            }
            "date_reading" => {
                let format = form.get("format").to_string();
                if !DATE_READINGS.iter().any(|(f, _)| *f == format) {
                    errors.push(("format".into(), "choose how the dates are written".into()));
                }
                FixAction::DateReading { field, format }
            }
            _ => {
                errors.push(("kind".into(), "choose a kind of fix".into()));
                return Err(errors);
            }
        }
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Fix {
        action,
        who: who.to_string(),
        why,
        at: Some(now.to_rfc3339()),
    })
}

/// Adds a data map to a project (vendor only): the map file is checked before anything is kept.
pub async fn add_map(
    State(state): State<AppState>,
    vendor: Vendor,
    Path(id): Path<String>,
    form: FormData,
) -> Response {
    let p = match vendor_post(&state, &vendor, &id, &form).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let actor = Actor::Vendor(&vendor);
    let mut st = FormState::new(&form);
    st.form = "add_map".into();
    let name = form.get("name").to_string();
    if name.is_empty() {
        st.field("name", "give the data map a name");
    }
    let task = match form.get("task") {
        "" => None,
        t => match t.parse::<u32>().ok().filter(|t| p.task(*t).is_some()) {
            Some(t) => Some(t),
            None => {
                st.field("task", "choose a task of this plan, or none");
                None
            }
        },
    };
    let map_file = form.file("map_file");
    match map_file {
        None => st.field("map_file", "choose the data map file (.json)"),
        Some(f) => {
            if let Err(why) = crate::files::form_upload_name(&f.name) {
                st.field("map_file", why);
            } else if let Err(e) = DataMap::from_json(&String::from_utf8_lossy(&f.body)) {
                st.field("map_file", e.to_string());
            }
        }
    }
    let (Some(f), true) = (map_file, st.errors.is_empty()) else {
        st.message = Some("The data map was not added: see the fields marked below.".into());
        return render(&state, &actor, &p, st).await;
    };
    let now = state.now();
    let stored = match state
        .app
        .store
        .put_file(
            vendor.workspace(),
            &id,
            &crate::files::form_upload_name(&f.name).unwrap_or_default(),
            "application/json",
            &f.body,
            &actor.name(),
            now,
        )
        .await
    {
        Ok(s) => s,
        Err(e) => return layout::internal(&e.to_string()),
    };
    let written = [stored.id.clone()];
    let cmd = Command::AddDataMap {
        name,
        file: stored.id,
        task,
        source: None,
        sample: None,
    };
    let done = run_command(&state.app.store, vendor.workspace(), &id, &cmd, |p| {
        actor.ctx(p, now)
    })
    .await;
    if done.is_err() {
        discard_files(&state.app.store, vendor.workspace(), &id, &written).await;
    }
    match done {
        Ok(_) => see_other(&format!("/projects/{id}/data")),
        Err(e) => match st.refused(e) {
            Ok(st) => render(&state, &actor, &p, st).await,
            Err(other) => layout::internal(&other.to_string()),
        },
    }
}
