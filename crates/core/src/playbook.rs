//! Playbooks: reusable, versioned templates of phases and steps. Two are built in, from the seeds.

use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::lifecycle::Stage;
use crate::people::Role;
use crate::plan::TaskLabel;
use crate::visibility::{legacy_default, Visibility};

pub const STANDARD: &str = "standard";
pub const LIGHT_TOUCH: &str = "light-touch-30";

/// One step of a playbook; becomes a task of a project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(from = "StepDoc")]
pub struct Step {
    /// Unique within the playbook; dependencies name it.
    pub key: String,
    pub title: String,
    pub label: TaskLabel,
    /// The role whose person owns the task by default.
    pub owner_role: Role,
    /// Days after the project's start that the task is due.
    pub due_offset_days: i64,
    #[serde(default)]
    pub depends_on: Vec<String>,
    #[serde(default = "yes")]
    pub needs_proof: bool,
    /// Whether the customer sees the task made from it. Optional in a playbook's JSON: without
    /// it, the built-in playbooks' internal step keys are internal and every other step shared
    /// (`visibility::legacy_default`).
    #[serde(default)]
    pub visibility: Visibility,
    /// What kind of work it is: G2 checks the build steps' tasks. Optional in a playbook's JSON:
    /// without it, a step's kind comes from its phase's name (`StepKind::from_phase_name`).
    #[serde(default)]
    pub kind: StepKind,
    /// Estimated vendor effort in hours (`capacity`): the task's owner is allocated it over the
    /// weeks before the due date. Optional; a playbook without it allocates nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effort_hours: Option<f64>,
}

/// What kind of work a step (and the task made from it) is, for the rules that look at work by
/// its kind and not by the name of its phase, which teams rename freely.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// Technical setup: provisioning, SSO, integrations, data migration. G2 wants these done
    /// with proof before go-live.
    Build,
    /// Any other work.
    #[default]
    Other,
}

impl StepKind {
    /// The kind of a step or task that does not say: from its phase's name, the way G2 found
    /// build tasks before kinds existed (the built-in build phases, or a name containing
    /// "build"). Used for playbooks and projects stored before then, and for a task or step
    /// added by hand to a phase.
    pub fn from_phase_name(phase: &str) -> StepKind {
        const BUILD_PHASES: [&str; 2] = ["Build", "Week 2: set up with real data"];
        if BUILD_PHASES.contains(&phase) || phase.to_lowercase().contains("build") {
            StepKind::Build
        } else {
            StepKind::Other
        }
    }
}

/// A step as stored, where `visibility` may be missing (playbooks saved before it existed).
#[derive(Deserialize)]
struct StepDoc {
    key: String,
    title: String,
    label: TaskLabel,
    owner_role: Role,
    due_offset_days: i64,
    #[serde(default)]
    depends_on: Vec<String>,
    #[serde(default = "yes")]
    needs_proof: bool,
    #[serde(default)]
    visibility: Option<Visibility>,
    #[serde(default)]
    kind: Option<StepKind>,
    #[serde(default)]
    effort_hours: Option<f64>,
}

impl From<StepDoc> for Step {
    fn from(d: StepDoc) -> Self {
        let visibility = d.visibility.unwrap_or_else(|| legacy_default(Some(&d.key)));
        Step {
            key: d.key,
            title: d.title,
            label: d.label,
            owner_role: d.owner_role,
            due_offset_days: d.due_offset_days,
            depends_on: d.depends_on,
            needs_proof: d.needs_proof,
            visibility,
            kind: d.kind.unwrap_or_default(),
            effort_hours: d.effort_hours,
        }
    }
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(from = "PhaseDoc")]
pub struct Phase {
    pub name: String,
    /// The lifecycle stage the phase belongs to.
    pub stage: Stage,
    pub steps: Vec<Step>,
}

/// A phase as stored, whose steps may lack their kind (playbooks saved before kinds existed):
/// they take it from the phase's name, so an old playbook's G2 checks what it checked before.
#[derive(Deserialize)]
struct PhaseDoc {
    name: String,
    stage: Stage,
    steps: Vec<StepDoc>,
}

