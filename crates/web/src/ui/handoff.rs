//! The handoff form for sales: what was sold, each promise with its class, champion, timeline,
//! segment, contract date and playbook. "Review" shows the over-promise review without creating
//! anything; "Create project" creates it through `finishline_app::handoffs::import_handoff`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use finishline_core::handoff::{PromiseClass, Segment};
use finishline_core::people::{Role, Side};
use finishline_core::playbook::builtin;
use maud::{html, Markup};

use crate::error::ApiError;
use crate::state::AppState;
use crate::ui::form::{
    html as html_response, redirect_with_flash, Flash, FormData, FormState, Parse,
};
use crate::ui::layout::{self, Fields, Nav};
use crate::ui::session::Vendor;
use finishline_app::handoffs::{import_handoff, NewHandoff, NewOwner, NewPromise};

const PROMISE_ROWS: usize = 5;

/// The customer's people the handoff can name, each added to the project with its role.
const CONTACTS: [(&str, &str, Role); 3] = [
    ("owner", "Customer owner", Role::CustomerOwner),
    ("dm", "Decision maker", Role::DecisionMaker),
    ("backup", "Backup contact", Role::BackupContact),
];

fn classes() -> Vec<(String, String)> {
    [
        ("unclassified", "not yet classified"),
        ("standard", "standard"),
        ("phase_two", "phase two"),
        ("needs_custom_work", "needs custom work"),
        ("not_offered", "not offered"),
    ]
    .iter()
    .map(|(a, b)| ((*a).to_string(), (*b).to_string()))
    .collect()
}

fn parse_class(s: &str) -> Option<PromiseClass> {
    serde_json::from_value(serde_json::Value::String(s.to_string())).ok()
}

fn promises(form: &FormData) -> Vec<(String, String)> {
    (0..PROMISE_ROWS)
        .map(|i| {
            (
                form.get(&format!("promise_{i}")).to_string(),
                form.get(&format!("class_{i}")).to_string(),
            )
        })
        .filter(|(t, _)| !t.is_empty())
        .collect()
}

fn markup(
    state: &AppState,
    v: &Vendor,
    st: &FormState,
    playbooks: &[(String, String)],
    review: Option<Markup>,
) -> Markup {
    let f = Fields::new(Some(st), "handoff");
    let today = state.now().date_naive().to_string();
    html! {
        h1 { "New handoff" }
        p class="muted" { "Sales hands the deal over: what was sold and every promise made. Anything but a standard promise is an over-promise to resolve before kickoff." }
        @if let Some(r) = review { (r) }
        form method="post" action="/handoff" class="action wide" {
            (f.hidden(&v.csrf))
            (f.message())
            div class="row" {
                (f.input("customer", "Customer", "text", "", true))
                (f.input("name", "Project name (optional)", "text", "", false))
            }
            (f.textarea("sold", "What was sold, in the contract's words", "", true))
            fieldset {
                legend { "Promises made during the sale" }
                @for i in 0..PROMISE_ROWS {
                    div class="row promise" {
                        (f.input(&format!("promise_{i}"), &format!("Promise {}", i + 1), "text", "", false))
                        (f.select(&format!("class_{i}"), "Class", &classes(), "unclassified"))
                    }
                }
            }
            div class="row" {
                (f.input("champion", "Champion", "text", "", false))
                (f.input("expected_timeline", "Timeline the customer expects", "text", "", false))
                (f.input("account_executive", "Account executive", "text", &v.user.name, false))
            }
            div class="row" {
                (f.select("segment", "Segment", &[("smb".into(), "SMB".into()), ("mid_market".into(), "mid-market".into()), ("enterprise".into(), "enterprise".into())], "mid_market"))
                (f.select("playbook", "Playbook", playbooks, ""))
                (f.input("contract_date", "Contract date", "date", &today, true))
                (f.input("start_date", "Plan starts", "date", &today, false))
            }
            div class="row" {
                (f.input("owner_name", "Implementation owner", "text", &v.user.name, false))
                (f.input("owner_email", "Owner's email", "email", &v.user.email, false))
            }
            fieldset {
                legend { "The customer's people, if sales knows them (kickoff needs all three)" }
                @for (key, label, _) in CONTACTS {
                    div class="row" {
                        (f.input(&format!("contact_{key}_name"), &format!("{label}: name"), "text", "", false))
                        (f.input(&format!("contact_{key}_email"), &format!("{label}: email"), "email", "", false))
                    }
                }
            }
            div class="buttons" {
                button type="submit" name="review" value="1" class="secondary" { "Review promises" }
                button type="submit" { "Create project" }
            }
        }
    }
}

