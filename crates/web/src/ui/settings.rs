//! Workspace settings: members and roles, API tokens (a new secret is shown once), single
//! sign-on, and the CRM webhook secret. Changing members, SSO and the webhook is for admins.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use finishline_store::credentials::{hash_password, password_problem};
use finishline_store::{MemberChange, SsoSettings, SsoSettingsRefused, StoreError, User, UserRole};
use maud::{html, Markup};

use crate::auth::sso::{self, settings as sso_check, settings::SsoInput};
use crate::state::AppState;
use crate::ui::actions::see_other;
use crate::ui::form::{html as html_response, page_status, FormData, FormState};
use crate::ui::layout::{self, Fields, Nav};
use crate::ui::session::Vendor;

/// An admin's forms for one member: the role, and removal (behind a second click, as it signs
/// them out everywhere). Their refusals are said at the top of the page.
fn member_actions(u: &User, v: &Vendor, csrf: &str) -> Markup {
    let other = match u.role {
        UserRole::Admin => UserRole::Member,
        UserRole::Member => UserRole::Admin,
    };
    html! {
        form method="post" action=(format!("/settings/members/{}/role", u.id)) class="inline" {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="role" value=(other.as_str());
            button type="submit" class="link" { "Make " (other.as_str()) }
        }
        @if u.id != v.user.id {
            details class="inline" {
                summary { "Remove…" }
                form method="post" action=(format!("/settings/members/{}/remove", u.id)) class="inline" {
                    input type="hidden" name="csrf" value=(csrf);
                    button type="submit" class="danger" { "Remove " (u.name) " and sign them out" }
                }
            }
        }
    }
}

