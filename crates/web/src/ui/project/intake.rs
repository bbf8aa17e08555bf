//! Intake, access, data and risks: the questions asked of the customer, the access to be
//! granted either way, the data sources with their samples, and the risks to launch.

use finishline_core::people::Side;
use finishline_core::project::Project;
use maud::{html, Markup};

use super::occasional::{links, offered};
use super::options::{intake_kinds, sample_states};
use super::parts::{action_form, key, people_opts, row_action, section, with_blank};
use crate::ui::form::FormState;
use crate::ui::layout::Fields;

/// The intake section: what was asked and granted, the data sources and risks, and their forms.
pub(super) fn intake(p: &Project, st: &FormState, csrf: &str) -> Markup {
    let f = |k: &str| Fields::new(Some(st), k);
    let everyone = people_opts(p, |_| true);
    let customers = people_opts(p, |x| x.side == Side::Customer);
    section(
        "intake",
        "Intake, access, data and risks",
        html! {
            div class="cols" {
                div {
                    h3 { "Intake requests" }
                    ul { @for r in &p.intake { li {
                        (r.question) " — " (p.person_name(r.owner)) ", due " (r.due)
                        @match &r.answer { Some(a) => div class="small" { "answered: " (a) }, None => { " " span class="badge" { "open" } } }
                    } } }
                    @if p.intake.is_empty() { p class="muted" { "None." } }
                }
                div {
                    h3 { "Access" }
                    (f("grant_access").message())
                    ul { @for a in &p.access { li {
                        (a.what) " — granted by " (p.person_name(a.grantor)) ", due " (a.due)
                        @if a.granted_at.is_some() { " " span class="badge ok" { "granted" } } @else {
                            " " span class="badge" { "open" } " "
                            (row_action(p, "grant_access", csrf, &[("item", a.id.to_string())], "Mark granted"))
                        }
                    } } }
                    @if p.access.is_empty() { p class="muted" { "None." } }
                }
                div {
                    h3 { "Data sources" }
                    ul { @for s in &p.data_sources { li { (s.name) " (" (s.system) ") — sample " (key(&s.sample).replace('_', " ")) } } }
                    h3 { "Risks" }
                    ul { @for r in &p.risks { li { (r.text) } } }
                    @if p.no_known_risks { p class="muted" { "None known (stated)." } }
                    @else if p.risks.is_empty() {
                        (f("confirm_no_known_risks").message())
                        p class="muted small" { "No risk recorded. " (row_action(p, "confirm_no_known_risks", csrf, &[], "State that none are known")) }
                    }
                }
            }
            (links(p, &offered(p, "intake")))
            div class="forms" {
                @let fi = f("add_intake_request");
                (action_form(p, "add_intake_request", &fi, csrf, "Ask", false, html! {
                    h3 { "Ask the customer" }
                    (fi.select("kind", "Kind", &intake_kinds(), "other"))
                    (fi.input("question", "Question", "text", "", true))
                    (fi.select("owner", "Who answers", &with_blank("choose a person", customers.clone()), ""))
                    (fi.input("due", "Due", "date", "", true))
                }))
                @let fx = f("add_access_item");
                (action_form(p, "add_access_item", &fx, csrf, "Ask for access", false, html! {
                    h3 { "Access needed" }
                    (fx.input("what", "What access (SSO, API key, admin account…)", "text", "", true))
                    (fx.select("direction", "Direction", &[("customer_to_vendor".into(), "the customer grants us".into()), ("vendor_to_customer".into(), "we grant the customer".into())], "customer_to_vendor"))
                    (fx.select("grantor", "Who grants it", &with_blank("choose a person", everyone.clone()), ""))
                    (fx.input("due", "Due", "date", "", true))
                }))
                @let fd = f("add_data_source");
                (action_form(p, "add_data_source", &fd, csrf, "Add source", false, html! {
                    h3 { "Data source" }
                    (fd.input("name", "Name", "text", "", true))
                    (fd.input("system", "System", "text", "", false))
                    (fd.select("sample", "Sample", &sample_states(), "requested"))
                }))
                @let fr = f("add_risk");
                (action_form(p, "add_risk", &fr, csrf, "Add risk", false, html! {
                    h3 { "Risk" }
                    (fr.input("text", "Risk to launch", "text", "", true))
                }))
            }
        },
    )
}