async fn playbook_options(state: &AppState, ws: &str) -> Result<Vec<(String, String)>, Response> {
    let own = state
        .app
        .store
        .playbooks(ws)
        .await
        .map_err(|e| layout::internal(&e.to_string()))?;
    let mut v = vec![(String::new(), "the segment's default".to_string())];
    v.extend(
        builtin()
            .into_iter()
            .map(|p| (p.key, format!("{} (built in)", p.name))),
    );
    v.extend(own.into_iter().map(|s| (s.key, s.playbook.name)));
    Ok(v)
}

async fn render(state: &AppState, v: &Vendor, st: FormState, review: Option<Markup>) -> Response {
    let pbs = match playbook_options(state, v.workspace()).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let status = if st.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    html_response(
        status,
        layout::page(
            "New handoff",
            Nav::Handoff,
            &v.user.name,
            &v.csrf,
            markup(state, v, &st, &pbs, review),
        ),
    )
}

pub async fn page(State(state): State<AppState>, v: Vendor) -> Response {
    render(&state, &v, FormState::default(), None).await
}

pub async fn submit(State(state): State<AppState>, v: Vendor, form: FormData) -> Response {
    if let Err(r) = form.check_csrf(&v.csrf) {
        return r;
    }
    let mut st = FormState::new(&form);
    st.form = "handoff".into();
    let mut p = Parse::default();
    let customer = p.text(&form, "customer", "Customer");
    let sold = p.text(&form, "sold", "What was sold");
    let contract_date = p.date(&form, "contract_date", "Contract date");
    let start_date = p.opt_date(&form, "start_date", "Plan start");
    let segment: Segment =
        serde_json::from_value(serde_json::Value::String(form.get("segment").to_string()))
            .unwrap_or_default();
    let mut list = Vec::new();
    for i in 0..PROMISE_ROWS {
        let text = form.get(&format!("promise_{i}"));
        if text.is_empty() {
            continue;
        }
        match parse_class(form.get(&format!("class_{i}"))) {
            Some(class) => list.push(NewPromise {
                text: text.to_string(),
                class,
            }),
            None => p
                .errors
                .push((format!("class_{i}"), "choose a class".into())),
        }
    }
    let owner = match (form.get("owner_name"), form.get("owner_email")) {
        ("", "") => None,
        (n, e) => {
            if n.is_empty() {
                p.errors.push((
                    "owner_name".into(),
                    "name the owner, or leave both owner fields empty".into(),
                ));
            }
            if !finishline_core::people::valid_email(e) {
                p.errors.push((
                    "owner_email".into(),
                    format!("{e:?} is not an email address"),
                ));
            }
            Some(NewOwner {
                name: n.to_string(),
                email: e.to_string(),
            })
        }
    };
    let mut contacts = Vec::new();
    for (key, label, role) in CONTACTS {
        let (name_f, email_f) = (
            format!("contact_{key}_name"),
            format!("contact_{key}_email"),
        );
        let (name, email) = (form.get(&name_f), form.get(&email_f));
        match (name.is_empty(), email.is_empty()) {
            (true, true) => continue,
            (true, false) => p
                .errors
                .push((name_f, format!("name the {}", label.to_lowercase()))),
            (false, _) if !finishline_core::people::valid_email(email) => p.errors.push((
                email_f,
                format!("{label}: {email:?} is not an email address"),
            )),
            _ => contacts.push(finishline_core::Command::AddPerson {
                name: name.to_string(),
                email: email.to_string(),
                side: Side::Customer,
                role,
                user_id: None,
            }),
        }
    }
    if form.has("review") {
        let rows = promises(&form);
        let review = html! {
            div class="card review" role="status" {
                h2 { "Over-promise review" }
                @if rows.is_empty() { p { "No promises listed." } }
                ul { @for (t, c) in &rows {
                    @let over = parse_class(c).is_none_or(|c| c.is_over_promise());
                    li { (t) " — " span class=(if over { "badge warn" } else { "badge ok" }) { (c.replace('_', " ")) }
                        @if over { " must be resolved before kickoff (into scope with a plan, later with the customer's acknowledgement, or declined)" } }
                } }
            }
        };
        st.form = String::new();
        let mut keep = FormState::new(&form);
        keep.form = "handoff".into();
        // Keep the values without marking the form refused.
        return render_values(&state, &v, keep, review).await;
    }
    let (Some(contract_date), true) = (contract_date, p.ok()) else {
        st.errors.extend(p.errors);
        st.message = Some("Some fields need fixing; see below each one.".into());
        return render(&state, &v, st, None).await;
    };
    let h = NewHandoff {
        name: Some(form.get("name").to_string()).filter(|n| !n.is_empty()),
        customer,
        sold,
        promises: list,
        champion: form.get("champion").to_string(),
        expected_timeline: form.get("expected_timeline").to_string(),
        segment,
        contract_date,
        account_executive: form.get("account_executive").to_string(),
        playbook: Some(form.get("playbook").to_string()).filter(|k| !k.is_empty()),
        playbook_version: None,
        owner,
        start_date,
    };
    let ctx = finishline_core::command::Ctx {
        actor: format!("{} (vendor)", v.user.name),
        person: None,
        side: finishline_core::people::Side::Vendor,
        now: state.now(),
    };
    match import_handoff(&state.app.store, v.workspace(), h, &ctx).await {
        Ok(p) => {
            // The customer's people named in the handoff, each with its role.
            let mut not_added = Vec::new();
            for c in &contacts {
                let user = v.user.clone();
                let now = state.now();
                if let Err(e) = finishline_app::commands::run_command(
                    &state.app.store,
                    v.workspace(),
                    &p.id,
                    c,
                    |pr| finishline_app::commands::member_ctx(&user, pr, now),
                )
                .await
                {
                    if let finishline_core::Command::AddPerson { name, .. } = c {
                        not_added.push(format!("{name} was not added: {e}"));
                    }
                }
            }
            // Straight to what is next: the over-promises to resolve, or the kickoff checklist.
            let open = p
                .handoff
                .promises
                .iter()
                .filter(|x| x.is_unresolved())
                .count();
            let flash = if open > 0 {
                Flash::new(
                    "handoff",
                    format!(
                        "Project created. {open} sales promise{} to resolve before kickoff: below.",
                        if open == 1 { "" } else { "s" }
                    ),
                )
            } else {
                Flash::new(
                    "now",
                    "Project created. What kickoff still needs is listed below.",
                )
            };
            let mut flash = flash;
            if !not_added.is_empty() {
                flash.warn = Some(format!("{} Add them in People.", not_added.join("; ")));
            }
            redirect_with_flash(&state, &v.csrf, &format!("/projects/{}", p.id), flash).await
        }
        Err(e) => match st.refused(e).map(FormState::with_codes) {
            Ok(st) => render(&state, &v, st, None).await,
            Err(ApiError::Internal(m)) => layout::internal(&m),
            Err(other) => {
                layout::error_page(StatusCode::BAD_REQUEST, "Not created", &other.to_string())
            }
        },
    }
}

async fn render_values(state: &AppState, v: &Vendor, st: FormState, review: Markup) -> Response {
    let pbs = match playbook_options(state, v.workspace()).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    html_response(
        StatusCode::OK,
        layout::page(
            "New handoff",
            Nav::Handoff,
            &v.user.name,
            &v.csrf,
            markup(state, v, &st, &pbs, Some(review)),
        ),
    )
}
