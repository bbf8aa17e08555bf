//! People on both sides of a project and their roles (R1: one owner on each side, a decision
//! maker named, every task owned by one person).

use serde::{Deserialize, Serialize};

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
