//! The rules and gates of the product brief (PRODUCT.md, "Rules"), by the names a refusal cites.

use serde::{Serialize, Serializer};

/// A rule (R1…R14) or gate (G1, G2) of the product brief, or one of the unnumbered rules a
/// refusal can cite (the plan approval, dependencies, an adoption stall). Serialised and
/// displayed as its name ("R1", "G2", "plan approval"): callers and the goldens read a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    /// One owner on each side, a decision maker named, every task owned by one person.
    R1,
    /// The finish line: one plain, measurable sentence.
    R2,
    /// The not-included note.
    R3,
    /// Change control.
    R4,
    /// Proof before done.
    R5,
    /// Specific blockers.
    R6,
    /// Ball in court.
    R7,
    /// Re-baseline keeps the baseline and the reason.
    R8,
    /// Nudges and escalation.
    R9,
    /// A status update after every meeting.
    R10,
    /// Done is value, not go-live.
    R11,
    /// The scorecard.
    R12,
    /// The retrospective.
    R13,
    /// Training by role in short sessions.
    R14,
    /// Kickoff readiness.
    G1,
    /// Go-live readiness.
    G2,
    /// The customer's decision maker approves the mutual action plan (the brief's "Who uses it";
    /// not numbered there).
    PlanApproval,
    /// A task waits for the tasks it depends on (the plan's order; not numbered in the brief).
    Dependencies,
    /// A stalled adoption is answered with an intervention (lifecycle stage 14; not numbered in
    /// the brief).
    AdoptionStall,
    /// A customer rates a milestone once, for themselves (issue 17; not numbered in the brief).
    Ratings,
}

impl Rule {
    /// The name the brief gives it: "R1", "G2".
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::R1 => "R1",
            Rule::R2 => "R2",
            Rule::R3 => "R3",
            Rule::R4 => "R4",
            Rule::R5 => "R5",
            Rule::R6 => "R6",
            Rule::R7 => "R7",
            Rule::R8 => "R8",
            Rule::R9 => "R9",
            Rule::R10 => "R10",
            Rule::R11 => "R11",
            Rule::R12 => "R12",
            Rule::R13 => "R13",
            Rule::R14 => "R14",
            Rule::G1 => "G1",
            Rule::G2 => "G2",
            Rule::PlanApproval => "plan approval",
            Rule::Dependencies => "dependencies",
            Rule::AdoptionStall => "adoption stall",
            Rule::Ratings => "ratings",
        }
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Rule {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Rule;

    #[test]
    fn rule_names_are_the_briefs() {
        assert_eq!(Rule::R1.to_string(), "R1");
        assert_eq!(Rule::R14.to_string(), "R14");
        assert_eq!(
            serde_json::to_string(&Rule::G2).expect("a rule serialises"),
            "\"G2\""
        );
        assert_eq!(Rule::PlanApproval.to_string(), "plan approval");
    }
}