async fn render(state: &AppState, v: &Vendor, st: FormState, flash: Option<Markup>) -> Response {
    let ws = v.workspace();
    let (users, tokens, workspace) = match (
        state.app.store.users(ws).await,
        state.app.store.api_tokens(ws).await,
        state.app.store.workspace(ws).await,
    ) {
        (Ok(u), Ok(t), Ok(Some(w))) => (u, t, w),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
            return layout::internal(&e.to_string())
        }
        (_, _, Ok(None)) => return layout::not_found("The workspace"),
    };
    let sso = if v.is_admin() {
        match state.app.store.sso_settings(ws).await {
            Ok(s) => s,
            Err(e) => return layout::internal(&e.to_string()),
        }
    } else {
        None
    };
    let trail = if v.is_admin() {
        let filter = finishline_store::AuditFilter {
            limit: 50,
            ..Default::default()
        };
        match state.app.store.audit_trail(ws, &filter).await {
            Ok(t) => t,
            Err(e) => return layout::internal(&e.to_string()),
        }
    } else {
        Vec::new()
    };
    let name_of = |id: &str| {
        users
            .iter()
            .find(|u| u.id == id)
            .map_or_else(|| id.to_string(), |u| u.name.clone())
    };
    let fm = Fields::new(Some(&st), "member");
    let ft = Fields::new(Some(&st), "token");
    let csrf = v.csrf.as_str();
    let body = html! {
        @if let Some(fl) = flash { div class="flash" role="status" { (fl) } }
        h1 { "Settings · " (workspace.name) }
        p { a href="/outbox" { "Outbox: every email and webhook call, sent or waiting" } }
        section id="members" aria-labelledby="members-h" {
            h2 id="members-h" { "Members" }
            div class="table-wrap" { table {
                thead { tr {
                    th scope="col" { "Name" } th scope="col" { "Email" } th scope="col" { "Role" }
                    @if v.is_admin() { th scope="col" { "Change" } }
                } }
                tbody { @for u in &users { tr {
                    td data-label="Name" { (u.name) @if u.id == v.user.id { " " span class="muted small" { "(you)" } } }
                    td data-label="Email" { (u.email) }
                    td data-label="Role" { (u.role.as_str()) }
                    @if v.is_admin() { td data-label="Change" { (member_actions(u, v, csrf)) } }
                } } }
            } }
            @if v.is_admin() {
                form method="post" action="/settings/members" class="action" {
                    (fm.hidden(csrf))
                    (fm.message())
                    h3 { "Add a member" }
                    div class="row" {
                        (fm.input("name", "Name", "text", "", true))
                        (fm.input("email", "Email", "email", "", true))
                        (fm.input("password", "First password (10+ characters)", "password", "", true))
                        (fm.select("role", "Role", &[("member".into(), "member".into()), ("admin".into(), "admin".into())], "member"))
                    }
                    button type="submit" { "Add member" }
                }
            } @else {
                p class="muted small" { "Only an admin adds members." }
            }
        }
        section id="tokens" aria-labelledby="tokens-h" {
            h2 id="tokens-h" { "API tokens" }
            ul { @for t in &tokens { li {
                strong { (t.name) } " — " (name_of(&t.user_id)) ", created " (t.created_at.date_naive())
                @if t.revoked_at.is_some() { " " span class="badge" { "revoked" } } @else if v.is_admin() || t.user_id == v.user.id {
                    form method="post" action=(format!("/settings/tokens/{}/revoke", t.id)) class="inline" {
                        input type="hidden" name="csrf" value=(csrf);
                        " " button type="submit" class="link" { "Revoke" }
                    }
                }
            } } }
            form method="post" action="/settings/tokens" class="action" {
                (ft.hidden(csrf))
                (ft.message())
                (ft.input("name", "What the token is for", "text", "", true))
                button type="submit" { "Create token" }
            }
        }
        @if v.is_admin() {
            section id="audit" aria-labelledby="audit-h" {
                h2 id="audit-h" { "Audit trail" }
                p class="muted small" {
                    "Sign-ins, members and roles, API tokens, settings, portal invitations and exports, newest first. "
                    a href="/api/v1/audit?format=csv&limit=10000" download="audit-trail.csv" { "Download the trail (CSV)" }
                    " · filter it with the API: " code { "GET /api/v1/audit?kind=member" }
                }
                @if trail.is_empty() {
                    p { "Nothing recorded yet." }
                } @else {
                    div class="table-wrap" { table {
                        thead { tr {
                            th scope="col" { "When (UTC)" } th scope="col" { "Who" } th scope="col" { "What" } th scope="col" { "From" }
                        } }
                        tbody { @for e in &trail { tr {
                            td data-label="When (UTC)" { (e.at.format("%Y-%m-%d %H:%M")) }
                            td data-label="Who" { (e.actor) }
                            td data-label="What" {
                                (audit_words(&e.kind))
                                @if let Some(about) = audit_subject(&e.detail) { ": " (about) }
                                " " span class="muted small" { (e.kind) }
                            }
                            td data-label="From" { (e.client_address.as_deref().unwrap_or("—")) }
                        } } }
                    } }
                }
            }
            (sso_section(state, sso.as_ref(), &st, csrf))
            section id="webhook" aria-labelledby="webhook-h" {
                h2 id="webhook-h" { "CRM webhook" }
                p { "Deliveries go to " code { "/api/v1/webhooks/crm/" (workspace.id) } ", signed with HMAC-SHA256." }
                label for="whsec" { "Signing secret" }
                input id="whsec" class="secret" type="text" readonly value=(workspace.webhook_secret);
                p {
                    "Salesforce Outbound Messages (not signed by Salesforce) go to "
                    code { (crate::secrets::outbound_path(&workspace.id, &workspace.webhook_secret)) }
                    "; rotating the secret changes this address."
                }
                form method="post" action="/settings/webhook/rotate" class="action" {
                    input type="hidden" name="csrf" value=(csrf);
                    button type="submit" class="secondary" { "Rotate the secret" }
                }
            }
        }
    };
    html_response(
        page_status(&st),
        layout::page(
            "Settings",
            Nav::Settings,
            &v.user.name,
            csrf,
            layout::with_refusal(&st, body),
        ),
    )
}

/// Whom or what an event touched, from its detail: a member's email, a token's name, a
/// project, an export.
fn audit_subject(detail: &serde_json::Value) -> Option<String> {
    ["email", "name", "what", "project_id", "url", "role"]
        .iter()
        .find_map(|k| detail.get(*k).and_then(|v| v.as_str()))
        .map(str::to_string)
}

