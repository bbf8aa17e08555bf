//! The page behind a rating link in an email (issue 17): `/rate/{token}`, for a customer person
//! who is not signed in. The score is in the signed link; the page shows the question and the
//! score chosen, takes an optional comment, and records the rating on a click (a GET changes
//! nothing: mail scanners follow every link of an email, and would otherwise rate with the first
//! score they fetched). A rating is given once: a second use of any of the email's links says it
//! was already given, with the score that stands.

use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use finishline_app::notify::tokens::{verify, Claims, LinkAction};
use finishline_app::AppError;
use finishline_core::command::Ctx;
use finishline_core::people::{Person, Side};
use finishline_core::rule::Rule;
use finishline_core::survey::{response_of, Milestone, SurveyResponse, MAX_COMMENT};
use finishline_core::{Command, DomainError, Project};
use maud::{html, Markup};

use crate::state::AppState;
use crate::ui::form::{csrf_token, html as html_response, FormData};
use crate::ui::layout;
use crate::ui::session::{
    checked_pre_session, cookie_from_headers, no_session_form_page, pre_session_csrf,
    PRE_SESSION_COOKIE,
};
use finishline_app::commands::run_command;

/// What a verified rating link names, read from the project as it is now.
struct Link {
    claims: Claims,
    milestone: Milestone,
    score: u8,
    project: Project,
    person: Person,
}

/// The link's claims and the project and customer person they name, or the page saying why the
/// link does not work (403 for a link that is not a genuine, unexpired rating link; 404 when
/// the project or person is gone: the link guard counts both against the address).
async fn read_link(state: &AppState, token: &str) -> Result<Link, Response> {
    let no = |status: StatusCode, why: &str| {
        layout::portal_message(status, "This link does not work", why)
    };
    let claims = match verify(&state.app, token, state.now()).await {
        Ok(c) => c,
        Err(AppError::Forbidden(why)) => return Err(no(StatusCode::FORBIDDEN, &why)),
        Err(e) => return Err(layout::internal(&e.to_string())),
    };
    let (LinkAction::Rate, Some(project), Some(person), Some(milestone), Some(score)) = (
        claims.act,
        claims.project.clone(),
        claims.person,
        claims.milestone,
        claims.score,
    ) else {
        return Err(no(StatusCode::FORBIDDEN, "This is not a rating link."));
    };
    let project = match state.app.store.project(&claims.ws, &project).await {
        Ok(Some((p, _))) => p,
        Ok(None) => {
            return Err(no(
                StatusCode::NOT_FOUND,
                "The project of this link is no longer available.",
            ))
        }
        Err(e) => return Err(layout::internal(&e.to_string())),
    };
    let Some(person) = project
        .person(person)
        .filter(|x| x.side == Side::Customer)
        .cloned()
    else {
        return Err(no(
            StatusCode::NOT_FOUND,
            "You are no longer part of this project.",
        ));
    };
    Ok(Link {
        claims,
        milestone,
        score,
        project,
        person,
    })
}

fn shell(title: &str, body: Markup) -> Markup {
    layout::bare(
        title,
        html! {
            main class="login" id="main" {
                (body)
            }
        },
    )
}

/// The rating that stands, as its giver sees it.
fn given(link: &Link, r: &SurveyResponse) -> Markup {
    html! {
        h1 { "You already rated this" }
        p {
            "Your rating of " strong { (link.project.name) } " " (r.milestone.label()) " is "
            strong { (r.score) " of " (r.question.max()) } ", given on " (r.at.format("%-d %B %Y")) "."
        }
        @if !r.comment.is_empty() { blockquote { (r.comment) } }
        p class="muted" { "A rating is given once and cannot be changed. Thank you for it." }
    }
}

/// `GET /rate/{token}`: the question, the score chosen and a comment box; nothing is recorded.
pub async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Response {
    let link = match read_link(&state, &token).await {
        Ok(l) => l,
        Err(r) => return r,
    };
    if let Some(r) = response_of(&link.project, link.person.id, link.milestone) {
        return html_response(StatusCode::OK, shell("Already rated", given(&link, r)));
    }
    let (csrf, set) = pre_session_csrf(
        cookie_from_headers(&headers, PRE_SESSION_COOKIE),
        state.config.secure_cookies,
    );
    let markup = form_page(&link, &token, &csrf, "", None);
    no_session_form_page(markup, set)
}

