//! Portal invitations from the project page: create (the link emailed to the customer person
//! through the outbox, and shown once to the member to copy), resend (a new link, the old one
//! revoked) and revoke. Each answers with a redirect to the project page's portal section and a
//! confirmation there (`form::Flash`), so the address is the project page and a reload is
//! harmless; a refusal is shown at the invitation form.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::response::Response;
use chrono::{DateTime, Utc};
use finishline_core::people::{Person, Side};
use finishline_core::Project;
use finishline_store::{invitation_mail_key, Invitation, NewMessage};

use crate::state::AppState;
use crate::ui::form::{redirect_with_flash, Flash, FormData, FormState};
use crate::ui::layout;
use crate::ui::project;
use crate::ui::session::Vendor;

/// The section of the project page the invitations live in.
pub const SECTION: &str = "portal";

fn ttl() -> chrono::Duration {
    chrono::Duration::days(crate::ui::INVITATION_DAYS)
}

/// The link as the member's browser reached this server (to copy), and as emails link to it.
fn links(state: &AppState, headers: &HeaderMap, secret: &str) -> (String, String) {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = if state.config.secure_cookies {
        "https"
    } else {
        "http"
    };
    let public = state.config.notify.public_url.trim_end_matches('/');
    (
        format!("{scheme}://{host}/portal/join/{secret}"),
        format!("{public}/portal/join/{secret}"),
    )
}

/// The invitation email, written to the outbox: delivered (and retried) like every other mail.
fn message(p: &Project, person: &Person, inv: &Invitation, from: &str, link: &str) -> NewMessage {
    NewMessage {
        channel: "email".into(),
        kind: "invitation".into(),
        dedupe_key: invitation_mail_key(&p.id, &inv.id),
        recipient: person.email.clone(),
        subject: format!("{from} invites you to the {} project portal", p.customer),
        body: format!(
            "Hello {name},\n\n\
             {from} invites you to the project portal of \"{project}\": what we need from you and \
             by when, the shared plan and the finish line.\n\n\
             Open this link to join (it works once, until {expires}):\n{link}\n\n\
             If you did not expect this email, you can ignore it.\n",
            name = person.name,
            project = p.name,
            expires = inv.expires_at.format("%-d %B %Y"),
        ),
        due_at: inv.created_at,
        attachment: None,
    }
}

/// Puts the email in the outbox and starts a delivery now rather than at the next sweep.
/// Returns what the confirmation says about the email.
async fn send(
    state: &AppState,
    vendor: &Vendor,
    p: &Project,
    person: &Person,
    inv: &Invitation,
    link: &str,
    now: DateTime<Utc>,
) -> Result<(String, Option<String>), Response> {
    let m = message(p, person, inv, &vendor.user.name, link);
    if let Err(e) = state.app.store.enqueue(vendor.workspace(), &[m], now).await {
        return Err(layout::internal(&e.to_string()));
    }
    if state.config.notify.smtp_url.is_none() {
        return Ok((
            format!("Invitation link made for {}.", person.name),
            Some(format!(
                "No mail server is configured, so it was not emailed: the email waits in the \
                 outbox. Send {} the link below yourself.",
                person.email
            )),
        ));
    }
    let s = state.clone();
    tokio::spawn(async move {
        let mut report = finishline_app::notify::SweepReport::default();
        if let Err(e) = finishline_app::notify::deliver::run(&s.app, &mut report).await {
            tracing::warn!(error = %e, "invitation email not delivered yet; the sweep retries");
        }
    });
    Ok((
        format!("Invitation emailed to {} at {}.", person.name, person.email),
        None,
    ))
}

fn customer_person<'a>(p: &'a Project, id: &str) -> Option<&'a Person> {
    id.parse::<u32>()
        .ok()
        .and_then(|pid| p.person(pid))
        .filter(|x| x.side == Side::Customer)
}

async fn project_of(state: &AppState, vendor: &Vendor, id: &str) -> Result<Project, Response> {
    match state.app.store.project(vendor.workspace(), id).await {
        Ok(Some((p, _))) => Ok(p),
        Ok(None) => Err(layout::not_found(&format!("Project {id}"))),
        Err(e) => Err(layout::internal(&e.to_string())),
    }
}