/// An audit event's kind in words, for the page (the API keeps the kind).
fn audit_words(kind: &str) -> &'static str {
    use finishline_store::audit::kind as k;
    match kind {
        k::SIGN_IN_SUCCEEDED => "Signed in",
        k::SIGN_IN_FAILED => "Sign-in refused",
        k::PORTAL_JOINED => "Customer opened the portal",
        k::LINK_REFUSED => "Link refused",
        k::LOCKOUT_STARTED => "Locked out after failures",
        k::REQUEST_THROTTLED => "Request throttled",
        k::MEMBER_ADDED => "Member added",
        k::MEMBER_ROLE_CHANGED => "Role changed",
        k::MEMBER_REMOVED => "Member removed",
        k::TOKEN_CREATED => "API token created",
        k::TOKEN_REVOKED => "API token revoked",
        k::WEBHOOK_SECRET_ROTATED => "CRM webhook secret rotated",
        k::WEBHOOK_ENDPOINT_ADDED => "Outbound webhook added",
        k::WEBHOOK_ENDPOINT_DISABLED => "Outbound webhook disabled",
        k::NOTIFY_SETTINGS_CHANGED => "Notification settings changed",
        k::SSO_SETTINGS_CHANGED => "Single sign-on settings changed",
        k::PORTAL_INVITED => "Customer invited to the portal",
        k::PORTAL_INVITATION_REPLACED => "Portal invitation replaced",
        k::PORTAL_INVITATION_REVOKED => "Portal invitation revoked",
        k::EXPORT_DOWNLOADED => "Data exported",
        k::BACKUP_WRITTEN => "Backup written",
        _ => "Other",
    }
}

pub async fn page(State(state): State<AppState>, v: Vendor) -> Response {
    render(&state, &v, FormState::default(), None).await
}

pub async fn add_member(State(state): State<AppState>, v: Vendor, form: FormData) -> Response {
    if let Err(r) = form.check_csrf(&v.csrf) {
        return r;
    }
    if !v.is_admin() {
        return layout::error_page(
            StatusCode::FORBIDDEN,
            "Admins only",
            "Only a workspace admin adds members.",
        );
    }
    let mut st = FormState::new(&form);
    st.form = "member".into();
    let name = form.get("name").to_string();
    let email = form.get("email").to_string();
    let password = form
        .fields
        .iter()
        .find(|(k, _)| k == "password")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    if name.is_empty() {
        st.field("name", "Name is required");
    }
    if !finishline_core::people::valid_email(&email) {
        st.field("email", format!("{email:?} is not an email address"));
    }
    if let Some(p) = password_problem(&password) {
        st.field("password", format!("the password {p}"));
    }
    let role = UserRole::parse(form.get("role")).unwrap_or(UserRole::Member);
    if !st.errors.is_empty() {
        st.message = Some("Some fields need fixing.".into());
        return render(&state, &v, st, None).await;
    }
    let hash = match tokio::task::spawn_blocking(move || hash_password(&password)).await {
        Ok(Ok(h)) => h,
        Ok(Err(e)) => return layout::internal(&e),
        Err(e) => return layout::internal(&e.to_string()),
    };
    match state
        .app
        .store
        .create_user(v.workspace(), &email, &name, &hash, role, &v.by(&state))
        .await
    {
        Ok(_) => see_other("/settings#members"),
        Err(StoreError::Duplicate(_)) => {
            st.field("email", "a member with this email already exists");
            st.message = Some("This email is taken.".into());
            render(&state, &v, st, None).await
        }
        Err(e) => layout::internal(&e.to_string()),
    }
}

pub async fn create_token(State(state): State<AppState>, v: Vendor, form: FormData) -> Response {
    if let Err(r) = form.check_csrf(&v.csrf) {
        return r;
    }
    let mut st = FormState::new(&form);
    st.form = "token".into();
    let name = form.get("name");
    if name.is_empty() {
        st.field("name", "say what the token is for");
        st.message = Some("The token needs a name.".into());
        return render(&state, &v, st, None).await;
    }
    match state
        .app
        .store
        .create_api_token(&v.user, name, &v.by(&state))
        .await
    {
        Ok((t, secret)) => {
            let flash = html! {
                p { "Token " strong { (t.name) } " created. Copy the secret now: it is shown only once." }
                label for="new-token" class="sr-only" { "Token secret" }
                input id="new-token" class="secret" type="text" readonly value=(secret);
            };
            render(&state, &v, FormState::default(), Some(flash)).await
        }
        Err(e) => layout::internal(&e.to_string()),
    }
}

