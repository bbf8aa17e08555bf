//! The front-end files, embedded in the binary and served under a content-hashed name with a
//! year-long immutable cache: a new build changes the name, never the content behind a name.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

const CSS: &[u8] = include_bytes!("../../assets/app.css");
/// htmx 2 from the npm package `htmx.org`, unmodified.
const HTMX: &[u8] = include_bytes!("../../assets/htmx.min.js");
/// The data import page's upload with a progress bar (our own; the form works without it).
const UPLOAD: &[u8] = include_bytes!("../../assets/upload.js");
/// Moves the page to a form's confirmation or refusal; copy buttons (our own, progressive).
const PAGE: &[u8] = include_bytes!("../../assets/page.js");
/// The project page's section menu, summary, confirmations and refusals.
const WORKSPACE_CSS: &[u8] = include_bytes!("../../assets/workspace.css");

struct Asset {
    name: String,
    body: &'static [u8],
    content_type: &'static str,
}

fn hashed(stem: &str, ext: &str, body: &'static [u8], content_type: &'static str) -> Asset {
    let h = hex::encode(Sha256::digest(body));
    Asset {
        name: format!("{stem}.{}.{ext}", &h[..12]),
        body,
        content_type,
    }
}

static ASSETS: LazyLock<[Asset; 5]> = LazyLock::new(|| {
    [
        hashed("app", "css", CSS, "text/css; charset=utf-8"),
        hashed("htmx", "min.js", HTMX, "text/javascript; charset=utf-8"),
        hashed("upload", "js", UPLOAD, "text/javascript; charset=utf-8"),
        hashed("page", "js", PAGE, "text/javascript; charset=utf-8"),
        hashed("workspace", "css", WORKSPACE_CSS, "text/css; charset=utf-8"),
    ]
});

pub fn css_url() -> String {
    format!("/assets/{}", ASSETS[0].name)
}

pub fn htmx_url() -> String {
    format!("/assets/{}", ASSETS[1].name)
}

pub fn upload_url() -> String {
    format!("/assets/{}", ASSETS[2].name)
}

pub fn page_url() -> String {
    format!("/assets/{}", ASSETS[3].name)
}

pub fn workspace_css_url() -> String {
    format!("/assets/{}", ASSETS[4].name)
}

pub async fn serve(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|a| a.name == name) {
        Some(a) => (
            [
                (header::CONTENT_TYPE, a.content_type),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            ],
            a.body,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "no such asset").into_response(),
    }
}