fn form_page(link: &Link, token: &str, csrf: &str, comment: &str, error: Option<&str>) -> Markup {
    let p = &link.project;
    let ask = p.surveys.iter().find(|a| a.milestone == link.milestone);
    let question = ask.map(|a| a.question);
    let (low, high) = question.map_or(("", ""), |q| q.ends());
    shell(
        "Rate your rollout",
        html! {
            p class="muted small" { (p.name) " · " (p.customer) }
            h1 { "One question, " (link.person.name) }
            @if let Some(q) = question {
                p { (q.prompt(link.milestone)) }
                p class="rating-chosen" {
                    "Your rating: " strong { (link.score) " of " (q.max()) }
                    " " span class="muted small" { "(1 " (low) ", " (q.max()) " " (high) ")" }
                }
            }
            @if let Some(e) = error {
                div class="refusal" role="alert" { p { (e) } }
            }
            form method="post" action=(format!("/rate/{token}")) class="card" {
                input type="hidden" name="csrf" value=(csrf);
                label for="comment" { "Anything you want to tell us? (optional)" }
                textarea id="comment" name="comment" rows="4" maxlength=(MAX_COMMENT) { (comment) }
                button type="submit" { "Send my rating" }
            }
            p class="muted small" {
                "You rate once; your rating cannot be changed afterwards. To give another score, use another link in the email. "
                "Your implementation team sees your rating and comment; nobody else does."
            }
        },
    )
}

/// `POST /rate/{token}`: records the rating with the comment, as the customer person the email
/// went to. A second rating of the same milestone is refused (409) with the one that stands.
pub async fn rate(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    form: FormData,
) -> Response {
    let pre = match checked_pre_session(&headers, &form, "the link in the email") {
        Ok(pre) => pre,
        Err(r) => return r,
    };
    let link = match read_link(&state, &token).await {
        Ok(l) => l,
        Err(r) => return r,
    };
    let comment = form.get("comment").to_string();
    let command = Command::RateMilestone {
        milestone: link.milestone,
        score: link.score,
        comment: comment.clone(),
    };
    let ctx = Ctx {
        actor: format!("{} (customer, from an email link)", link.person.name),
        person: Some(link.person.id),
        side: Side::Customer,
        now: state.now(),
    };
    let ran = run_command(
        &state.app.store,
        &link.claims.ws,
        &link.project.id,
        &command,
        |_| ctx.clone(),
    )
    .await;
    match ran {
        Ok((p, _, _)) => {
            let kept = response_of(&p, link.person.id, link.milestone).cloned();
            html_response(
                StatusCode::OK,
                shell(
                    "Thank you",
                    html! {
                        h1 { "Thank you" }
                        @if let Some(r) = kept {
                            p { "Your rating of " strong { (r.score) " of " (r.question.max()) } " is recorded; your implementation team sees it with your comment." }
                        }
                    },
                ),
            )
        }
        Err(AppError::Domain(DomainError::Rule {
            rule: Rule::Ratings,
            ..
        })) => {
            // Read again: the rating that stands may have been given a moment ago elsewhere.
            let stands = match read_link(&state, &token).await {
                Ok(l) => l,
                Err(r) => return r,
            };
            let body = match response_of(&stands.project, stands.person.id, stands.milestone) {
                Some(r) => given(&stands, r),
                None => html! { h1 { "Not recorded" } p { "This rating cannot be given." } },
            };
            html_response(StatusCode::CONFLICT, shell("Already rated", body))
        }
        Err(AppError::Domain(e)) => {
            let csrf = csrf_token(pre);
            let status = match e {
                DomainError::WrongStage { .. } => StatusCode::CONFLICT,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            html_response(
                status,
                form_page(&link, &token, &csrf, &comment, Some(&e.to_string())),
            )
        }
        Err(AppError::NotFound(_)) => layout::portal_message(
            StatusCode::NOT_FOUND,
            "This link does not work",
            "The project of this link is no longer available.",
        ),
        Err(AppError::Conflict(why)) => {
            layout::portal_message(StatusCode::CONFLICT, "Try again", &why)
        }
        Err(e) => layout::internal(&e.to_string()),
    }
}

/// The link guard of the rating routes: refused while the address is locked; a link refused
/// (403, 404) counts against the address and is audited.
pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    crate::auth::links::guard(&state, req, next, "rating link", |r| {
        layout::refusal_page(&r)
    })
    .await
}
