//! People on both sides of a project and their roles (R1: one owner on each side, a decision
//! maker named, every task owned by one person).

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::command::{person_exists, Log};
use crate::error::{required_text, DomainError};
use crate::project::Project;
use crate::rule::Rule;

/// Which side of the implementation someone or something is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Vendor,
    Customer,
}

impl Side {
    pub fn label(self) -> &'static str {
        match self {
            Side::Vendor => "vendor",
            Side::Customer => "customer",
        }
    }
}

/// A person's role in one project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Vendor: hands the deal over.
    AccountExecutive,
    /// Vendor: owns the project end to end. Exactly one (R1).
    ImplementationOwner,
    /// Vendor: engineer, trainer, support — owns tasks.
    VendorTeammate,
    /// Vendor: receives the account at transition.
    RenewalCsm,
    /// Customer: the day-to-day contact. Exactly one (R1).
    CustomerOwner,
    /// Customer: stands in for the customer owner.
    BackupContact,
    /// Either side: approves scope changes and signs go / no-go.
    DecisionMaker,
    /// Customer: receives escalations (R9).
    ExecutiveSponsor,
    /// Customer: an admin of the product on the customer's side.
    CustomerAdmin,
    /// Customer: a day-to-day user of the product.
    EndUser,
}

impl Role {
    /// The side a role belongs to; `None` for roles that exist on both sides.
    pub fn side(self) -> Option<Side> {
        match self {
            Role::AccountExecutive
            | Role::ImplementationOwner
            | Role::VendorTeammate
            | Role::RenewalCsm => Some(Side::Vendor),
            Role::CustomerOwner
            | Role::BackupContact
            | Role::ExecutiveSponsor
            | Role::CustomerAdmin
            | Role::EndUser => Some(Side::Customer),
            Role::DecisionMaker => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::AccountExecutive => "account executive",
            Role::ImplementationOwner => "implementation owner",
            Role::VendorTeammate => "vendor teammate",
            Role::RenewalCsm => "renewal CSM",
            Role::CustomerOwner => "customer owner",
            Role::BackupContact => "backup contact",
            Role::DecisionMaker => "decision maker",
            Role::ExecutiveSponsor => "executive sponsor",
            Role::CustomerAdmin => "customer admin",
            Role::EndUser => "end user",
        }
    }

    /// Roles that a project holds at most once (R1).
    pub fn is_unique(self) -> bool {
        matches!(self, Role::ImplementationOwner | Role::CustomerOwner)
    }
}

/// A person in a project. Teams and departments are not people: tasks are owned by a `Person`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Person {
    pub id: u32,
    pub name: String,
    pub email: String,
    pub side: Side,
    pub role: Role,
    /// The workspace member behind a vendor person, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Who this person asks for help once live (G2: every user has a named help contact).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help_contact: Option<u32>,
}

impl Person {
    pub fn display(&self) -> String {
        format!(
            "{} ({}, {})",
            self.name,
            self.role.label(),
            self.side.label()
        )
    }
}

/// A minimal, forgiving e-mail check: something@something.tld, no spaces.
pub fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(char::is_whitespace)
}
/// R1: one vendor owner, one customer owner, a decision maker named, every task owned by one person.
pub fn r1_one_owner(project: &Project) -> Vec<String> {
    let mut failures = Vec::new();
    match project.with_role(Role::ImplementationOwner).count() {
        0 => failures.push("no vendor implementation owner: assign one person".to_string()),
        1 => {}
        n => failures.push(format!(
            "{n} vendor implementation owners: exactly one may own the project"
        )),
    }
    match project.with_role(Role::CustomerOwner).count() {
        0 => failures.push("no customer owner: name the customer's day-to-day contact".to_string()),
        1 => {}
        n => failures.push(format!(
            "{n} customer owners: exactly one may own the customer side"
        )),
    }
    if project.decision_maker(Side::Customer).is_none() {
        failures.push("no customer decision maker named".to_string());
    }
    let unowned: Vec<String> = project
        .tasks
        .iter()
        .filter(|t| t.is_open() && t.owner.is_none())
        .map(|t| format!("task {} \"{}\"", t.id, t.title))
        .collect();
    if !unowned.is_empty() {
        failures.push(format!("tasks without an owner: {}", unowned.join(", ")));
    }
    failures
}

