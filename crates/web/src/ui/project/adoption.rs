//! After go-live: adoption readings (and the intervention when adoption stalls), the transition
//! packet handed to customer success, and the retrospective (R13).

use finishline_core::people::Role;
use finishline_core::project::{Project, RetroBucket};
use maud::{html, Markup};

use super::occasional::{links, offered};
use super::options::{interventions, retro_kind_label, retro_kinds};
use super::parts::{action_form, people_opts, row_action, section, with_blank};
use crate::ui::form::FormState;
use crate::ui::layout::Fields;

/// The adoption section: the readings, the transition packet and, once live, their forms.
pub(super) fn adoption(p: &Project, st: &FormState, csrf: &str) -> Markup {
    let f = |k: &str| Fields::new(Some(st), k);
    let csms = people_opts(p, |x| x.role == Role::RenewalCsm);
    section(
        "adoption",
        "Adoption and transition",
        html! {
            @if p.adoption.is_empty() { p class="muted" { "No adoption reading yet (measured after go-live)." } }
            ul { @for r in p.adoption.iter().rev() { li {
                (r.at.date_naive()) ": " (r.active_users) " of " (r.trained_users) " trained users active"
                @if let Some(n) = r.logins_first_week { " · " (n) " first-week logins" }
                @if let Some(n) = r.support_questions { " · " (n) " support questions" }
                @if !r.stall_reasons.is_empty() { " " span class="badge warn" { "stalled: " (r.stall_reasons.join("; ")) } }
            } } }
            h3 { "Transition to customer success" }
            @match &p.transition {
                Some(t) => p {
                    "Packet for " (p.person_name(t.renewal_csm)) ", prepared " (t.prepared_at.date_naive()) " · "
                    @if let Some(at) = t.accepted_at { span class="badge ok" { "accepted " (at.date_naive()) } }
                    @else { span class="badge warn" { "not accepted yet" } " " (row_action(p, "accept_transition", csrf, &[], "Accept the packet")) span class="small muted" { " (the renewal CSM accepts it, signed in as themself)" } }
                    div class="small" { (t.notes) }
                },
                None => p class="muted" { "No transition packet yet." },
            }
            (f("accept_transition").message())
            // Adoption is measured, and the packet handed over, once the project is live.
            @if p.stage.is_live() { div class="forms" {
                @let fa = f("record_adoption");
                (action_form(p, "record_adoption", &fa, csrf, "Record adoption", false, html! {
                    h3 { "Adoption reading" }
                    div class="row" {
                        (fa.input("active_users", "Active users (last 7 days)", "number", "", true))
                        (fa.input("trained_users", "Trained users", "number", "", true))
                    }
                    div class="row" {
                        (fa.input("logins_first_week", "First-week logins", "number", "", false))
                        (fa.input("support_questions", "Support questions", "number", "", false))
                    }
                    (fa.input("key_features_unused", "Key features unused (comma-separated)", "text", "", false))
                    (fa.select("intervention", "If it stalled: intervention", &interventions(), ""))
                }))
                @let fp = f("prepare_transition");
                (action_form(p, "prepare_transition", &fp, csrf, "Prepare packet", false, html! {
                    h3 { "Transition packet" }
                    (fp.select("renewal_csm", "Renewal CSM", &with_blank(if csms.is_empty() { "add a person with the renewal CSM role first" } else { "choose a person" }, csms.clone()), ""))
                    (fp.textarea("notes", "Notes for customer success (goals, risks, contacts)", "", true))
                }))
            } }
        },
    )
}

/// R13: what the rollout taught, sorted into rollout work and product work; rollout fixes can be
/// promoted into a playbook.
pub(super) fn retro(p: &Project, st: &FormState, csrf: &str) -> Markup {
    let f = |k: &str| Fields::new(Some(st), k);
    section(
        "retro",
        "Retrospective",
        html! {
            div class="cols" {
                @for (bucket, title) in [(RetroBucket::RolloutWork, "Rollout work"), (RetroBucket::ProductWork, "Product work")] {
                    div {
                        h3 { (title) }
                        ul { @for r in p.retro.iter().filter(|r| r.bucket == bucket) { li {
                            (r.text) " " span class="muted small" { "(" (retro_kind_label(r.kind)) ")" }
                            @if let Some(pb) = &r.promoted_to { " " span class="badge ok" { "in playbook " (pb) } }
                        } } }
                        @if !p.retro.iter().any(|r| r.bucket == bucket) { p class="muted" { "Nothing yet." } }
                    }
                }
            }
            (links(p, &offered(p, "retro")))
            div class="forms" {
                @let fa = f("add_retro_item");
                (action_form(p, "add_retro_item", &fa, csrf, "Add", false, html! {
                    h3 { "Add to the retrospective" }
                    (fa.input("text", "What happened", "text", "", true))
                    div class="row" {
                        (fa.select("kind", "Kind", &retro_kinds(), ""))
                        (fa.select("bucket", "Whose work", &[("rollout_work".into(), "rollout work".into()), ("product_work".into(), "product work".into())], "rollout_work"))
                    }
                }))
            }
        },
    )
}
