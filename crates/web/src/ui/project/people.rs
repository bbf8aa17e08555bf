//! People and roles: who is on the project on both sides, their roles and help contacts.

use finishline_core::people::{Role, Side};
use finishline_core::project::Project;
use maud::{html, Markup};

use super::occasional::{links, offered};
use super::options::roles;
use super::parts::{action_form, key, section};
use crate::ui::form::FormState;
use crate::ui::layout::Fields;

/// The role a new customer person most likely has: the first one kickoff still needs.
fn next_role(p: &Project) -> String {
    let has = |r: Role| {
        p.people
            .iter()
            .any(|x| x.side == Side::Customer && x.role == r)
    };
    [
        Role::CustomerOwner,
        Role::DecisionMaker,
        Role::BackupContact,
    ]
    .into_iter()
    .find(|r| !has(*r))
    .map_or_else(|| key(&Role::EndUser), |r| key(&r))
}

/// The people section: the table of people and the form that adds one.
pub(super) fn people(p: &Project, st: &FormState, csrf: &str) -> Markup {
    let f = |k: &str| Fields::new(Some(st), k);
    section(
        "people",
        "People and roles",
        html! {
            div class="table-wrap" { table {
                thead { tr { th scope="col" { "Name" } th scope="col" { "Role" } th scope="col" { "Side" } th scope="col" { "Email" } th scope="col" { "Help contact" } } }
                tbody { @for x in &p.people { tr {
                    td data-label="Name" { (x.name) } td data-label="Role" { (x.role.label()) } td data-label="Side" { (x.side.label()) }
                    td data-label="Email" { (x.email) }
                    td data-label="Help contact" { (x.help_contact.map(|h| p.person_name(h)).unwrap_or_default()) }
                } } }
            } }
            (links(p, &offered(p, "people")))
            @let fa = f("add_person");
            (action_form(p, "add_person", &fa, csrf, "Add person", false, html! {
                h3 { "Add a person" }
                div class="row" {
                    (fa.input("name", "Name", "text", "", true))
                    (fa.input("email", "Email", "email", "", true))
                    (fa.select("side", "Side", &[("customer".into(), "customer".into()), ("vendor".into(), "vendor".into())], "customer"))
                    (fa.select("role", "Role", &roles(), &next_role(p)))
                }
            }))
        },
    )
}
