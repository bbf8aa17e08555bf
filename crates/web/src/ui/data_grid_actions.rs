//! The handlers of the grid of flagged rows (`…/data/{map}/rows`): the page, its downloads,
//! one decision over many rows (`decide`: the fix it makes, recorded and checked straight away,
//! or a transform's preview), and a corrected spreadsheet sent back (`sendback`). Who is looking
//! and the checks of the draft are `data_actions`'.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use finishline_app::flagged::{self, Decision, Filter, Keep};
use finishline_app::roundtrip;
use finishline_core::intake::ImportDraft;
use finishline_core::{Command, Project};
use finishline_data::{Fix, FixAction, TransformOp};

use crate::error::ApiError;
use crate::state::AppState;
use crate::ui::actions::see_other;
use crate::ui::data;
use crate::ui::data_actions::{
    check_draft, customer_project, discard_replaced, fresh_project, leaving_nothing, refuse,
    render, vendor_project, with_query, Actor, Fail,
};
use crate::ui::data_grid;
use crate::ui::form::{html as html_response, page_status, FormData, FormState};
use crate::ui::layout::{self, Nav};
use crate::ui::session::{Customer, Vendor};
use finishline_app::commands::run_command;
use finishline_app::imports;

/// The grid of flagged rows of one map, as the customer sees it.
pub async fn portal_grid(
    State(state): State<AppState>,
    customer: Customer,
    Path((map, page)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Response {
    let (p, person) = match customer_project(&state, &customer).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let actor = Actor::Customer(&customer, person);
    grid_page(&state, &actor, &p, &map, &page, query.as_deref()).await
}

/// The grid of flagged rows of one map, as a member sees it.
pub async fn vendor_grid(
    State(state): State<AppState>,
    vendor: Vendor,
    Path((id, map, page)): Path<(String, String, String)>,
    RawQuery(query): RawQuery,
) -> Response {
    let p = match vendor_project(&state, &vendor, &id).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    grid_page(
        &state,
        &Actor::Vendor(&vendor),
        &p,
        &map,
        &page,
        query.as_deref(),
    )
    .await
}

async fn grid_page(
    state: &AppState,
    actor: &Actor<'_>,
    p: &Project,
    map: &str,
    page: &str,
    query: Option<&str>,
) -> Response {
    let map_id = map.parse::<u32>().ok().filter(|m| p.data_map(*m).is_some());
    let (Some(map_id), "rows" | "flagged.csv" | "flagged.xlsx") = (map_id, page) else {
        return layout::error_page(
            StatusCode::NOT_FOUND,
            "Not found",
            "There is no such data map or page in this project.",
        );
    };
    let mut form = FormData::default();
    with_query(&mut form, query);
    let (filter, page_no) = data_grid::filter_from(|k| form.get(k).to_string());
    if page != "rows" {
        return download(state, actor, p, map_id, &filter, page).await;
    }
    let page = page_no;
    // The decision applied last is offered again.
    let mut st = FormState::default();
    for k in data_grid::REMEMBERED {
        if form.has(k) {
            st.values.insert((*k).to_string(), form.get(k).to_string());
        }
    }
    render_grid(state, actor, p, map_id, &filter, page, st, Shown::default()).await
}

/// The rows a filter shows, as a spreadsheet to correct and send back.
async fn download(
    state: &AppState,
    actor: &Actor<'_>,
    p: &Project,
    map_id: u32,
    filter: &Filter,
    what: &str,
) -> Response {
    let Some(draft) = p.data_map(map_id).and_then(|m| m.draft.as_ref()) else {
        return layout::not_found("The flagged rows");
    };
    let flagged = match flagged_of(state, actor, p, draft).await {
        Ok(f) => f,
        Err(e) => return layout::error_page(StatusCode::NOT_FOUND, "Not found", &e.to_string()),
    };
    let hits = flagged.matching(filter);
    let table = roundtrip::table(&flagged, &hits, draft.fixes.len(), &data::rule_label);
    let stem = draft
        .name
        .rsplit_once('.')
        .map_or(draft.name.as_str(), |(s, _)| s);
    let (body, ct, ext) = if what == "flagged.xlsx" {
        match roundtrip::to_xlsx(&table) {
            Ok(b) => (
                b,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "xlsx",
            ),
            Err(e) => return layout::internal(&e),
        }
    } else {
        (roundtrip::to_csv(&table), "text/csv; charset=utf-8", "csv")
    };
    let name = format!("{stem}.flagged.{ext}");
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                axum::http::HeaderValue::from_static(ct),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                crate::files::content_disposition(&name),
            ),
        ],
        body,
    )
        .into_response()
}