impl From<PhaseDoc> for Phase {
    fn from(d: PhaseDoc) -> Self {
        let steps = d
            .steps
            .into_iter()
            .map(|mut s| {
                s.kind = s.kind.or_else(|| Some(StepKind::from_phase_name(&d.name)));
                Step::from(s)
            })
            .collect();
        Phase {
            name: d.name,
            stage: d.stage,
            steps,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Playbook {
    /// 1 to 64 letters, digits, `-` or `_`.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Za-z0-9_-]{1,64}$"))]
    pub key: String,
    pub name: String,
    pub version: u32,
    #[serde(default)]
    pub description: String,
    /// Default hypercare window in days.
    #[serde(default = "default_hypercare")]
    pub hypercare_days: u32,
    pub phases: Vec<Phase>,
    /// Which milestones ask the customer for a rating, and which question (`survey`). A
    /// playbook stored before ratings existed asks the defaults.
    #[serde(default = "crate::survey::default_asks")]
    pub surveys: Vec<crate::survey::SurveyAsk>,
}

fn default_hypercare() -> u32 {
    14
}

impl Playbook {
    pub fn steps(&self) -> impl Iterator<Item = (&Phase, &Step)> {
        self.phases
            .iter()
            .flat_map(|p| p.steps.iter().map(move |s| (p, s)))
    }

    /// Checks a playbook someone edited: unique keys, known dependencies, no cycles.
    ///
    /// A step may depend only on steps that come before it in the playbook, so a dependency cycle
    /// (or a step depending on itself) cannot pass. A phase may be empty: it makes no tasks.
    pub fn validate(&self) -> Result<(), DomainError> {
        crate::error::required_text("name", &self.name)?;
        if self.key.trim().is_empty()
            || !self
                .key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(DomainError::invalid(
                "key",
                "use letters, digits, '-' or '_'",
            ));
        }
        crate::survey::check_asks(&self.surveys)?;
        let mut seen = std::collections::HashMap::new();
        for (i, (_, step)) in self.steps().enumerate() {
            if seen.insert(step.key.as_str(), i).is_some() {
                return Err(DomainError::invalid(
                    format!("steps.{}", step.key),
                    "step key is used twice",
                ));
            }
            crate::error::required_text(&format!("steps.{}.title", step.key), &step.title)?;
            if let Some(h) = step.effort_hours {
                crate::capacity::check_effort(&format!("steps.{}.effort_hours", step.key), h)?;
            }
        }
        for (_, step) in self.steps() {
            for dep in &step.depends_on {
                if *dep == step.key {
                    return Err(DomainError::invalid(
                        format!("steps.{}.depends_on", step.key),
                        "a step cannot depend on itself",
                    ));
                }
                match seen.get(dep.as_str()) {
                    None => {
                        return Err(DomainError::invalid(
                            format!("steps.{}.depends_on", step.key),
                            format!("names an unknown step \"{dep}\""),
                        ))
                    }
                    Some(&j) if j >= seen[step.key.as_str()] => {
                        return Err(DomainError::invalid(
                            format!("steps.{}.depends_on", step.key),
                            format!("\"{dep}\" comes later in the playbook: a step may only depend on earlier steps"),
                        ))
                    }
                    Some(_) => {}
                }
            }
        }
        Ok(())
    }
}

/// The built-in playbooks, version 1.
pub fn builtin() -> Vec<Playbook> {
    vec![standard(), light_touch()]
}

pub fn builtin_by_key(key: &str) -> Option<Playbook> {
    builtin().into_iter().find(|p| p.key == key)
}

fn step(
    key: &str,
    title: &str,
    label: TaskLabel,
    owner_role: Role,
    due: i64,
    deps: &[&str],
) -> Step {
    Step {
        key: key.into(),
        title: title.into(),
        label,
        owner_role,
        due_offset_days: due,
        depends_on: deps.iter().map(|d| d.to_string()).collect(),
        needs_proof: true,
        visibility: Visibility::Shared,
        kind: StepKind::Other,
        effort_hours: default_effort(key),
    }
}

/// The built-in playbooks' estimated vendor effort per step, in hours (customer steps have none:
/// the vendor's capacity is what is planned).
fn default_effort(key: &str) -> Option<f64> {
    let hours = match key {
        "review-handoff" | "owners" | "finish-line" => 2.0,
        "internal-kickoff" | "intake-access" | "data-map" | "go-no-go" | "launch-decision" => 3.0,
        "kickoff-call" | "value-review" | "transition" | "train-admins" | "train" => 4.0,
        "map-workflows" | "mutual-action-plan" | "provision" | "train-users" | "setup" => 6.0,
        "integrations" | "import" => 10.0,
        "data-import" => 14.0,
        "configure" => 20.0,
        _ => return None,
    };
    Some(hours)
}

/// A build step: technical setup G2 wants done with proof before go-live.
fn build(mut s: Step) -> Step {
    s.kind = StepKind::Build;
    s
}

/// A vendor-only step: its task is internal (the customer never sees it).
fn internal(mut s: Step) -> Step {
    s.visibility = Visibility::Internal;
    s
}

fn phase(name: &str, stage: Stage, steps: Vec<Step>) -> Phase {
    Phase {
        name: name.into(),
        stage,
        steps,
    }
}

use Role::{
    CustomerAdmin as CAdmin, CustomerOwner as COwner, ImplementationOwner as Owner,
    VendorTeammate as Mate,
};
use TaskLabel::{CustomerTask as C, SharedTask as S, VendorTask as V};

/// Standard (white-glove): the lifecycle of seed 004.
pub fn standard() -> Playbook {
    Playbook {
        key: STANDARD.into(),
        name: "Standard (white-glove)".into(),
        version: 1,
        description: "The full lifecycle for mid-market and enterprise customers: internal kickoff, intake, kickoff, discovery, build, configuration, training, UAT, go / no-go, hypercare, adoption, value review and transition.".into(),
        hypercare_days: 14,
        phases: vec![
            phase("Assign + internal kickoff", Stage::Assign, vec![
                internal(step("review-handoff", "Review the sales handoff and classify every promise", V, Owner, 2, &[])),
                internal(step("internal-kickoff", "Internal kickoff: account review and risk list", V, Owner, 3, &["review-handoff"])),
            ]),
            phase("Pre-kickoff intake", Stage::Intake, vec![
                step("intake-outcome", "Tell us the first outcome you want live", C, COwner, 5, &[]),
                step("intake-people", "Send names and roles of everyone involved", C, COwner, 5, &[]),
                step("intake-samples", "Send sample files and screenshots of current systems", C, COwner, 7, &[]),
                step("intake-access", "List the access needed both ways, who grants it, by when", S, Owner, 7, &[]),
            ]),
            phase("Kickoff", Stage::Kickoff, vec![
                step("kickoff-call", "Kickoff: goals, phase-one scope, not-included note, launch date", S, Owner, 10, &["internal-kickoff"]),
            ]),
            phase("Discovery", Stage::Discovery, vec![
                step("map-workflows", "Map current workflows and systems", V, Owner, 14, &["kickoff-call"]),
                step("data-map", "Agree the data map for each source", S, Owner, 17, &["map-workflows"]),
                step("mutual-action-plan", "Publish the mutual action plan with owners on both sides", V, Owner, 17, &["map-workflows"]),
            ]),
            phase("Build", Stage::Build, vec![
                build(step("provision", "Provision the tenant and admin users", V, Mate, 19, &["mutual-action-plan"])),
                build(step("sso", "Configure SSO on the customer's side", C, CAdmin, 24, &["provision"])),
                build(step("integrations", "Connect the integrations and API keys", S, Mate, 26, &["provision"])),
                build(step("customer-export", "Send the full data export", C, COwner, 24, &["data-map"])),
                build(step("data-import", "Import the data and fix flagged rows", V, Mate, 28, &["customer-export"])),
            ]),
            phase("Configuration", Stage::Configuration, vec![
                step("configure", "Configure the product to the customer's workflows", V, Mate, 33, &["data-import"]),
            ]),
            phase("Training", Stage::Training, vec![
                step("train-admins", "Train the admins (30–45 min, practice task each)", V, Mate, 36, &["configure"]),
                step("train-users", "Train the end users by role (30–45 min, practice task each)", V, Mate, 38, &["train-admins"]),
            ]),
            phase("UAT", Stage::Uat, vec![
                step("uat", "Run the UAT cases tied to the success criteria", C, COwner, 42, &["train-users"]),
            ]),
            phase("Go / no-go", Stage::GoNoGo, vec![
                step("go-no-go", "Go / no-go meeting with both decision makers", S, Owner, 44, &["uat"]),
            ]),
            phase("Adoption and value", Stage::ValueReview, vec![
                step("value-review", "First business review against the success criteria", S, Owner, 100, &["go-no-go"]),
                internal(step("transition", "Hand the account to the renewal CSM", V, Owner, 105, &["value-review"])),
            ]),
        ],
        surveys: crate::survey::default_asks(),
    }
}

/// Light-touch 30 days (seed 001): lock the basics, set up with real data, test one full path,
/// train, fix, launch decision.
pub fn light_touch() -> Playbook {
    Playbook {
        key: LIGHT_TOUCH.into(),
        name: "Light-touch 30 days".into(),
        version: 1,
        description: "Week 1 lock the basics; week 2 set up with real data; week 3 test one full path; week 4 train, fix, launch decision.".into(),
        hypercare_days: 14,
        phases: vec![
            phase("Week 1: lock the basics", Stage::Kickoff, vec![
                step("finish-line", "Write the finish line and the not-included note", S, Owner, 2, &[]),
                step("owners", "Name the owner on each side and the decision maker", S, Owner, 2, &[]),
                step("sample-data", "Send a real sample of the data", C, COwner, 5, &[]),
            ]),
            phase("Week 2: set up with real data", Stage::Build, vec![
                build(step("setup", "Set up the account with the real sample", V, Owner, 9, &["sample-data"])),
                build(step("import", "Import the data, fix the flagged rows", S, Owner, 12, &["setup"])),
            ]),
            phase("Week 3: test one full path", Stage::Uat, vec![
                step("full-path", "Run one full path end to end with a real user", C, COwner, 19, &["import"]),
            ]),
            phase("Week 4: train, fix, launch decision", Stage::GoNoGo, vec![
                step("train", "Train the users (30–45 min, practice task each)", V, Owner, 24, &["full-path"]),
                step("launch-decision", "Launch decision with the decision maker", S, Owner, 30, &["train"]),
            ]),
        ],
        surveys: crate::survey::default_asks(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A playbook as stored before steps had a kind.
    fn without_kinds(p: &Playbook) -> Playbook {
        let mut doc = serde_json::to_value(p).expect("a playbook serialises");
        for phase in doc["phases"].as_array_mut().expect("phases") {
            for step in phase["steps"].as_array_mut().expect("steps") {
                step.as_object_mut().expect("a step").remove("kind");
            }
        }
        serde_json::from_value(doc).expect("an old playbook loads")
    }

    #[test]
    fn builtin_playbooks_mark_their_build_steps() {
        let build: Vec<String> = builtin()
            .iter()
            .flat_map(|p| p.steps().map(|(_, s)| s.clone()).collect::<Vec<_>>())
            .filter(|s| s.kind == StepKind::Build)
            .map(|s| s.key)
            .collect();
        assert_eq!(
            build,
            [
                "provision",
                "sso",
                "integrations",
                "customer-export",
                "data-import",
                "setup",
                "import"
            ]
        );
    }

    #[test]
    fn a_playbook_stored_without_kinds_takes_them_from_its_phase_names() {
        for p in builtin() {
            assert_eq!(without_kinds(&p), p, "{}", p.key);
        }
        let mut custom = light_touch();
        custom.phases[0].name = "Build the basics".into();
        let old = without_kinds(&custom);
        assert!(old.phases[0]
            .steps
            .iter()
            .all(|s| s.kind == StepKind::Build));
    }

    #[test]
    fn builtin_playbooks_are_valid() {
        for p in builtin() {
            p.validate().unwrap_or_else(|e| panic!("{}: {e}", p.key));
        }
    }

    #[test]
    fn playbook_with_forward_dependency_is_refused() {
        let mut p = light_touch();
        p.phases[0].steps[0].depends_on = vec!["launch-decision".into()];
        let err = p.validate().expect_err("must refuse");
        assert!(err.to_string().contains("comes later"), "{err}");
    }

    #[test]
    fn playbook_step_depending_on_itself_is_refused() {
        let mut p = light_touch();
        p.phases[1].steps[0].depends_on = vec!["setup".into()];
        let err = p.validate().expect_err("must refuse");
        assert!(err.to_string().contains("cannot depend on itself"), "{err}");
    }

    #[test]
    fn playbook_with_a_dependency_cycle_is_refused() {
        // import -> setup is already there; setup -> import closes the loop.
        let mut p = light_touch();
        p.phases[1].steps[0].depends_on = vec!["import".into()];
        let err = p.validate().expect_err("must refuse");
        assert!(err.to_string().contains("comes later"), "{err}");
    }

    #[test]
    fn playbook_with_an_empty_phase_is_valid() {
        let mut p = light_touch();
        p.phases.insert(
            1,
            Phase {
                name: "Pilot".into(),
                stage: Stage::Build,
                steps: Vec::new(),
            },
        );
        assert!(p.validate().is_ok());
    }
}
