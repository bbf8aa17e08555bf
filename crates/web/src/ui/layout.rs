//! The page shell, navigation and the form widgets every page shares (label, input, the error
//! of that field, the value typed kept after a refusal).

use axum::http::StatusCode;
use axum::response::Response;
use finishline_core::gates::GateReport;
use finishline_core::health::{Health, HealthLevel};
use maud::{html, Markup, PreEscaped, Render, DOCTYPE};

use crate::ui::assets;
use crate::ui::form::{html as html_response, FormState};

/// htmx settings: swap refused forms (422, and 413 for a file over the limit) like successes, and
/// inject no inline style (CSP).
const HTMX_CONFIG: &str = r#"{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false,"responseHandling":[{"code":"204","swap":false},{"code":"[23]..","swap":true},{"code":"422","swap":true},{"code":"413","swap":true},{"code":"403","swap":true},{"code":"[45]..","swap":false,"error":true}]}"#;

fn head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            meta name="htmx-config" content=(HTMX_CONFIG);
            title { (title) " · Finishline" }
            link rel="stylesheet" href=(assets::css_url());
            script src=(assets::htmx_url()) defer {}
            script src=(assets::upload_url()) defer {}
            link rel="stylesheet" href=(assets::workspace_css_url());
            script src=(assets::page_url()) defer {}
        }
    }
}

/// A page without navigation (sign-in, messages).
pub fn bare(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            (head(title))
            body { (body) }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    Portfolio,
    Analytics,
    Handoff,
    Playbooks,
    Calendar,
    Time,
    Team,
    Settings,
}

/// A page of the vendor workspace.
pub fn page(title: &str, nav: Nav, user: &str, csrf: &str, body: impl Render) -> Markup {
    let item = |n: Nav, href: &str, label: &str| {
        html! {
            a href=(href) aria-current=[(n == nav).then_some("page")] { (label) }
        }
    };
    html! {
        (DOCTYPE)
        html lang="en" {
            (head(title))
            body hx-boost="true" {
                a class="skip" href="#main" { "Skip to content" }
                header class="top" {
                    a class="brand" href="/" { "Finishline" }
                    nav aria-label="Main" {
                        (item(Nav::Portfolio, "/", "Portfolio"))
                        (item(Nav::Analytics, "/analytics", "Analytics"))
                        (item(Nav::Handoff, "/handoff", "New handoff"))
                        (item(Nav::Playbooks, "/playbooks", "Playbooks"))
                        (item(Nav::Calendar, "/calendar", "Calendar"))
                        (item(Nav::Time, "/time", "Timesheet"))
                        (item(Nav::Team, "/team", "Team"))
                        (item(Nav::Settings, "/settings", "Settings"))
                    }
                    form method="post" action="/logout" class="logout" {
                        input type="hidden" name="csrf" value=(csrf);
                        span class="who" { (user) }
                        button type="submit" class="link" { "Sign out" }
                    }
                }
                main id="main" { (body) }
            }
        }
    }
}

/// A page of the customer portal.
pub fn portal_page(
    title: &str,
    customer: &str,
    who: &str,
    csrf: Option<&str>,
    body: Markup,
) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            (head(title))
            body hx-boost="true" class="portal" {
                a class="skip" href="#main" { "Skip to content" }
                header class="top" {
                    span class="brand" { (customer) " · Finishline" }
                    @if let Some(csrf) = csrf {
                        form method="post" action="/portal/logout" class="logout" {
                            input type="hidden" name="csrf" value=(csrf);
                            span class="who" { (who) }
                            button type="submit" class="link" { "Sign out" }
                        }
                    } @else {
                        span class="who" { (who) }
                    }
                }
                main id="main" { (body) }
            }
        }
    }
}

/// A refusal to do the work now (locked out, too busy) as a page, with its `Retry-After`.
pub fn refusal_page(r: &crate::throttle::Refusal) -> Response {
    r.with_retry_after(error_page(r.status, r.title, &r.detail))
}