/// A corrected spreadsheet sent back: the cells that differ become one fix (checked straight
/// away); cells also changed here since the download are shown, not applied.
pub(super) async fn sendback(
    state: &AppState,
    actor: Actor<'_>,
    p: Project,
    map_id: u32,
    form: FormData,
) -> Response {
    let (filter, page) = data_grid::filter_from(|k| form.get(k).to_string());
    let mut st = FormState::new(&form);
    st.form = "sendback".into();
    let fail = |st: FormState, message: String| {
        let mut st = st;
        st.message = Some(message);
        st
    };
    let outcome = async {
        let Some(draft) = p.data_map(map_id).and_then(|m| m.draft.clone()) else {
            return Err(fail(st.clone(), "Upload a file first.".into()));
        };
        let Some(up) = form.file("file") else {
            return Err(fail(
                st.clone(),
                "Choose the corrected file to send back.".into(),
            ));
        };
        let name = crate::files::form_upload_name(&up.name)
            .map_err(|why| fail(st.clone(), format!("The file was not read: {why}.")))?;
        let flagged = flagged_of(state, &actor, &p, &draft)
            .await
            .map_err(|e| fail(st.clone(), e.to_string()))?;
        let sent =
            roundtrip::read_upload(&state.app, &name, up.body.clone(), flagged.fields.clone())
                .await
                .map_err(|e| fail(st.clone(), format!("The file was not read: {e}")))?;
        let dm = {
            let mref = p
                .data_map(map_id)
                .ok_or_else(|| fail(st.clone(), "no map".into()))?;
            imports::load_map(&state.app, actor.ws(), &p.id, &mref.file)
                .await
                .map_err(|e| fail(st.clone(), e.to_string()))?
        };
        let fixes = imports::fixes_from_values(&draft.fixes, &dm)
            .map_err(|e| fail(st.clone(), e.to_string()))?;
        let comparison = roundtrip::compare(&flagged, &sent, &fixes.fixes);
        Ok((name, sent, comparison))
    }
    .await;
    let (name, sent, comparison) = match outcome {
        Ok(x) => x,
        Err(st) => {
            return grid_refused(state, &actor, &p, map_id, &filter, page, Fail::Form(st)).await
        }
    };
    let mut p = p;
    if !comparison.changes.is_empty() {
        let fix = Fix {
            action: FixAction::Cells {
                cells: comparison.changes.clone(),
            },
            who: actor.name(),
            why: format!("corrected in the spreadsheet {name}"),
            at: Some(state.now().to_rfc3339()),
        };
        if let Err(fail) = apply_fix(state, &actor, &p, map_id, fix, &st).await {
            return grid_refused(state, &actor, &p, map_id, &filter, page, fail).await;
        }
        p = match fresh_project(state, &actor, &p.id).await {
            Ok(p) => p,
            Err(r) => return r,
        };
    }
    let report = data_grid::SentReport {
        file: name,
        comparison,
        bad_rows: sent.bad_rows,
        fields_missing: sent.fields_missing,
    };
    let shown = Shown {
        preview: None,
        sent: Some(&report),
    };
    render_grid(
        state,
        &actor,
        &p,
        map_id,
        &filter,
        page,
        FormState::default(),
        shown,
    )
    .await
}