pub async fn revoke_token(
    State(state): State<AppState>,
    v: Vendor,
    Path(id): Path<String>,
    form: FormData,
) -> Response {
    if let Err(r) = form.check_csrf(&v.csrf) {
        return r;
    }
    let tokens = match state.app.store.api_tokens(v.workspace()).await {
        Ok(t) => t,
        Err(e) => return layout::internal(&e.to_string()),
    };
    let Some(t) = tokens.iter().find(|t| t.id == id) else {
        return layout::not_found(&format!("Token {id}"));
    };
    if !(v.is_admin() || t.user_id == v.user.id) {
        return layout::error_page(
            StatusCode::FORBIDDEN,
            "Not yours",
            "Only an admin or the token's own member revokes it.",
        );
    }
    match state
        .app
        .store
        .revoke_api_token(v.workspace(), &id, &v.by(&state))
        .await
    {
        Ok(_) => see_other("/settings#tokens"),
        Err(e) => layout::internal(&e.to_string()),
    }
}

pub async fn rotate_webhook(State(state): State<AppState>, v: Vendor, form: FormData) -> Response {
    if let Err(r) = form.check_csrf(&v.csrf) {
        return r;
    }
    if !v.is_admin() {
        return layout::error_page(
            StatusCode::FORBIDDEN,
            "Admins only",
            "Only a workspace admin rotates the webhook secret.",
        );
    }
    match state
        .app
        .store
        .rotate_webhook_secret(v.workspace(), &v.by(&state))
        .await
    {
        Ok(_) => see_other("/settings#webhook"),
        Err(e) => layout::internal(&e.to_string()),
    }
}

/// The single sign-on form: the provider, who may join, and whether passwords still work.
fn sso_section(state: &AppState, sso: Option<&SsoSettings>, st: &FormState, csrf: &str) -> Markup {
    let f = Fields::new(Some(st), "sso");
    let domains = sso
        .map(|s| s.allowed_domains.join(", "))
        .unwrap_or_default();
    let role = sso.map_or("member", |s| s.new_member_role.as_str());
    let roles = [
        ("member".to_string(), "member".to_string()),
        ("admin".to_string(), "admin".to_string()),
    ];
    let secret_label = if sso.is_some() {
        "Client secret (stored; leave empty to keep it)"
    } else {
        "Client secret"
    };
    html! {
        section id="sso" aria-labelledby="sso-h" {
            h2 id="sso-h" { "Single sign-on (OpenID Connect)" }
            p {
                "Register Finishline with your identity provider (Google Workspace, Entra ID, Okta…) as a web application with this redirect URI: "
                code { (sso::redirect_uri(state)) }
                ". Members then use " strong { "Sign in with SSO" } " on the sign-in page."
            }
            @match sso {
                Some(s) if s.enabled => p { span class="badge" { "on" } " Signing in through " (s.issuer)
                    @if s.require_sso { "; passwords refused except for " (s.break_glass_email.as_deref().unwrap_or("nobody")) } "." },
                Some(_) => p { span class="badge" { "off" } " Settings kept; nobody signs in with them." },
                None => p class="muted" { "Not set up." },
            }
            form method="post" action="/settings/sso" class="action" {
                (f.hidden(csrf))
                (f.message())
                (f.checkbox("enabled", "Sign in with SSO is on", sso.is_none_or(|s| s.enabled)))
                (f.input("issuer", "Issuer URL", "url", sso.map_or("", |s| s.issuer.as_str()), true))
                (f.input("client_id", "Client id", "text", sso.map_or("", |s| s.client_id.as_str()), true))
                (f.input("client_secret", secret_label, "password", "", sso.is_none()))
                (f.input("allowed_domains", "Email domains that may join on first sign-in (comma-separated)", "text", &domains, false))
                (f.select("new_member_role", "Role of people who join", &roles, role))
                (f.checkbox("require_sso", "Require SSO: refuse passwords to everyone but the break-glass admin", sso.is_some_and(|s| s.require_sso)))
                (f.input("break_glass_email", "Break-glass admin (an admin's email; keeps their password)", "email", sso.and_then(|s| s.break_glass_email.as_deref()).unwrap_or(""), false))
                button type="submit" { "Save single sign-on" }
            }
        }
    }
}

