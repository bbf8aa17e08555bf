//! Sign-in attempts as the throttle and the audit trail see them: passwords verified in the
//! hashing queue with a dummy hash for unknown emails, failures counted per account and per
//! address, lockouts and refusals audited (see `throttle` for the policy).

use finishline_store::audit::kind;
use finishline_store::credentials::NO_PASSWORD;
use finishline_store::{NewAuditEvent, User};
use serde_json::json;

use crate::state::AppState;
use crate::throttle::{ClientAddress, Locked, Refusal, Scope, MAX_PASSWORD_BYTES};

/// Emails longer than this are cut to it as throttling keys and in the audit trail.
const MAX_KEY_CHARS: usize = 320;

/// Verifies against this when the email is unknown, so both cases cost the same.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Zp3UDsVkzAFaa7LSM7J9bTxgJ1gGBNjYqeyxNNhbPAk";

// ---------------------------------------------------------------------------------------------
// The audit trail

/// Writes an audit event; a failure to write is logged, never shown to the caller.
pub async fn audit(state: &AppState, event: NewAuditEvent) {
    if let Err(e) = state.app.store.record_audit(&event, state.now()).await {
        tracing::error!(error = %e, audit.kind = %event.kind, "audit event not written");
    }
}

pub(super) fn event(
    ws: Option<&str>,
    actor: &str,
    kind: &str,
    detail: serde_json::Value,
    addr: &ClientAddress,
) -> NewAuditEvent {
    NewAuditEvent {
        workspace_id: ws.map(str::to_string),
        actor: actor.chars().take(MAX_KEY_CHARS).collect(),
        kind: kind.to_string(),
        detail,
        client_address: addr.audit(),
    }
}

/// Records a lock that just started.
async fn audit_lock(
    state: &AppState,
    ws: Option<&str>,
    actor: &str,
    lock: &Locked,
    addr: &ClientAddress,
) {
    let now = state.now();
    let seconds = (lock.until - now).num_seconds();
    tracing::warn!(client.address = %addr, lock.scope = lock.scope.as_str(), lock.seconds = seconds, "lockout started");
    let detail = json!({
        "scope": lock.scope.as_str(),
        "until": lock.until,
        "seconds": seconds,
        "lockouts": lock.lockouts,
    });
    metrics::counter!("finishline_sign_in_lockouts_total", "scope" => lock.scope.as_str())
        .increment(1);
    audit(state, event(ws, actor, kind::LOCKOUT_STARTED, detail, addr)).await;
}

/// A refusal for the trail, at most one row a minute per key (with the count since the last).
async fn audit_refusal(
    state: &AppState,
    scope: Scope,
    key: &str,
    actor: &str,
    reason: &str,
    addr: &ClientAddress,
) {
    metrics::counter!("finishline_sign_in_throttled_total", "scope" => scope.as_str(), "reason" => reason.to_string())
        .increment(1);
    let now = state.now();
    let Some(refused) = state.guard.throttle.note_refusal(scope, key, now) else {
        return;
    };
    let detail = json!({ "scope": scope.as_str(), "reason": reason, "refused": refused });
    audit(
        state,
        event(None, actor, kind::REQUEST_THROTTLED, detail, addr),
    )
    .await;
}

/// The throttle check of one key; a refusal is audited.
pub(super) async fn check(
    state: &AppState,
    scope: Scope,
    key: &str,
    actor: &str,
    addr: &ClientAddress,
) -> Result<(), Refusal> {
    let now = state.now();
    match state.guard.throttle.check(scope, key, now) {
        Ok(()) => Ok(()),
        Err(lock) => {
            audit_refusal(state, scope, key, actor, "locked", addr).await;
            Err(Refusal::locked(&lock, now))
        }
    }
}

/// Counts a failure against a key, auditing the lock it may start.
pub(super) async fn fail(
    state: &AppState,
    scope: Scope,
    key: &str,
    ws: Option<&str>,
    actor: &str,
    addr: &ClientAddress,
) {
    if let Some(lock) = state.guard.throttle.fail(scope, key, state.now()) {
        audit_lock(state, ws, actor, &lock, addr).await;
    }
}

// ---------------------------------------------------------------------------------------------
// Password sign-in

/// Why a sign-in did not start a session.
#[derive(Debug)]
pub enum SignInError {
    /// Locked or busy: answer with the refusal.
    Refused(Refusal),
    /// The email or the password is wrong (the caller cannot tell which).
    Wrong,
    /// The password is right, but the member's workspace requires single sign-on and they are
    /// not its break-glass admin.
    SsoRequired,
    /// The database failed.
    Internal(String),
}

fn account_key(email: &str) -> String {
    // As the store compares emails: trimmed, lower case.
    email
        .trim()
        .to_lowercase()
        .chars()
        .take(MAX_KEY_CHARS)
        .collect()
}

/// Verifies a password on the hashing queue, off the async threads.
pub async fn verify_password(
    state: &AppState,
    addr: &ClientAddress,
    password: String,
    hash: String,
) -> Result<bool, SignInError> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Ok(false);
    }
    let turn = match state.guard.hashing.enter(|_| {}).await {
        Ok(t) => t,
        Err(full) => {
            audit_refusal(state, Scope::Busy, &addr.key(), "anonymous", "busy", addr).await;
            return Err(SignInError::Refused(Refusal::hashing_busy(full)));
        }
    };
    tokio::task::spawn_blocking(move || {
        let _turn = turn;
        finishline_store::credentials::verify_password(&password, &hash)
    })
    .await
    .map_err(|e| SignInError::Internal(format!("password check failed: {e}")))
}