/// Records one fix on the draft and checks the file again with it; files written by a refused
/// attempt are removed.
async fn apply_fix(
    state: &AppState,
    actor: &Actor<'_>,
    p: &Project,
    map_id: u32,
    fix: Fix,
    st: &FormState,
) -> Result<(), Fail> {
    leaving_nothing(state, actor.ws(), &p.id, async |written| {
        apply_fix_writing(state, actor, p, map_id, fix, st, written).await
    })
    .await
}

async fn apply_fix_writing(
    state: &AppState,
    actor: &Actor<'_>,
    p: &Project,
    map_id: u32,
    fix: Fix,
    st: &FormState,
    written: &mut Vec<String>,
) -> Result<(), Fail> {
    let ws = actor.ws().to_string();
    let now = state.now();
    let mref = p
        .data_map(map_id)
        .ok_or_else(|| Fail::Internal("data map vanished".into()))?;
    let Some(draft) = &mref.draft else {
        let mut st = st.clone();
        st.message = Some("Upload a file first.".into());
        return Err(Fail::Form(st));
    };
    let dm = imports::load_map(&state.app, &ws, &p.id, &mref.file)
        .await
        .map_err(|e| refuse(st, e.into()))?;
    let value = serde_json::to_value(&fix).map_err(|e| Fail::Internal(e.to_string()))?;
    let mut all = draft.fixes.clone();
    all.push(value.clone());
    imports::fixes_from_values(&all, &dm).map_err(|e| refuse(st, e.into()))?;
    let added = Command::AddImportFix {
        map: map_id,
        fix: value,
    };
    let (p, _, _) = run_command(&state.app.store, &ws, &p.id, &added, |p| actor.ctx(p, now))
        .await
        .map_err(|e| refuse(st, e.into()))?;
    // The decision is kept; the check that follows shows its effect straight away.
    let draft = p
        .data_map(map_id)
        .and_then(|m| m.draft.clone())
        .ok_or_else(|| Fail::Internal("the draft vanished".into()))?;
    let checked = check_draft(state, actor, &p, map_id, dm, &draft, false, st, written).await?;
    run_command(&state.app.store, &ws, &p.id, &checked.command, |p| {
        actor.ctx(p, now)
    })
    .await
    .map_err(|e| refuse(st, e.into()))?;
    discard_replaced(state, &ws, &p.id, checked.replaced).await;
    Ok(())
}

/// What a grid page shows besides the rows: a transform's preview, a spreadsheet's outcome.
#[derive(Default, Clone, Copy)]
struct Shown<'a> {
    preview: Option<&'a finishline_data::Preview>,
    sent: Option<&'a data_grid::SentReport>,
}

/// The grid page: the map's latest check, its flagged rows, the filter and page asked for.
#[allow(clippy::too_many_arguments)]
async fn render_grid(
    state: &AppState,
    actor: &Actor<'_>,
    p: &Project,
    map_id: u32,
    filter: &Filter,
    page: usize,
    st: FormState,
    shown: Shown<'_>,
) -> Response {
    let ws = actor.ws().to_string();
    let Some(m) = p.data_map(map_id) else {
        return layout::not_found("Data map");
    };
    let t = actor.target(p);
    let Some(draft) = &m.draft else {
        return see_other(&format!("{}#map-{map_id}", t.base));
    };
    let loaded = async {
        let report = imports::load_report(&state.app, &ws, &p.id, &draft.report).await?;
        let flagged = imports::load_flagged(&state.app, &ws, &p.id, &report).await?;
        Ok::<_, finishline_app::AppError>((report, flagged))
    }
    .await;
    let (report, flagged) = match loaded {
        Ok(x) => x,
        Err(e) => {
            let st = FormState {
                message: Some(format!("The flagged rows cannot be shown: {e}")),
                ..FormState::default()
            };
            return render(state, actor, p, st).await;
        }
    };
    let grid = data_grid::Grid {
        project: p,
        map: m,
        report: &report,
        flagged: &flagged,
        filter,
        page,
        target: &t,
        st: &st,
        preview: shown.preview,
        stale: draft.needs_recheck(),
        sent: shown.sent,
    };
    let body = data_grid::body(&grid);
    let title = format!("Flagged rows · {}", p.customer);
    let status = page_status(&st);
    match actor {
        Actor::Customer(c, person) => html_response(
            status,
            layout::portal_page(&title, &p.customer, &person.name, Some(&c.csrf), body),
        ),
        Actor::Vendor(v) => html_response(
            status,
            layout::page(&title, Nav::Portfolio, &v.user.name, &v.csrf, body),
        ),
    }
}

