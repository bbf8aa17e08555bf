//! An admin's SSO settings checked once, for the API and the Settings page alike: every field
//! that does not fit is named with what would make it fit.

use finishline_store::{NewSsoSettings, UserRole};

/// Longest issuer URL, client id and client secret accepted.
pub const MAX_ISSUER: usize = 2048;
pub const MAX_CLIENT_ID: usize = 512;
pub const MAX_CLIENT_SECRET: usize = 2048;
/// Most allowed domains in one workspace.
pub const MAX_DOMAINS: usize = 50;
const MAX_DOMAIN: usize = 253;
const MAX_EMAIL: usize = 320;

/// The settings as typed, before checking.
#[derive(Debug, Clone, Default)]
pub struct SsoInput {
    pub enabled: bool,
    pub issuer: String,
    pub client_id: String,
    /// Empty or absent: keep the stored secret.
    pub client_secret: Option<String>,
    pub allowed_domains: Vec<String>,
    pub new_member_role: String,
    pub require_sso: bool,
    pub break_glass_email: Option<String>,
}

/// A field that does not fit, and why.
pub type FieldProblem = (&'static str, String);

/// Checks the input; every problem at once.
pub fn check(input: &SsoInput) -> Result<NewSsoSettings, Vec<FieldProblem>> {
    let mut problems = Vec::new();
    // Lengths are checked on what was sent, before trimming, so nothing over a limit passes.
    let issuer = input.issuer.trim().trim_end_matches('/').to_string();
    if input.issuer.len() > MAX_ISSUER {
        problems.push(("issuer", format!("is longer than {MAX_ISSUER} bytes")));
    } else if let Err(why) = check_issuer(&issuer) {
        problems.push(("issuer", why));
    }
    let client_id = input.client_id.trim().to_string();
    if client_id.is_empty() || input.client_id.len() > MAX_CLIENT_ID {
        problems.push((
            "client_id",
            format!("give the client id the provider shows for this application (1 to {MAX_CLIENT_ID} bytes)"),
        ));
    }
    let client_secret = input
        .client_secret
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    if input
        .client_secret
        .as_ref()
        .is_some_and(|s| s.len() > MAX_CLIENT_SECRET)
    {
        problems.push((
            "client_secret",
            format!("is longer than {MAX_CLIENT_SECRET} bytes"),
        ));
    }
    let mut domains = Vec::new();
    if input.allowed_domains.len() > MAX_DOMAINS {
        problems.push((
            "allowed_domains",
            format!(
                "{} domains, more than the limit of {MAX_DOMAINS}",
                input.allowed_domains.len()
            ),
        ));
    }
    for d in &input.allowed_domains {
        match check_domain(d) {
            Ok(d) if !domains.contains(&d) => domains.push(d),
            Ok(_) => {}
            Err(why) => problems.push(("allowed_domains", why)),
        }
    }
    let role = UserRole::parse(input.new_member_role.trim());
    if role.is_none() {
        problems.push((
            "new_member_role",
            format!(
                "{:?} is not a role: choose member or admin",
                input.new_member_role
            ),
        ));
    }
    let break_glass = input
        .break_glass_email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(str::to_lowercase);
    if input
        .break_glass_email
        .as_ref()
        .is_some_and(|e| e.len() > MAX_EMAIL)
    {
        problems.push((
            "break_glass_email",
            format!("is longer than {MAX_EMAIL} bytes"),
        ));
    } else if let Some(e) = &break_glass {
        if !finishline_core::people::valid_email(e) {
            problems.push((
                "break_glass_email",
                format!("{e:?} is not an email address"),
            ));
        }
    } else if input.require_sso {
        problems.push((
            "break_glass_email",
            "requiring SSO needs a break-glass admin who may still sign in with a password when the provider is down".into(),
        ));
    }
    match (problems.is_empty(), role) {
        (true, Some(role)) => Ok(NewSsoSettings {
            enabled: input.enabled,
            issuer,
            client_id,
            client_secret,
            allowed_domains: domains,
            new_member_role: role,
            require_sso: input.require_sso,
            break_glass_email: break_glass,
        }),
        _ => Err(problems),
    }
}

/// The issuer is https, or http on this machine (a provider run next to the server for tests
/// or development); no query or fragment, which discovery could not append to.
pub fn check_issuer(issuer: &str) -> Result<(), String> {
    if issuer.is_empty() || issuer.len() > MAX_ISSUER {
        return Err(format!(
            "give the provider's issuer URL, e.g. https://accounts.google.com (1 to {MAX_ISSUER} bytes)"
        ));
    }
    let url = openidconnect::url::Url::parse(issuer).map_err(|e| {
        format!(
            "{issuer:?} is not a URL ({e}): e.g. https://login.microsoftonline.com/<tenant>/v2.0"
        )
    })?;
    let loopback = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    if url.scheme() != "https" && !(url.scheme() == "http" && loopback) {
        return Err(format!(
            "{issuer:?} must start with https:// (plain http only for a provider on this machine)"
        ));
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        return Err(format!(
            "{issuer:?} must have no query, fragment or user name: the issuer exactly as the provider's discovery document names it"
        ));
    }
    Ok(())
}

/// A domain in lower case, made of letters, digits, hyphens and dots.
fn check_domain(domain: &str) -> Result<String, String> {
    let d = domain.trim().trim_start_matches('@').to_lowercase();
    if domain.len() > MAX_DOMAIN {
        return Err(format!(
            "a domain of {} bytes is longer than {MAX_DOMAIN}",
            domain.len()
        ));
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    if d.len() <= MAX_DOMAIN && d.contains('.') && d.split('.').all(label_ok) {
        Ok(d)
    } else {
        Err(format!(
            "{domain:?} is not an email domain: write it as example.com (letters, digits, hyphens, dots)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> SsoInput {
        SsoInput {
            enabled: true,
            issuer: "https://accounts.google.com/".into(),
            client_id: "abc.apps.googleusercontent.com".into(),
            client_secret: Some("s3cret".into()),
            allowed_domains: vec!["Example.com".into(), "@example.com".into()],
            new_member_role: "member".into(),
            require_sso: false,
            break_glass_email: None,
        }
    }

    #[test]
    fn settings_are_trimmed_and_domains_lower_cased_once() {
        let s = check(&input()).expect("fits");
        assert_eq!(s.issuer, "https://accounts.google.com");
        assert_eq!(s.allowed_domains, vec!["example.com".to_string()]);
    }

    #[test]
    fn issuer_over_plain_http_is_refused_unless_on_this_machine() {
        assert!(check_issuer("http://idp.example.com").is_err());
        assert!(check_issuer("http://127.0.0.1:9400").is_ok());
        assert!(check_issuer("https://idp.example.com?tenant=1").is_err());
    }

    #[test]
    fn requiring_sso_needs_a_break_glass_admin() {
        let mut i = input();
        i.require_sso = true;
        let problems = check(&i).expect_err("refused");
        assert_eq!(problems[0].0, "break_glass_email");
    }

    #[test]
    fn every_problem_is_named_at_once() {
        let mut i = input();
        i.issuer = "ftp://x".into();
        i.allowed_domains = vec!["not a domain".into()];
        i.new_member_role = "owner".into();
        let fields: Vec<_> = check(&i)
            .expect_err("refused")
            .iter()
            .map(|p| p.0)
            .collect();
        assert_eq!(fields, ["issuer", "allowed_domains", "new_member_role"]);
    }
}
