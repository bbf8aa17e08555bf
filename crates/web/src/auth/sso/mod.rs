//! Single sign-on with OpenID Connect: the authorization code flow with PKCE, state and nonce.
//!
//! `begin` reads the provider's discovery document, keeps the state's hash, the nonce and the
//! PKCE verifier in the database (several servers may share the sign-in) and gives the address
//! to send the browser to. `finish` takes that attempt back once, exchanges the code with the
//! verifier and checks the ID token: signature against the provider's published keys, issuer,
//! audience (this workspace's client id), expiry and the nonce. Every back-channel call goes
//! through [`backchannel::Backchannel`]: no redirect followed, deadlines, a size budget.
//!
//! What comes out is an [`Identity`] the provider vouched for; what it becomes (a member signed
//! in, a new member, a refusal) is `finishline_store::Store::sso_sign_in`'s to decide.

pub mod backchannel;
pub mod settings;

use chrono::{DateTime, Utc};
use finishline_store::{SsoAttempt, SsoSettings};
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, IssuerUrl,
    LoginHint, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RequestTokenError, Scope,
    SignatureVerificationError,
};

use self::backchannel::{Backchannel, BackchannelError};
use crate::state::AppState;

/// How long a browser has at the provider before the sign-in must start again.
pub const ATTEMPT_MINUTES: i64 = 10;

/// The path the provider sends the browser back to.
pub const CALLBACK_PATH: &str = "/login/sso/callback";

/// Who the provider says signed in.
#[derive(Debug, Clone)]
pub struct Identity {
    pub subject: String,
    pub email: String,
    pub name: String,
}

/// Why a sign-in through the provider did not give an identity.
#[derive(Debug, Clone)]
pub enum SsoError {
    /// The provider could not be reached or did not answer properly: nothing the person can fix
    /// but waiting, or the admin's settings (the message says which).
    ProviderDown(String),
    /// The answer was refused: `reason` is short, for the audit trail and the tests; `message`
    /// says it to the person.
    Refused {
        reason: &'static str,
        message: String,
    },
}

impl SsoError {
    fn refused(reason: &'static str, message: impl Into<String>) -> SsoError {
        SsoError::Refused {
            reason,
            message: message.into(),
        }
    }

    pub fn reason(&self) -> &'static str {
        match self {
            SsoError::ProviderDown(_) => "provider unavailable",
            SsoError::Refused { reason, .. } => reason,
        }
    }

    pub fn message(&self) -> &str {
        match self {
            SsoError::ProviderDown(m) | SsoError::Refused { message: m, .. } => m,
        }
    }
}

/// Where the provider sends the browser back: the public URL and the callback path. This is
/// the redirect URI to register with the provider.
pub fn redirect_uri(state: &AppState) -> String {
    let public = state.config.notify.public_url.trim_end_matches('/');
    format!("{public}{CALLBACK_PATH}")
}

/// The provider's discovery document and keys, and a client for this workspace.
async fn client(
    state: &AppState,
    settings: &SsoSettings,
    http: &Backchannel,
) -> Result<
    CoreClient<
        openidconnect::EndpointSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointMaybeSet,
        openidconnect::EndpointMaybeSet,
    >,
    SsoError,
> {
    let issuer = IssuerUrl::new(settings.issuer.clone()).map_err(|e| {
        SsoError::ProviderDown(format!(
            "the issuer {:?} is not a URL: {e}",
            settings.issuer
        ))
    })?;
    let metadata = CoreProviderMetadata::discover_async(issuer, http)
        .await
        .map_err(|e| discovery_failed(&settings.issuer, &e))?;
    let redirect = RedirectUrl::new(redirect_uri(state)).map_err(|e| {
        SsoError::ProviderDown(format!("the server's public URL is not a URL: {e}"))
    })?;
    Ok(CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(settings.client_id.clone()),
        Some(ClientSecret::new(settings.client_secret.clone())),
    )
    .set_redirect_uri(redirect))
}

fn discovery_failed(issuer: &str, e: &openidconnect::DiscoveryError<BackchannelError>) -> SsoError {
    use openidconnect::DiscoveryError as D;
    let why = match e {
        D::Request(e) => e.to_string(),
        D::Response(status, _, _) => format!("its discovery document answered HTTP {status}"),
        D::Parse(e) => format!("its discovery document is not valid: {e}"),
        D::Validation(e) => format!("its discovery document does not fit the issuer: {e}"),
        other => other.to_string(),
    };
    SsoError::ProviderDown(format!(
        "The sign-in provider {issuer} could not be used: {why}."
    ))
}

/// A sign-in on its way to the provider: where to send the browser, and the state to bind to
/// it (set as a cookie, compared when it comes back).
pub struct Started {
    pub authorize_url: String,
    pub state: String,
}