/// A decision from the grid: applied and checked again, then back to the grid where it was
/// made; a preview shows what a transform would change and changes nothing.
pub(super) async fn decide(
    state: &AppState,
    actor: Actor<'_>,
    p: Project,
    map_id: u32,
    form: FormData,
) -> Response {
    let (filter, page) = data_grid::filter_from(|k| form.get(k).to_string());
    if form.has("preview") {
        let mut st = FormState::new(&form);
        st.form = "decide".into();
        let preview = match preview(state, &actor, &p, map_id, &form).await {
            Ok(pv) => Some(pv),
            Err(errors) => {
                st.errors = errors;
                st.message = Some("Nothing to preview: see the fields marked below.".into());
                None
            }
        };
        return render_grid(
            state,
            &actor,
            &p,
            map_id,
            &filter,
            page,
            st,
            Shown {
                preview: preview.as_ref(),
                sent: None,
            },
        )
        .await;
    }
    match decide_and_apply(state, &actor, &p, map_id, &form).await {
        Ok(()) => see_other(&data_grid::remembering(
            &data_grid::grid_url(&actor.target(&p), map_id, &filter, page),
            |k| form.get(k).to_string(),
        )),
        Err(fail) => grid_refused(state, &actor, &p, map_id, &filter, page, fail).await,
    }
}

/// The grid again after a refused decision or spreadsheet, on the project as it is now, with
/// the refusal beside the form; too busy to check the file now is answered 503 with
/// `Retry-After`, as the data page does.
async fn grid_refused(
    state: &AppState,
    actor: &Actor<'_>,
    p: &Project,
    map_id: u32,
    filter: &Filter,
    page: usize,
    fail: Fail,
) -> Response {
    let (st, busy) = match fail {
        Fail::Form(st) => (st, None),
        Fail::Busy(st, r) => (st, Some(r)),
        Fail::Internal(m) => return layout::internal(&m),
    };
    let page_now = match fresh_project(state, actor, &p.id).await {
        Ok(p) => render_grid(state, actor, &p, map_id, filter, page, st, Shown::default()).await,
        Err(r) => return r,
    };
    match busy {
        Some(r) => r.with_retry_after(page_now),
        None => page_now,
    }
}

/// A grid decision: the fix it makes, recorded and checked.
async fn decide_and_apply(
    state: &AppState,
    actor: &Actor<'_>,
    p: &Project,
    map_id: u32,
    form: &FormData,
) -> Result<(), Fail> {
    let mut st = FormState::new(form);
    st.form = "decide".into();
    let Some(draft) = p.data_map(map_id).and_then(|m| m.draft.as_ref()) else {
        st.message = Some("Upload a file first.".into());
        return Err(Fail::Form(st));
    };
    let flagged = flagged_of(state, actor, p, draft)
        .await
        .map_err(|e| refuse(&st, e))?;
    let fix = match grid_fix(form, &flagged, &actor.name(), state.now()) {
        Ok(f) => f,
        Err(errors) => {
            st.errors = errors;
            st.message = Some("Nothing was decided: see the fields marked below.".into());
            return Err(Fail::Form(st));
        }
    };
    apply_fix(state, actor, p, map_id, fix, &st).await
}

