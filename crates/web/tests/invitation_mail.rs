//! Portal invitations by email, over real SMTP (the loopback sink the notification tests use):
//! inviting from the project page puts the email in the outbox and delivers it, answers with a
//! redirect to the page's portal section where the link is shown once; resend makes a new link
//! and revokes the old one; the list shows each invitation's state, expiry and email.
#![allow(clippy::unwrap_used)]

mod notify_support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use notify_support::{spawn, Db, NotifyApp};
use reqwest::cookie::Jar;
use reqwest::header::LOCATION;
use reqwest::redirect::Policy;
use reqwest::{Client, StatusCode};

struct Browser {
    http: Client,
    base: String,
    jar: Arc<Jar>,
}

impl Browser {
    fn new(app: &NotifyApp) -> Browser {
        let jar = Arc::new(Jar::default());
        Browser {
            http: Client::builder()
                .cookie_provider(jar.clone())
                .redirect(Policy::none())
                .build()
                .unwrap(),
            base: app.base.clone(),
            jar,
        }
    }

    async fn login(&self) {
        let csrf = self.csrf("/login").await;
        let r = self
            .post(
                "/login",
                &[
                    ("csrf", &csrf),
                    ("email", "dana@vendor.test"),
                    ("password", "a long test password"),
                    ("next", "/"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }

    async fn get(&self, path: &str) -> (StatusCode, String) {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        let s = r.status();
        (s, r.text().await.unwrap())
    }

    async fn post(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.http
            .post(format!("{}{path}", self.base))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    async fn csrf(&self, path: &str) -> String {
        let (s, body) = self.get(path).await;
        assert_eq!(s, StatusCode::OK, "{path}: {body}");
        csrf_of(&body)
    }
}

fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    html[at..].split('"').next().unwrap().to_string()
}

/// The secret of the first invitation link in `text`.
fn token_in(text: &str) -> String {
    let at = text.find("/portal/join/").expect("an invitation link") + 13;
    text[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

/// Waits for the `n`th email to `to` (delivery starts at once, not at the next sweep).
async fn mail(app: &NotifyApp, to: &str, n: usize) -> notify_support::smtp::Received {
    let start = Instant::now();
    loop {
        let got = app.smtp().to(to);
        if got.len() > n {
            return got[n].clone();
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "no email #{n} to {to}; the sink has {:?}",
            app.smtp()
                .messages()
                .iter()
                .map(|m| m.subject())
                .collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn join(app: &NotifyApp, token: &str) -> StatusCode {
    let c = Browser::new(app);
    let (s, page) = c.get(&format!("/portal/join/{token}")).await;
    if s != StatusCode::OK {
        return s;
    }
    c.post(
        "/portal/join",
        &[("csrf", &csrf_of(&page)), ("token", token)],
    )
    .await
    .status()
}

#[tokio::test]
async fn an_invitation_is_emailed_shown_once_resent_and_revoked_on_sqlite() {
    let app = spawn(Db::Sqlite, "inv_mail", true, vec![]).await.unwrap();
    an_invitation_is_emailed_shown_once_resent_and_revoked(&app).await;
}

#[tokio::test]
async fn an_invitation_is_emailed_shown_once_resent_and_revoked_on_postgres() {
    let Some(app) = spawn(Db::Postgres, "inv_mail_pg", true, vec![]).await else {
        return;
    };
    an_invitation_is_emailed_shown_once_resent_and_revoked(&app).await;
}

async fn an_invitation_is_emailed_shown_once_resent_and_revoked(app: &NotifyApp) {
    let m = app.admin("Vendor A", "dana@vendor.test").await;
    let (id, _) = m.project_with_customer_tasks("Brightwater", &[]).await;
    let (_, v) = m.get(&format!("/api/v1/projects/{id}")).await;
    let casey = v["project"]["people"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Casey")
        .unwrap()["id"]
        .to_string();
    let member = Browser::new(app);
    let csrf = member.csrf("/login").await;
    let r = member
        .post(
            "/login",
            &[
                ("csrf", &csrf),
                ("email", "dana@vendor.test"),
                ("password", "a long test password"),
                ("next", "/"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let csrf = member.csrf(&format!("/projects/{id}")).await;

    // Inviting answers with the project page's portal section, not a page at /invitations.
    let r = member
        .post(
            &format!("/projects/{id}/invitations"),
            &[("csrf", &csrf), ("_form", "invite"), ("person", &casey)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[LOCATION], format!("/projects/{id}#portal"));
    let (s, page) = member.get(&format!("/projects/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("Invitation emailed to Casey at casey@brightwater.test"),
        "{page}"
    );
    assert!(page.contains("shown only once"));
    let shown = token_in(&page);
    let (_, reload) = member.get(&format!("/projects/{id}")).await;
    assert!(!reload.contains(&shown), "the link is shown once");
    assert!(
        !reload.contains("Invitation emailed"),
        "a reload shows no confirmation"
    );

    // The email has the same link, at the server's public address.
    let email = mail(app, "casey@brightwater.test", 0).await;
    assert!(
        email.subject().contains("Brightwater"),
        "{}",
        email.subject()
    );
    let links = email.links(&format!("{}/portal/join/", app.base));
    assert_eq!(links.len(), 1, "{}", email.body());
    assert_eq!(token_in(&links[0]), shown);
    let invs = app
        .state
        .app
        .store
        .invitations(&m.workspace.id, &id)
        .await
        .unwrap();
    assert_eq!(invs.len(), 1);
    let (_, listed) = member.get(&format!("/projects/{id}")).await;
    assert!(listed.contains("not used yet"), "{listed}");
    assert!(listed.contains("expires 16 Mar 2026"), "{listed}");
    assert!(listed.contains("emailed "), "{listed}");

    // Resend: a new link by email, the old one revoked.
    let r = member
        .post(
            &format!("/projects/{id}/invitations/{}/resend", invs[0].id),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = member.get(&format!("/projects/{id}")).await;
    assert!(page.contains("A new link replaces the old one"), "{page}");
    let second = mail(app, "casey@brightwater.test", 1).await;
    let new_token = token_in(&second.body());
    assert_ne!(new_token, shown);
    assert_eq!(token_in(&page), new_token);
    assert_eq!(
        join(app, &shown).await,
        StatusCode::GONE,
        "the old link is revoked"
    );
    assert_eq!(join(app, &new_token).await, StatusCode::SEE_OTHER);
    let (_, listed) = member.get(&format!("/projects/{id}")).await;
    assert!(
        listed.contains("revoked") && listed.contains("joined"),
        "{listed}"
    );

    // Revoke: confirmed in the portal section.
    let invs = app
        .state
        .app
        .store
        .invitations(&m.workspace.id, &id)
        .await
        .unwrap();
    let r = member
        .post(
            &format!(
                "/projects/{id}/invitations/{}/revoke",
                invs.iter().find(|i| i.revoked_at.is_none()).unwrap().id
            ),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[LOCATION], format!("/projects/{id}#portal"));
    let (_, page) = member.get(&format!("/projects/{id}")).await;
    assert!(page.contains("invitation is revoked"), "{page}");
    let at = page.find("id=\"portal\"").unwrap();
    let flash = page.find("id=\"flash\"").unwrap();
    assert!(flash > at, "the confirmation is in the portal section");

    // A confirmation is bound to the session that made it: another member's browser shows none.
    let outbox = app
        .state
        .app
        .store
        .outbox(&m.workspace.id, Some("email"), None, 10)
        .await
        .unwrap();
    assert_eq!(outbox.iter().filter(|o| o.kind == "invitation").count(), 2);
}

#[tokio::test]
async fn a_forged_or_foreign_confirmation_cookie_is_ignored() {
    let app = spawn(Db::Sqlite, "inv_flash", true, vec![]).await.unwrap();
    let m = app.admin("Vendor A", "dana@vendor.test").await;
    let (id, _) = m.project_with_customer_tasks("Brightwater", &[]).await;
    let url: url::Url = format!("{}/projects/{id}", app.base).parse().unwrap();
    let (a, b) = (Browser::new(&app), Browser::new(&app));
    a.login().await;
    b.login().await;
    let csrf = a.csrf(&format!("/projects/{id}")).await;
    let r = a
        .post(
            &format!("/projects/{id}/actions/confirm_no_known_risks"),
            &[("csrf", &csrf), ("_form", "confirm_no_known_risks")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let set = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("fl_flash="))
        .expect("a confirmation cookie");
    assert!(
        set.contains("HttpOnly")
            && set.contains("SameSite=Strict")
            && set.contains(&format!("Path=/projects/{id}")),
        "{set}"
    );
    let value = set.split(';').next().unwrap().to_string();

    // Another session of the same member, given that cookie, shows nothing.
    b.jar
        .add_cookie_str(&format!("{value}; Path=/projects/{id}"), &url);
    let (_, page) = b.get(&format!("/projects/{id}")).await;
    assert!(
        !page.contains("Recorded: no risks are known."),
        "a confirmation of another session is not shown"
    );
    // A forged one neither.
    let forged = format!(
        "fl_flash={}.AAAA; Path=/projects/{id}",
        base64_url(br#"{"at":"now","text":"Forged","exp":9999999999}"#)
    );
    b.jar.add_cookie_str(&forged, &url);
    let (s, page) = b.get(&format!("/projects/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(!page.contains("Forged"));
    // The session that made it sees it, once.
    let (_, page) = a.get(&format!("/projects/{id}")).await;
    assert!(page.contains("Recorded: no risks are known."), "{page}");
    let (_, page) = a.get(&format!("/projects/{id}")).await;
    assert!(!page.contains("Recorded: no risks are known."));
}

fn base64_url(data: &[u8]) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    URL_SAFE_NO_PAD.encode(data)
}