/// A password sign-in, throttled per account and per address, every outcome audited.
pub async fn sign_in(
    state: &AppState,
    addr: &ClientAddress,
    email: &str,
    password: String,
) -> Result<User, SignInError> {
    let account = account_key(email);
    let address = addr.key();
    let refused = SignInError::Refused;
    check(state, Scope::Address, &address, &account, addr)
        .await
        .map_err(refused)?;
    check(state, Scope::Account, &account, &account, addr)
        .await
        .map_err(refused)?;
    let user = state
        .app
        .store
        .user_by_email(email)
        .await
        .map_err(|e| SignInError::Internal(e.to_string()))?;
    // Verified even when the email is unknown or the member has no password (joined through
    // SSO), so every case takes as long.
    let has_password = user
        .as_ref()
        .is_some_and(|u| u.password_hash != NO_PASSWORD);
    let hash = match &user {
        Some(u) if has_password => u.password_hash.clone(),
        _ => DUMMY_HASH.to_string(),
    };
    let ok = verify_password(state, addr, password, hash).await? && has_password;
    let ws = user.as_ref().map(|u| u.workspace_id.clone());
    let ws = ws.as_deref();
    match user {
        Some(user) if ok => {
            state.guard.throttle.succeed(Scope::Account, &account);
            if sso_required(state, &user).await? {
                let detail = json!({ "method": "password", "reason": "sso required" });
                audit(
                    state,
                    event(ws, &user.email, kind::SIGN_IN_FAILED, detail, addr),
                )
                .await;
                return Err(SignInError::SsoRequired);
            }
            let detail = json!({ "method": "password", "user_id": user.id });
            audit(
                state,
                event(ws, &user.email, kind::SIGN_IN_SUCCEEDED, detail, addr),
            )
            .await;
            Ok(user)
        }
        user => {
            tracing::info!(client.address = %addr, "sign-in failed");
            let detail = json!({ "method": "password", "known_email": user.is_some() });
            audit(
                state,
                event(ws, &account, kind::SIGN_IN_FAILED, detail, addr),
            )
            .await;
            fail(state, Scope::Account, &account, ws, &account, addr).await;
            fail(state, Scope::Address, &address, ws, &account, addr).await;
            Err(SignInError::Wrong)
        }
    }
}

/// Whether the member's workspace refuses them a password sign-in (checked only once the
/// password is right, so the answer tells nothing to someone guessing).
async fn sso_required(state: &AppState, user: &User) -> Result<bool, SignInError> {
    let settings = state
        .app
        .store
        .sso_settings(&user.workspace_id)
        .await
        .map_err(|e| SignInError::Internal(e.to_string()))?;
    Ok(settings.is_some_and(|s| s.refuses_password_for(user)))
}

// ---------------------------------------------------------------------------------------------
// Single sign-on

/// Before an SSO callback is looked at: refused while the client address is locked.
pub async fn check_sso(state: &AppState, addr: &ClientAddress) -> Result<(), Refusal> {
    check(state, Scope::Address, &addr.key(), "anonymous", addr).await
}

/// An SSO sign-in refused before the store decided on it (an unknown or replayed state, a token
/// that does not verify, a provider that is down): recorded with the reason, and counted
/// against the address unless the provider is to blame.
pub async fn sso_refused(
    state: &AppState,
    ws: Option<&str>,
    actor: &str,
    reason: &str,
    addr: &ClientAddress,
    counts: bool,
) {
    tracing::info!(client.address = %addr, sso.reason = reason, "SSO sign-in refused");
    let detail = json!({ "method": "sso", "reason": reason });
    audit(state, event(ws, actor, kind::SIGN_IN_FAILED, detail, addr)).await;
    if counts {
        fail(state, Scope::Address, &addr.key(), ws, actor, addr).await;
    }
}

// ---------------------------------------------------------------------------------------------
// Tokens, cookies and links

/// Before a bearer token or a session cookie is looked up: refused while the address is locked.
pub async fn check_credentials(state: &AppState, addr: &ClientAddress) -> Result<(), Refusal> {
    check(state, Scope::Credentials, &addr.key(), "anonymous", addr).await
}

/// A bearer token or a session cookie that matches nothing.
pub async fn credentials_failed(state: &AppState, addr: &ClientAddress) {
    fail(
        state,
        Scope::Credentials,
        &addr.key(),
        None,
        "anonymous",
        addr,
    )
    .await;
}

/// Records a portal sign-in by invitation and forgets the address's link failures' backoff
/// (not its count: a good link does not excuse guessed ones).
pub async fn portal_joined(
    state: &AppState,
    addr: &ClientAddress,
    session: &finishline_store::PortalSession,
) {
    let detail = json!({
        "method": "invitation",
        "project_id": session.project_id,
        "person_id": session.person_id,
        "invitation_id": session.invitation_id,
    });
    audit(
        state,
        event(
            Some(&session.workspace_id),
            &format!("portal person {}", session.person_id),
            kind::PORTAL_JOINED,
            detail,
            addr,
        ),
    )
    .await;
}