/// Starts a sign-in: discovery, then the attempt kept in the database, then the address.
pub async fn begin(
    state: &AppState,
    settings: &SsoSettings,
    email_hint: Option<&str>,
    next_path: &str,
) -> Result<Started, SsoError> {
    let http = Backchannel::new().map_err(SsoError::ProviderDown)?;
    let client = client(state, settings, &http).await?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge);
    if let Some(hint) = email_hint {
        request = request.set_login_hint(LoginHint::new(hint.to_string()));
    }
    let (url, csrf, nonce) = request.url();
    let now = state.now();
    let attempt = SsoAttempt {
        workspace_id: settings.workspace_id.clone(),
        nonce: nonce.secret().clone(),
        pkce_verifier: verifier.secret().clone(),
        next_path: next_path.to_string(),
        expires_at: now + chrono::Duration::minutes(ATTEMPT_MINUTES),
    };
    state
        .app
        .store
        .start_sso_attempt(csrf.secret(), &attempt, now)
        .await
        .map_err(|e| SsoError::ProviderDown(format!("the sign-in could not be kept: {e}")))?;
    Ok(Started {
        authorize_url: url.to_string(),
        state: csrf.secret().clone(),
    })
}

/// Whether the attempt is still within its time.
pub fn attempt_live(attempt: &SsoAttempt, now: DateTime<Utc>) -> bool {
    attempt.expires_at > now
}

/// Exchanges the code and checks the ID token; the identity it vouches for.
pub async fn finish(
    state: &AppState,
    settings: &SsoSettings,
    attempt: &SsoAttempt,
    code: &str,
) -> Result<Identity, SsoError> {
    let http = Backchannel::new().map_err(SsoError::ProviderDown)?;
    let client = client(state, settings, &http).await?;
    let exchange = client
        .exchange_code(AuthorizationCode::new(code.to_string()))
        .map_err(|_| {
            SsoError::ProviderDown(
                "the provider's discovery document names no token endpoint".into(),
            )
        })?
        .set_pkce_verifier(PkceCodeVerifier::new(attempt.pkce_verifier.clone()));
    let tokens = exchange.request_async(&http).await.map_err(|e| match e {
        RequestTokenError::ServerResponse(r) => SsoError::refused(
            "code refused",
            format!(
                "The provider refused to complete the sign-in ({}). Start again.",
                r.error()
            ),
        ),
        RequestTokenError::Request(e) => {
            SsoError::ProviderDown(format!("The sign-in provider could not be used: {e}."))
        }
        other => SsoError::ProviderDown(format!(
            "The provider's token answer could not be read: {other}."
        )),
    })?;
    let id_token = openidconnect::TokenResponse::id_token(&tokens).ok_or_else(|| {
        SsoError::refused(
            "no ID token",
            "The provider answered without an ID token: check that the application is an OpenID Connect one with the openid scope.",
        )
    })?;
    // The ID token's times are the provider's wall clock, so they are checked against ours
    // (the default), not against the application's clock.
    let verifier = client.id_token_verifier();
    let nonce = Nonce::new(attempt.nonce.clone());
    let claims = id_token
        .claims(&verifier, &nonce)
        .map_err(|e| claims_refused(&settings.client_id, &e))?;
    let Some(email) = claims.email().map(|e| e.as_str().to_string()) else {
        return Err(SsoError::refused(
            "no email",
            "The provider did not say the account's email: allow the email scope (in Entra ID, add the optional claim email).",
        ));
    };
    if claims.email_verified() == Some(false) {
        return Err(SsoError::refused(
            "email not verified",
            format!("The provider says {email} is not verified: verify it there first."),
        ));
    }
    let name = claims
        .name()
        .and_then(|n| n.get(None))
        .map(|n| n.as_str().to_string())
        .unwrap_or_default();
    Ok(Identity {
        subject: claims.subject().as_str().to_string(),
        email,
        name,
    })
}

fn claims_refused(client_id: &str, e: &ClaimsVerificationError) -> SsoError {
    use ClaimsVerificationError as C;
    match e {
        C::InvalidAudience(_) => SsoError::refused(
            "wrong audience",
            format!("The ID token was issued for another application, not for this workspace's client id {client_id:?}."),
        ),
        C::Expired(_) => SsoError::refused(
            "expired token",
            "The ID token has expired. Start the sign-in again; if it keeps happening, check the server's clock.",
        ),
        C::SignatureVerification(SignatureVerificationError::NoMatchingKey) => SsoError::refused(
            "bad signature",
            "The ID token is signed with a key the provider does not publish: it was not issued by this provider.",
        ),
        C::SignatureVerification(_) => SsoError::refused(
            "bad signature",
            "The ID token's signature does not match the provider's published keys: it was changed or forged.",
        ),
        C::InvalidIssuer(_) => SsoError::refused(
            "wrong issuer",
            "The ID token was issued by another provider than this workspace's issuer.",
        ),
        C::InvalidNonce(_) => SsoError::refused(
            "wrong nonce",
            "The ID token does not answer this sign-in (its nonce differs): start again.",
        ),
        other => SsoError::refused("invalid token", format!("The ID token was refused: {other}.")),
    }
}