/// The flagged rows of a map's latest check.
async fn flagged_of(
    state: &AppState,
    actor: &Actor<'_>,
    p: &Project,
    draft: &ImportDraft,
) -> Result<std::sync::Arc<flagged::Flagged>, ApiError> {
    let ws = actor.ws();
    let report = imports::load_report(&state.app, ws, &p.id, &draft.report).await?;
    Ok(imports::load_flagged(&state.app, ws, &p.id, &report).await?)
}

/// What a transform would change on the rows the decision is for.
async fn preview(
    state: &AppState,
    actor: &Actor<'_>,
    p: &Project,
    map_id: u32,
    form: &FormData,
) -> Result<finishline_data::Preview, Vec<(String, String)>> {
    let one = |f: &str, m: &str| vec![(f.to_string(), m.to_string())];
    let Some(draft) = p.data_map(map_id).and_then(|m| m.draft.as_ref()) else {
        return Err(one("rows", "upload a file first"));
    };
    let flagged = flagged_of(state, actor, p, draft)
        .await
        .map_err(|e| one("rows", &e.to_string()))?;
    let (field, op) = transform_of(form, &flagged)?;
    if form.get("scope") == "all" {
        return preview_file(state, actor, p, map_id, draft, field, op)
            .await
            .map_err(|e| match e {
                finishline_app::AppError::BadInput { field, message } => one(&field, &message),
                other => one("rows", &other.to_string()),
            });
    }
    let op = op.compile().map_err(|m| one("find", &m))?;
    let fi = flagged
        .fields
        .iter()
        .position(|f| *f == field)
        .unwrap_or_default();
    let mut pv = finishline_data::Preview::default();
    for h in chosen_hits(form, &flagged) {
        let v = flagged
            .rows
            .get(&h.row)
            .and_then(|c| c.get(fi))
            .map(String::as_str)
            .unwrap_or("");
        pv.add(h.row, v, op.apply(v));
    }
    Ok(pv)
}

/// What a transform would change over every row of the upload, with the fixes so far.
async fn preview_file(
    state: &AppState,
    actor: &Actor<'_>,
    p: &Project,
    map_id: u32,
    draft: &ImportDraft,
    field: String,
    op: TransformOp,
) -> Result<finishline_data::Preview, finishline_app::AppError> {
    let ws = actor.ws();
    let mref = p
        .data_map(map_id)
        .ok_or_else(|| finishline_app::AppError::not_found("the data map"))?;
    let dm = imports::load_map(&state.app, ws, &p.id, &mref.file).await?;
    let fixes = imports::fixes_from_values(&draft.fixes, &dm)?;
    let body = imports::project_file(&state.app, ws, &p.id, &draft.upload, "file").await?;
    imports::preview_transform(&state.app, &draft.name, body, dm, fixes, field, op).await
}

/// The column and operation of a transform named in a form.
fn transform_of(
    form: &FormData,
    flagged: &flagged::Flagged,
) -> Result<(String, TransformOp), Vec<(String, String)>> {
    let field = form.get("set_field").to_string();
    if !flagged.fields.contains(&field) {
        return Err(vec![(
            "field".into(),
            "choose a column of the data map".into(),
        )]);
    }
    let op = match form.get("op") {
        "trim" => TransformOp::Trim,
        "upper" => TransformOp::Upper,
        "lower" => TransformOp::Lower,
        "title" => TransformOp::Title,
        _ => TransformOp::Replace {
            find: form.get("find").to_string(),
            replace: form.get("replace").to_string(),
            regex: form.has("regex"),
        },
    };
    Ok((field, op))
}

