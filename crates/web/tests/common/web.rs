//! A browser-like HTTP client for the page tests: keeps cookies, does not follow redirects.

use reqwest::multipart::{Form, Part};
use reqwest::redirect::Policy;
use reqwest::{Client, StatusCode};

use super::TestApp;

/// A browser-like client: keeps cookies, does not follow redirects.
pub struct Web {
    pub http: Client,
    pub base: String,
}

impl Web {
    pub fn new(app: &TestApp) -> Web {
        Web {
            http: Client::builder()
                .cookie_store(true)
                .redirect(Policy::none())
                .build()
                .unwrap(),
            base: app.base.clone(),
        }
    }

    pub async fn get(&self, path: &str) -> (StatusCode, String) {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        let s = r.status();
        (s, r.text().await.unwrap())
    }

    pub async fn get_raw(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.http
            .post(format!("{}{path}", self.base))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// Posts a form of the project page (with its `_form`), returning the status and the answer.
    pub async fn act(
        &self,
        project: &str,
        csrf: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> (StatusCode, String) {
        let mut form = vec![("csrf", csrf), ("_form", action)];
        form.extend_from_slice(fields);
        let r = self
            .post(&format!("/projects/{project}/actions/{action}"), &form)
            .await;
        let s = r.status();
        (s, r.text().await.unwrap())
    }

    /// Uploads `body` as the file `name` with the data page's upload form.
    pub async fn upload(
        &self,
        path: &str,
        csrf: &str,
        name: &str,
        body: Vec<u8>,
    ) -> reqwest::Response {
        let form = Form::new()
            .text("csrf", csrf.to_string())
            .text("_form", "upload")
            .part("file", Part::bytes(body).file_name(name.to_string()));
        self.http
            .post(format!("{}{path}", self.base))
            .multipart(form)
            .send()
            .await
            .unwrap()
    }

    /// The CSRF token of the page at `path`.
    pub async fn csrf(&self, path: &str) -> String {
        let (s, body) = self.get(path).await;
        assert_eq!(s, StatusCode::OK, "{path}: {body}");
        csrf_of(&body)
    }

    pub async fn login(&self, email: &str) {
        let csrf = self.csrf("/login").await;
        let r = self
            .post(
                "/login",
                &[
                    ("csrf", &csrf),
                    ("email", email),
                    ("password", "a long test password"),
                    ("next", "/"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }
}

pub fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    html[at..].split('"').next().unwrap().to_string()
}