/// Adds a person to the project (R1: the unique roles, one holder each) and gives the tasks of
/// their role to them.
pub(crate) fn add_person(
    p: &mut Project,
    log: &mut Log,
    name: String,
    email: String,
    side: Side,
    role: Role,
    user_id: Option<String>,
) -> Result<(), DomainError> {
    let name = required_text("name", &name)?;
    let email = email.trim().to_lowercase();
    if !valid_email(&email) {
        return Err(DomainError::invalid(
            "email",
            format!("\"{email}\" is not an e-mail address"),
        ));
    }
    if let Some(role_side) = role.side() {
        if role_side != side {
            return Err(DomainError::invalid(
                "role",
                format!("a {} is on the {} side", role.label(), role_side.label()),
            ));
        }
    }
    if p.people.iter().any(|x| x.email == email) {
        return Err(DomainError::invalid(
            "email",
            format!("{email} is already in this project"),
        ));
    }
    if role.is_unique() {
        if let Some(existing) = p.first_with_role(role) {
            return Err(DomainError::rule(
                Rule::R1,
                format!(
                    "{} is already the {}: change their role first, a project has exactly one",
                    existing.name,
                    role.label()
                ),
            ));
        }
    }
    let id = p.take_id();
    p.people.push(Person {
        id,
        name: name.clone(),
        email: email.clone(),
        side,
        role,
        user_id,
        help_contact: None,
    });
    log.push(
        "person.added",
        format!("person:{id}"),
        format!("{name} added as {} ({})", role.label(), side.label()),
        None,
        Some(json!({ "name": name, "email": email, "role": role, "side": side })),
    );
    assign_unowned_tasks(p, log);
    Ok(())
}

/// Gives tasks created from playbook steps their owner once a person holds the step's role.
pub(crate) fn assign_unowned_tasks(p: &mut Project, log: &mut Log) {
    let mut assigned = Vec::new();
    for t in p
        .tasks
        .iter_mut()
        .filter(|t| t.owner.is_none() && t.is_open())
    {
        let Some(role) = &t.owner_role else { continue };
        let owner = p.people.iter().find(|x| x.role == *role).or_else(|| {
            // A teammate role nobody holds yet falls to the implementation owner; a customer admin to the customer owner.
            let fallback = match role {
                Role::VendorTeammate => Role::ImplementationOwner,
                Role::CustomerAdmin | Role::BackupContact => Role::CustomerOwner,
                _ => return None,
            };
            p.people.iter().find(|x| x.role == fallback)
        });
        if let Some(owner) = owner {
            t.owner = Some(owner.id);
            assigned.push((t.id, owner.id, owner.name.clone()));
        }
    }
    for (task, owner, name) in assigned {
        log.push(
            "task.assigned",
            format!("task:{task}"),
            format!("Task {task} assigned to {name}"),
            None,
            Some(json!({ "owner": owner })),
        );
    }
}

pub(crate) fn change_role(
    p: &mut Project,
    log: &mut Log,
    person: u32,
    role: Role,
) -> Result<(), DomainError> {
    person_exists(p, person, "person")?;
    let side = p.person(person).map(|x| x.side).unwrap_or(Side::Vendor);
    if let Some(rs) = role.side() {
        if rs != side {
            return Err(DomainError::invalid(
                "role",
                format!("a {} is on the {} side", role.label(), rs.label()),
            ));
        }
    }
    if role.is_unique() {
        if let Some(other) = p.first_with_role(role).filter(|x| x.id != person) {
            return Err(DomainError::rule(
                Rule::R1,
                format!(
                    "{} is already the {}: a project has exactly one; change their role first",
                    other.name,
                    role.label()
                ),
            ));
        }
    }
    let x = p
        .people
        .iter_mut()
        .find(|x| x.id == person)
        .ok_or_else(|| DomainError::not_found(format!("person {person}")))?;
    let before = x.role;
    x.role = role;
    let name = x.name.clone();
    log.push(
        "person.role_changed",
        format!("person:{person}"),
        format!("{name}: {} → {}", before.label(), role.label()),
        Some(json!({ "role": before })),
        Some(json!({ "role": role })),
    );
    assign_unowned_tasks(p, log);
    Ok(())
}

pub(crate) fn set_help_contact(
    p: &mut Project,
    log: &mut Log,
    person: u32,
    help_contact: u32,
) -> Result<(), DomainError> {
    person_exists(p, person, "person")?;
    person_exists(p, help_contact, "help_contact")?;
    let helper = p.person_name(help_contact);
    let x = p
        .people
        .iter_mut()
        .find(|x| x.id == person)
        .ok_or_else(|| DomainError::not_found(format!("person {person}")))?;
    let before = x.help_contact;
    x.help_contact = Some(help_contact);
    let name = x.name.clone();
    log.push(
        "person.help_contact",
        format!("person:{person}"),
        format!("{name} asks {helper} for help"),
        Some(json!({ "help_contact": before })),
        Some(json!({ "help_contact": help_contact })),
    );
    Ok(())
}