/// The rows a grid decision is for: the ticked ones, one edited cell's, or all the filter shows.
fn chosen_hits(form: &FormData, flagged: &flagged::Flagged) -> Vec<flagged::Hit> {
    let (filter, _) = data_grid::filter_from(|k| form.get(k).to_string());
    let cell_row = form
        .get("cell")
        .split_once(':')
        .and_then(|(r, _)| r.parse::<u64>().ok());
    let ticked: Vec<u64> = match cell_row {
        Some(r) => vec![r],
        None if form.get("scope") == "ticked" => form
            .all("row")
            .iter()
            .filter_map(|r| r.parse().ok())
            .collect(),
        None => return flagged.matching(&filter),
    };
    let shown = flagged.matching(&filter);
    ticked
        .into_iter()
        .map(|row| match shown.iter().find(|h| h.row == row) {
            Some(h) => h.clone(),
            None => flagged::Hit {
                row,
                items: flagged
                    .items
                    .iter()
                    .enumerate()
                    .filter(|(_, i)| i.row == row)
                    .map(|(k, _)| k)
                    .collect(),
            },
        })
        .collect()
}

/// Column names typed as a list: "first_name, last_name".
fn names(list: &str) -> Vec<String> {
    list.split(',')
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .collect()
}

/// The fix a grid decision makes, or the error of each field that is wrong.
fn grid_fix(
    form: &FormData,
    flagged: &flagged::Flagged,
    who: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Fix, Vec<(String, String)>> {
    let one = |f: &str, m: String| vec![(f.to_string(), m)];
    let hits = chosen_hits(form, flagged);
    let value = form
        .fields
        .iter()
        .find(|(k, _)| k == "value")
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default();
    let whole_file_kinds = ["transform", "split", "join"];
    if form.get("scope") == "all"
        && !whole_file_kinds.contains(&form.get("decision"))
        && !form.has("cell")
    {
        return Err(one(
            "rows",
            "every row of the file is for a transform, a split or a join: choose the rows this filter shows, or tick rows"
                .into(),
        ));
    }
    let (decision, why) = if let Some((_, field)) = form.get("cell").split_once(':') {
        (
            Decision::Set {
                field: field.to_string(),
                value,
            },
            "corrected",
        )
    } else {
        match form.get("decision") {
            "set" => (
                Decision::Set {
                    field: form.get("set_field").to_string(),
                    value,
                },
                "corrected",
            ),
            "exclude" => (Decision::Exclude, "excluded for follow-up"),
            "accept" => (Decision::Accept, "accepted as is"),
            "suggest" => (Decision::Suggestions, "suggested correction taken"),
            "transform" => {
                let (field, op) = transform_of(form, flagged)?;
                let every_row = form.get("scope") == "all";
                (
                    Decision::Transform {
                        field,
                        op,
                        every_row,
                    },
                    "transformed",
                )
            }
            "split" => (
                Decision::Split {
                    from: form.get("set_field").to_string(),
                    pattern: form.get("pattern").to_string(),
                    into: names(form.get("parts")),
                    every_row: form.get("scope") == "all",
                },
                "split",
            ),
            "join" => (
                Decision::Join {
                    from: names(form.get("parts")),
                    separator: form
                        .fields
                        .iter()
                        .find(|(k, _)| k == "separator")
                        .map(|(_, v)| v.clone())
                        .unwrap_or_else(|| " ".into()),
                    into: form.get("set_field").to_string(),
                    every_row: form.get("scope") == "all",
                },
                "joined",
            ),
            "merge" => (
                Decision::Merge(Keep::parse(form.get("keep")).unwrap_or(Keep::First)),
                "duplicates merged",
            ),
            "keep" => (Decision::KeepAll, "different records"),
            _ => return Err(one("decision", "choose a decision".into())),
        }
    };
    let action = flagged::decide(flagged, &hits, &decision).map_err(|e| match e {
        finishline_app::AppError::BadInput { field, message } => one(&field, message),
        other => one("decision", other.to_string()),
    })?;
    let typed = form.get("why").trim();
    Ok(Fix {
        action,
        who: who.to_string(),
        why: if typed.is_empty() {
            why.to_string()
        } else {
            typed.to_string()
        },
        at: Some(now.to_rfc3339()),
    })
}