pub fn error_page(status: StatusCode, title: &str, detail: &str) -> Response {
    html_response(
        status,
        bare(
            title,
            html! {
                main class="login" id="main" {
                    h1 { (title) }
                    p { (detail) }
                    p { a href="/" { "Back to the start" } }
                }
            },
        ),
    )
}

pub fn portal_message(status: StatusCode, title: &str, detail: &str) -> Response {
    html_response(
        status,
        bare(
            title,
            html! {
                main class="login" id="main" {
                    h1 { (title) }
                    p { (detail) }
                }
            },
        ),
    )
}

pub fn not_found(what: &str) -> Response {
    error_page(
        StatusCode::NOT_FOUND,
        "Not found",
        &format!("{what} was not found in this workspace."),
    )
}

/// A server failure: logged in full, shown without detail.
pub fn internal(detail: &str) -> Response {
    tracing::error!(error = %detail, "page failed");
    error_page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong",
        "The server could not answer. Try again in a moment.",
    )
}

/// The widgets of one form instance, with its refused state when it is the one refused.
pub struct Fields<'a> {
    st: Option<&'a FormState>,
    pub key: String,
}

impl<'a> Fields<'a> {
    pub fn new(st: Option<&'a FormState>, key: &str) -> Self {
        let st = st.filter(|s| s.form == key);
        Fields {
            st,
            key: key.to_string(),
        }
    }

    fn id(&self, name: &str) -> String {
        format!("{}-{}", self.key, name)
            .replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "-")
    }

    pub fn value(&self, name: &str, default: &str) -> String {
        self.st
            .and_then(|s| s.values.get(name).cloned())
            .unwrap_or_else(|| default.to_string())
    }

    pub fn error(&self, name: &str) -> Option<String> {
        self.st.and_then(|s| {
            let errs: Vec<&str> = s
                .errors
                .iter()
                .filter(|(f, _)| f == name)
                .map(|(_, m)| m.as_str())
                .collect();
            (!errs.is_empty()).then(|| errs.join("; "))
        })
    }

    /// The hidden fields every form carries: the CSRF token and which form this is.
    pub fn hidden(&self, csrf: &str) -> Markup {
        html! {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="_form" value=(self.key);
        }
    }

    /// The id of the form's refusal, which the summary at the top of the page links to.
    pub fn refusal_id(&self) -> String {
        format!("refused-{}", self.id("form"))
    }

    /// The refusal of the whole form (a rule, a gate), shown above its fields; the page moves to
    /// it when it is shown (`data-reveal`, see `assets/page.js`).
    pub fn message(&self) -> Markup {
        html! {
            @if let Some(st) = self.st {
                @if let Some(m) = &st.message {
                    div class="refusal" role="alert" id=(self.refusal_id()) tabindex="-1" data-reveal {
                        p { strong { "Not done: " } (m) }
                        @if let Some(g) = &st.gate { (gate_failures(g)) }
                    }
                }
            }
        }
    }

    fn wrap(&self, name: &str, label: &str, control: Markup) -> Markup {
        let err = self.error(name);
        html! {
            div class={ "field" @if err.is_some() { " invalid" } } {
                label for=(self.id(name)) { (label) }
                (control)
                @if let Some(e) = err {
                    p class="error" id=(format!("{}-err", self.id(name))) { (e) }
                }
            }
        }
    }

    pub fn input(
        &self,
        name: &str,
        label: &str,
        kind: &str,
        default: &str,
        required: bool,
    ) -> Markup {
        let value = if kind == "password" {
            String::new()
        } else {
            self.value(name, default)
        };
        let err = self.error(name).is_some();
        let control = html! {
            input type=(kind) id=(self.id(name)) name=(name) value=(value) required[required]
                aria-invalid=[err.then_some("true")]
                aria-describedby=[err.then(|| format!("{}-err", self.id(name)))];
        };
        self.wrap(name, label, control)
    }

    pub fn textarea(&self, name: &str, label: &str, default: &str, required: bool) -> Markup {
        let err = self.error(name).is_some();
        let control = html! {
            textarea id=(self.id(name)) name=(name) rows="3" required[required]
                aria-invalid=[err.then_some("true")]
                aria-describedby=[err.then(|| format!("{}-err", self.id(name)))] { (self.value(name, default)) }
        };
        self.wrap(name, label, control)
    }

    pub fn select(
        &self,
        name: &str,
        label: &str,
        options: &[(String, String)],
        default: &str,
    ) -> Markup {
        let current = self.value(name, default);
        let err = self.error(name).is_some();
        let control = html! {
            select id=(self.id(name)) name=(name)
                aria-invalid=[err.then_some("true")]
                aria-describedby=[err.then(|| format!("{}-err", self.id(name)))] {
                @for (v, l) in options {
                    option value=(v) selected[*v == current] { (l) }
                }
            }
        };
        self.wrap(name, label, control)
    }

    pub fn checkbox(&self, name: &str, label: &str, default: bool) -> Markup {
        let checked = match self.st {
            Some(s) => s.values.contains_key(name),
            None => default,
        };
        html! {
            div class="field check" {
                input type="checkbox" id=(self.id(name)) name=(name) value="on" checked[checked];
                label for=(self.id(name)) { (label) }
            }
        }
    }

    pub fn file(&self, name: &str, label: &str) -> Markup {
        let control = html! { input type="file" id=(self.id(name)) name=(name); };
        self.wrap(name, label, control)
    }
}

