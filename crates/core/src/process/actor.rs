//! An activity names its actor as text ("Dana Reyes (vendor)", "system"), as shown to people;
//! exports relate events to person objects, so the text is matched back to the project's people.

use crate::people::{Person, Side};
use crate::project::Project;

/// The project's person an activity's actor names, if any: the name before a trailing
/// "(vendor)" or "(customer)" on that side, or the bare name when it is unique in the project.
/// "system" and people no longer on the project match nobody.
pub fn person_of_actor<'p>(project: &'p Project, actor: &str) -> Option<&'p Person> {
    let actor = actor.trim();
    let (name, side) = if let Some(n) = actor.strip_suffix("(vendor)") {
        (n.trim(), Some(Side::Vendor))
    } else if let Some(n) = actor.strip_suffix("(customer)") {
        (n.trim(), Some(Side::Customer))
    } else {
        (actor, None)
    };
    let mut matching = project
        .people
        .iter()
        .filter(|p| p.name == name && side.is_none_or(|s| p.side == s));
    let first = matching.next()?;
    // Two people of one side with the same name: which one acted is unknown, so neither.
    matching.next().is_none().then_some(first)
}
