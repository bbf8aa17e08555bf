//! The handoff from sales: what was sold, the champion and timeline, and the sales promises,
//! classified, with the over-promises resolved into scope, to later, or declined (R3).

use finishline_core::people::Side;
use finishline_core::project::Project;
use maud::{html, Markup};

use super::occasional::{links, offered};
use super::options::promise_classes;
use super::parts::{action_form, key, people_opts, section, with_blank};
use crate::ui::form::FormState;
use crate::ui::layout::Fields;

/// The over-promises, the unresolved first.
fn over_promises(p: &Project) -> Vec<&finishline_core::handoff::Promise> {
    let mut over: Vec<_> = p
        .handoff
        .promises
        .iter()
        .filter(|x| x.class.is_over_promise())
        .collect();
    over.sort_by_key(|x| (x.resolution.is_some(), x.id));
    over
}

/// How an over-promise was resolved, in words.
fn resolution_words(p: &Project, r: &finishline_core::handoff::PromiseResolution) -> String {
    use finishline_core::handoff::PromiseResolution as R;
    match r {
        R::IntoScope { plan, scope } => match scope {
            Some(s) => format!("into scope as \u{201c}{s}\u{201d}; plan: {plan}"),
            None => format!("into scope; plan: {plan}"),
        },
        R::Later { acknowledged_by } => {
            format!("later, acknowledged by {}", p.person_name(*acknowledged_by))
        }
        R::Declined { reason } => format!("declined: {reason}"),
    }
}

/// The handoff section: the promises and the forms that classify and resolve them.
pub(super) fn handoff(p: &Project, st: &FormState, csrf: &str) -> Markup {
    let f = |k: &str| Fields::new(Some(st), k);
    let customers = people_opts(p, |x| x.side == Side::Customer);
    section(
        "handoff",
        "Handoff and sales promises",
        html! {
            p { strong { "Sold: " } (p.handoff.sold) }
            p class="small muted" { "Champion: " (p.handoff.champion) " · expected timeline: " (p.handoff.expected_timeline) " · AE: " (p.handoff.account_executive) " · contract " (p.handoff.contract_date) }
            @if p.handoff.promises.is_empty() { p class="muted" { "No promises recorded." } }
            ul { @for pr in &p.handoff.promises {
                li {
                    "#" (pr.id) " " (pr.text) " — " span class=(if pr.class.is_over_promise() { "badge warn" } else { "badge ok" }) { (key(&pr.class).replace('_', " ")) }
                    @if let Some(r) = &pr.resolution { " " span class="badge ok" { "resolved" } " " span class="small" { (resolution_words(p, r)) } }
                    @else if pr.is_unresolved() { " " span class="badge bad" { "unresolved" } }
                }
            } }
            (links(p, &offered(p, "handoff")))
            @if !p.handoff.promises.is_empty() {
                @let unclassified = p.handoff.promises.iter().find(|x| x.class == finishline_core::handoff::PromiseClass::Unclassified).map(|x| x.id.to_string()).unwrap_or_default();
                // Over-promises, the unresolved first: the form starts on one that needs it.
                @let over = over_promises(p);
                @let over_opts: Vec<(String, String)> = over.iter().map(|x| (x.id.to_string(), format!("#{} {}{}", x.id, x.text, if x.resolution.is_some() { " (resolved)" } else { "" }))).collect();
                @let first_open = over.iter().find(|x| x.is_unresolved()).map(|x| x.id.to_string()).unwrap_or_default();
                div class="forms" {
                    @let fc = f("classify_promise");
                    (action_form(p, "classify_promise", &fc, csrf, "Classify", false, html! {
                        h3 { "Classify a promise" }
                        (fc.select("promise", "Promise", &p.handoff.promises.iter().map(|x| (x.id.to_string(), format!("#{} {}", x.id, x.text))).collect::<Vec<_>>(), &unclassified))
                        (fc.select("class", "Class", &promise_classes(), ""))
                    }))
                    @if !over.is_empty() {
                        @let fr = f("resolve_promise");
                        // One button per outcome, each with the fields that outcome needs: moving
                        // a promise into scope asks what scope will say and the plan.
                        form method="post" action=(format!("/projects/{}/actions/resolve_promise", p.id)) class="action" {
                            (fr.hidden(csrf))
                            (fr.message())
                            h3 { "Resolve an over-promise" }
                            @if first_open.is_empty() { p class="small muted" { "Every over-promise is resolved; choose one to change how." } }
                            (fr.select("promise", "Promise", &over_opts, &first_open))
                            fieldset {
                                legend { "Into scope with a plan" }
                                (fr.input("scope", "What phase one's scope will say", "text", "", false))
                                (fr.input("plan", "The plan to deliver it", "text", "", false))
                                button type="submit" name="outcome" value="into_scope" { "Bring into scope" }
                            }
                            fieldset {
                                legend { "Later, acknowledged by the customer" }
                                (fr.select("acknowledged_by", "Acknowledged by (a customer person)", &with_blank("—", customers.clone()), ""))
                                button type="submit" name="outcome" value="later" class="secondary" { "Move to later" }
                            }
                            fieldset {
                                legend { "Declined" }
                                (fr.input("reason", "The reason given to the customer", "text", "", false))
                                button type="submit" name="outcome" value="declined" class="secondary" { "Decline" }
                            }
                        }
                    }
                }
            }
        },
    )
}
