//! The project's files: the section listing them (read on every request, as uploads do not
//! change the project's version) and their download, as attachments.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use finishline_core::project::Project;
use finishline_store::StoredFile;
use maud::{html, Markup};

use super::parts::section;
use crate::state::AppState;
use crate::ui::layout;
use crate::ui::session::Vendor;

/// The files section: every file stored for the project, each a download link.
pub(super) fn files(p: &Project, files: &[StoredFile]) -> Markup {
    let fb = format!("/projects/{}/files/", p.id);
    section(
        "files",
        "Files",
        html! {
            @if files.is_empty() { p class="muted" { "No files." } }
            ul { @for file in files { li { a href=(format!("{fb}{}", file.id)) hx-boost="false" download { (file.name) } " — " (file.size) " bytes, by " (file.uploaded_by) } } }
        },
    )
}

/// A proof file of this project, as an attachment (never rendered in our origin).
pub async fn file(
    State(state): State<AppState>,
    vendor: Vendor,
    Path((id, file_id)): Path<(String, String)>,
) -> Response {
    serve_file(&state, vendor.workspace(), &id, &file_id).await
}

pub async fn serve_file(state: &AppState, ws: &str, project: &str, file_id: &str) -> Response {
    match state.app.store.file(ws, file_id).await {
        Ok(Some((meta, body))) if meta.project_id == project => {
            // Any stored name makes a valid header (an ASCII fallback and RFC 5987).
            (
                [
                    (
                        header::CONTENT_TYPE,
                        axum::http::HeaderValue::from_static("application/octet-stream"),
                    ),
                    (
                        header::CONTENT_DISPOSITION,
                        crate::files::content_disposition(&meta.name),
                    ),
                ],
                body,
            )
                .into_response()
        }
        Ok(_) => layout::not_found(&format!("File {file_id}")),
        Err(e) => layout::internal(&e.to_string()),
    }
}
