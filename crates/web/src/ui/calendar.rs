//! Calendar feeds in the browser: the feed itself at its secret address, a member's page with
//! their links, and the portal's section with a customer's.

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use finishline_app::calendar::{self, FeedLinks, Subject};
use finishline_app::error::AppError;
use finishline_store::audit::By;
use maud::{html, Markup};

use crate::auth::ConnectedFrom;
use crate::state::AppState;
use crate::ui::actions::see_other;
use crate::ui::form::{html as html_response, FormData};
use crate::ui::layout::{self, Nav};
use crate::ui::session::{Customer, Vendor};

/// `GET /calendar/{token}.ics`: everything of the person's.
pub async fn feed(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    answer(&state, &file, None).await
}

/// `GET /calendar/{token}/{project}.ics`: one project's dates, as the person may see them.
pub async fn project_feed(
    State(state): State<AppState>,
    Path((token, file)): Path<(String, String)>,
) -> Response {
    let Some(project) = file.strip_suffix(".ics") else {
        return gone();
    };
    answer(&state, &format!("{token}.ics"), Some(project)).await
}

async fn answer(state: &AppState, file: &str, project: Option<&str>) -> Response {
    let Some(token) = file.strip_suffix(".ics") else {
        return gone();
    };
    match calendar::feed(&state.app, token, project, state.now()).await {
        Ok(text) => (
            StatusCode::OK,
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/calendar; charset=utf-8"),
                ),
                // Calendar programs poll; a few minutes old is fine, and the address is secret.
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("private, max-age=300"),
                ),
            ],
            text,
        )
            .into_response(),
        Err(AppError::NotFound(_)) => gone(),
        Err(e) => layout::internal(&e.to_string()),
    }
}

fn gone() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "This calendar link does not work (any more): a newer link replaced it, or it was mistyped. Copy the current link from Finishline.",
    )
        .into_response()
}

/// `GET /calendar`: the member's own links, how to use them, and one per project they are on.
pub async fn page(State(state): State<AppState>, v: Vendor) -> Response {
    let subject = Subject::Member(v.user.id.clone());
    let links = match calendar::links(&state.app, v.workspace(), &subject).await {
        Ok(l) => l,
        Err(e) => return layout::internal(&e.to_string()),
    };
    let projects = match state.app.store.projects(v.workspace()).await {
        Ok(p) => p,
        Err(e) => return layout::internal(&e.to_string()),
    };
    let mine: Vec<_> = projects
        .iter()
        .map(|(p, _)| p)
        .filter(|p| p.people.iter().any(|x| calendar::is_member(x, &v.user)))
        .collect();
    let body = html! {
        h1 { "Your calendar" }
        p { "Your tasks' due dates, and the meetings, training sessions, go-live and other milestones of the projects you are on, in Google Calendar, Outlook or Apple Calendar. It stays up to date by itself: a moved date moves there too." }
        (links_block(&links, "/calendar/new", &v.csrf))
        @if !mine.is_empty() {
            h2 { "One project's dates" }
            p class="muted small" { "Every date of one project, not only your own tasks: useful for a shared team calendar." }
            ul {
                @for p in &mine {
                    @let url = per_project(&links.url, &p.id);
                    li {
                        (p.name) " · "
                        a href=(calendar::webcal(&url)) { "open in your calendar program" } " · "
                        a href=(url) { "address to copy" }
                    }
                }
            }
        }
    };
    html_response(
        StatusCode::OK,
        layout::page("Your calendar", Nav::Calendar, &v.user.name, &v.csrf, body),
    )
}

/// `POST /calendar/new`: a new link; the old one stops working.
pub async fn replace(State(state): State<AppState>, v: Vendor, form: FormData) -> Response {
    if let Err(r) = form.check_csrf(&v.csrf) {
        return r;
    }
    let subject = Subject::Member(v.user.id.clone());
    match calendar::replace(&state.app, v.workspace(), &subject, &v.by(&state)).await {
        Ok(_) => see_other("/calendar#link"),
        Err(e) => layout::internal(&e.to_string()),
    }
}

/// The portal's calendar section for a customer person.
pub async fn portal_section(state: &AppState, c: &Customer) -> Markup {
    let s = &c.session;
    let subject = Subject::Customer {
        project: s.project_id.clone(),
        person: s.person_id,
    };
    match calendar::links(&state.app, &s.workspace_id, &subject).await {
        Ok(links) => html! {
            section id="calendar" aria-labelledby="calendar-h" {
                h2 id="calendar-h" { "Add these dates to your calendar" }
                p { "Your tasks' due dates, the meetings, training sessions and go-live, kept up to date in Google Calendar, Outlook or Apple Calendar." }
                (links_block(&links, "/portal/calendar/new", &c.csrf))
            }
        },
        // The page is still useful without its calendar link.
        Err(e) => {
            tracing::warn!(error = %e, "calendar link for the portal");
            html! {}
        }
    }
}

/// `POST /portal/calendar/new`: a customer's new link.
pub async fn portal_replace(
    State(state): State<AppState>,
    c: Customer,
    ConnectedFrom(address): ConnectedFrom,
    form: FormData,
) -> Response {
    if let Err(r) = form.check_csrf(&c.csrf) {
        return r;
    }
    let s = &c.session;
    let subject = Subject::Customer {
        project: s.project_id.clone(),
        person: s.person_id,
    };
    let by = By::new(
        format!(
            "customer person {} of project {}",
            s.person_id, s.project_id
        ),
        address.audit(),
        state.now(),
    );
    match calendar::replace(&state.app, &s.workspace_id, &subject, &by).await {
        Ok(_) => see_other("/portal#calendar"),
        Err(e) => layout::internal(&e.to_string()),
    }
}

fn per_project(url: &str, project: &str) -> String {
    match url.strip_suffix(".ics") {
        Some(stem) => format!("{stem}/{project}.ics"),
        None => url.to_owned(),
    }
}

fn links_block(links: &FeedLinks, replace_action: &str, csrf: &str) -> Markup {
    html! {
        div id="link" class="card" {
            p { a class="button" href=(links.webcal) { "Open in your calendar program" } }
            p {
                label for="feed-url" { "Or copy this address into your calendar's “subscribe by URL” (Google Calendar: Other calendars → From URL; Outlook: Add calendar → Subscribe from web):" }
                input id="feed-url" type="text" readonly value=(links.url) class="wrap";
            }
            p class="muted small" { "Anyone with this address sees these dates, so keep it to yourself. If it got out, make a new one: the old address stops working at once." }
            form method="post" action=(replace_action) {
                input type="hidden" name="csrf" value=(csrf);
                button type="submit" class="secondary" { "Make a new address" }
            }
        }
    }
}