/// A page body with a refusal shown once: next to its form when the body has that form (each form
/// shows its own), otherwise at the top with every field's error — a form sent without its
/// `_form` key, or one the page no longer offers (a project that moved on, a section not shown
/// in its current stage).
pub fn with_refusal(st: &FormState, body: Markup) -> Markup {
    let Some(message) = &st.message else {
        return body;
    };
    // Every form carries its key in this same hidden input, escaped the same way.
    let key = html! { input type="hidden" name="_form" value=(st.form); };
    if !st.form.is_empty() && body.0.contains(&key.0) {
        // Shown at its form (which the page moves to), and summarised here with a link to it.
        let target = Fields::new(Some(st), &st.form).refusal_id();
        return html! {
            div class="refusal-summary" role="note" {
                p { strong { "Refused below: " } (message) " " a href=(format!("#{target}")) { "Go to the form" } }
            }
            (body)
        };
    }
    html! {
        div class="refusal" role="alert" {
            p { strong { "Not done: " } (message) }
            @if let Some(g) = &st.gate { (gate_failures(g)) }
            @if !st.errors.is_empty() { ul { @for (_, e) in &st.errors { li { (e) } } } }
        }
        (body)
    }
}

/// Every failing item of a gate with its reason.
pub fn gate_failures(report: &GateReport) -> Markup {
    html! {
        ul class="gate-failing" {
            @for i in report.failing() {
                li { strong { (i.label) } " — " (i.reason) }
            }
        }
    }
}

/// A gate as a checklist: each item ticked or failing with its reason.
pub fn gate_checklist(report: &GateReport) -> Markup {
    html! {
        div class="gate" {
            h3 {
                (crate::ui::form::gate_title(report.gate)) " "
                @if report.ready { span class="badge ok" { "ready" } } @else { span class="badge bad" { "not ready" } }
            }
            ul class="checklist" {
                @for i in &report.items {
                    li class=(if i.ok { "ok" } else { "fail" }) {
                        span class="mark" aria-hidden="true" { (if i.ok { "✓" } else { "✗" }) }
                        span class="sr-only" { (if i.ok { "passes: " } else { "fails: " }) }
                        (i.label)
                        @if !i.ok { div class="reason" { (i.reason) } }
                    }
                }
            }
        }
    }
}

pub fn health_badge(h: &Health) -> Markup {
    let class = match h.level {
        HealthLevel::OnTrack => "badge ok",
        HealthLevel::AtRisk => "badge warn",
        HealthLevel::OffTrack => "badge bad",
    };
    html! { span class=(class) { (h.level.label()) } }
}

pub fn days(n: i64) -> String {
    match n {
        1 | -1 => format!("{n} day"),
        _ => format!("{n} days"),
    }
}

pub fn days_f(n: f64) -> String {
    format!("{n:.1} d")
}

pub fn nbsp() -> Markup {
    PreEscaped("&nbsp;".to_string())
}