/// Creates an invitation for a customer person: emailed, and shown once to copy.
pub async fn create(
    State(state): State<AppState>,
    vendor: Vendor,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: FormData,
) -> Response {
    if let Err(r) = form.check_csrf(&vendor.csrf) {
        return r;
    }
    let p = match project_of(&state, &vendor, &id).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let mut st = FormState::new(&form);
    st.form = "invite".into();
    let Some(person) = customer_person(&p, form.get("person")) else {
        st.field("person", "choose a customer person of this project");
        st.message = Some("An invitation is for one customer person of this project.".into());
        return project::render(&state, &vendor, &id, st, None).await;
    };
    let now = state.now();
    let (inv, secret) = match state
        .app
        .store
        .create_invitation(
            vendor.workspace(),
            &id,
            person.id,
            &vendor.user.name,
            &vendor.by(&state),
            ttl(),
        )
        .await
    {
        Ok(x) => x,
        Err(e) => return layout::internal(&e.to_string()),
    };
    let (copy, mailed) = links(&state, &headers, &secret);
    let (text, warn) = match send(&state, &vendor, &p, person, &inv, &mailed, now).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let mut flash = Flash::new(SECTION, text);
    flash.warn = warn;
    flash.copy = Some(copy);
    redirect_with_flash(&state, &vendor.csrf, &format!("/projects/{id}"), flash).await
}

/// A new link for the person of an invitation, the old one revoked; emailed and shown once.
pub async fn resend(
    State(state): State<AppState>,
    vendor: Vendor,
    headers: HeaderMap,
    Path((id, old)): Path<(String, String)>,
    form: FormData,
) -> Response {
    if let Err(r) = form.check_csrf(&vendor.csrf) {
        return r;
    }
    let p = match project_of(&state, &vendor, &id).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let refuse = |message: String| {
        let mut st = FormState::new(&form);
        st.form = "invite".into();
        st.message = Some(message);
        st
    };
    let now = state.now();
    let replaced = match state
        .app
        .store
        .replace_invitation(
            vendor.workspace(),
            &id,
            &old,
            &vendor.user.name,
            &vendor.by(&state),
            ttl(),
        )
        .await
    {
        Ok(Some(x)) => x,
        Ok(None) => return layout::not_found(&format!("Invitation {old}")),
        Err(e) => return layout::internal(&e.to_string()),
    };
    let (inv, secret) = replaced;
    let Some(person) = p.person(inv.person_id).filter(|x| x.side == Side::Customer) else {
        // The person left the project (or changed side): the new link is of no use either.
        let _ = state
            .app
            .store
            .revoke_invitation(vendor.workspace(), &id, &inv.id, &vendor.by(&state))
            .await;
        let st = refuse(
            "That invitation's person is no longer a customer person of this project.".into(),
        );
        return project::render(&state, &vendor, &id, st, None).await;
    };
    let (copy, mailed) = links(&state, &headers, &secret);
    let (text, warn) = match send(&state, &vendor, &p, person, &inv, &mailed, now).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let mut flash = Flash::new(
        SECTION,
        format!("A new link replaces the old one, which no longer works. {text}"),
    );
    flash.warn = warn;
    flash.copy = Some(copy);
    redirect_with_flash(&state, &vendor.csrf, &format!("/projects/{id}"), flash).await
}

/// Revokes an invitation (and every portal session it started).
pub async fn revoke(
    State(state): State<AppState>,
    vendor: Vendor,
    Path((id, inv)): Path<(String, String)>,
    form: FormData,
) -> Response {
    if let Err(r) = form.check_csrf(&vendor.csrf) {
        return r;
    }
    let ws = vendor.workspace();
    let found = match state.app.store.invitation(ws, &id, &inv).await {
        Ok(Some(i)) => i,
        Ok(None) => return layout::not_found(&format!("Invitation {inv}")),
        Err(e) => return layout::internal(&e.to_string()),
    };
    let who = match state.app.store.project(ws, &id).await {
        Ok(Some((p, _))) => p.person_name(found.person_id),
        Ok(None) => return layout::not_found(&format!("Project {id}")),
        Err(e) => return layout::internal(&e.to_string()),
    };
    match state
        .app
        .store
        .revoke_invitation(ws, &id, &inv, &vendor.by(&state))
        .await
    {
        Ok(true) => {
            let flash = Flash::new(
                SECTION,
                format!("{who}'s invitation is revoked: the link no longer works and their portal sessions ended."),
            );
            redirect_with_flash(&state, &vendor.csrf, &format!("/projects/{id}"), flash).await
        }
        Ok(false) => {
            let flash = Flash::new(SECTION, format!("{who}'s invitation was already revoked."));
            redirect_with_flash(&state, &vendor.csrf, &format!("/projects/{id}"), flash).await
        }
        Err(e) => layout::internal(&e.to_string()),
    }
}