pub async fn save_sso(State(state): State<AppState>, v: Vendor, form: FormData) -> Response {
    if let Err(r) = form.check_csrf(&v.csrf) {
        return r;
    }
    if !v.is_admin() {
        return layout::error_page(
            StatusCode::FORBIDDEN,
            "Admins only",
            "Only a workspace admin sets up single sign-on.",
        );
    }
    let mut st = FormState::new(&form);
    st.form = "sso".into();
    let input = SsoInput {
        enabled: form.has("enabled"),
        issuer: form.get("issuer").to_string(),
        client_id: form.get("client_id").to_string(),
        client_secret: Some(form.get("client_secret").to_string()),
        allowed_domains: form
            .get("allowed_domains")
            .split([',', ' ', '\n'])
            .filter(|d| !d.trim().is_empty())
            .map(str::to_string)
            .collect(),
        new_member_role: form.get("new_member_role").to_string(),
        require_sso: form.has("require_sso"),
        break_glass_email: Some(form.get("break_glass_email").to_string()),
    };
    let new = match sso_check::check(&input) {
        Ok(n) => n,
        Err(problems) => {
            for (field, why) in problems {
                st.field(field, why);
            }
            st.message = Some("Single sign-on was not saved: some fields need fixing.".into());
            return render(&state, &v, st, None).await;
        }
    };
    match state
        .app
        .store
        .put_sso_settings(v.workspace(), &new, &v.by(&state))
        .await
    {
        Ok(Ok(_)) => see_other("/settings#sso"),
        Ok(Err(refused)) => {
            let (field, why) = match refused {
                SsoSettingsRefused::SecretMissing => (
                    "client_secret",
                    "the first set-up needs the client secret the provider gave".to_string(),
                ),
                SsoSettingsRefused::DomainTaken(d) => (
                    "allowed_domains",
                    format!("{d} belongs to another workspace of this server"),
                ),
                SsoSettingsRefused::BreakGlassNotAdmin(e) => (
                    "break_glass_email",
                    format!(
                        "{} is not an admin of this workspace with a password",
                        e.unwrap_or_default()
                    ),
                ),
            };
            st.field(field, why);
            st.message = Some("Single sign-on was not saved: some fields need fixing.".into());
            render(&state, &v, st, None).await
        }
        Err(e) => layout::internal(&e.to_string()),
    }
}

/// A post that changes members: the form's token first, then only an admin may.
fn admin_post(v: &Vendor, form: &FormData) -> Result<(), Response> {
    form.check_csrf(&v.csrf)?;
    if !v.is_admin() {
        return Err(layout::error_page(
            StatusCode::FORBIDDEN,
            "Admins only",
            "Only a workspace admin changes members.",
        ));
    }
    Ok(())
}

/// Says why a member change was refused, at the top of the settings page.
async fn member_refused(state: &AppState, v: &Vendor, form: &FormData, why: &str) -> Response {
    let mut st = FormState::new(form);
    st.form.clear();
    st.message = Some(why.to_string());
    render(state, v, st, None).await
}

pub async fn set_member_role(
    State(state): State<AppState>,
    v: Vendor,
    Path(id): Path<String>,
    form: FormData,
) -> Response {
    if let Err(r) = admin_post(&v, &form) {
        return r;
    }
    let Some(role) = UserRole::parse(form.get("role")) else {
        let why = format!(
            "{:?} is not a role: choose admin or member",
            form.get("role")
        );
        return member_refused(&state, &v, &form, &why).await;
    };
    let done = state
        .app
        .store
        .set_user_role(v.workspace(), &id, role, &v.by(&state))
        .await;
    member_changed(&state, &v, &form, &id, done).await
}

pub async fn remove_member(
    State(state): State<AppState>,
    v: Vendor,
    Path(id): Path<String>,
    form: FormData,
) -> Response {
    if let Err(r) = admin_post(&v, &form) {
        return r;
    }
    if id == v.user.id {
        let why = "you cannot remove yourself: another admin can";
        return member_refused(&state, &v, &form, why).await;
    }
    let done = state
        .app
        .store
        .remove_user(v.workspace(), &id, &v.by(&state))
        .await;
    member_changed(&state, &v, &form, &id, done).await
}

/// The answer to a member change: back to the members, or why not.
async fn member_changed(
    state: &AppState,
    v: &Vendor,
    form: &FormData,
    id: &str,
    done: Result<MemberChange, StoreError>,
) -> Response {
    match done {
        Ok(MemberChange::Done) => see_other("/settings#members"),
        Ok(MemberChange::NotFound) => layout::not_found(&format!("Member {id}")),
        Ok(MemberChange::LastAdmin) => {
            let why = "this is the workspace's only admin: make another member an admin first";
            member_refused(state, v, form, why).await
        }
        Err(e) => layout::internal(&e.to_string()),
    }
}
