//! R13 the retrospective.
//!
//! Driven through the commands exactly as the server does; the harness is in `common`.

mod common;

use finishline_core::Command;

use common::*;

#[test]
fn r13_only_rollout_fixes_are_promoted_into_the_playbook() {
    use finishline_core::project::{RetroBucket, RetroKind};
    let mut w = World::new(vec![]);
    refused!(
        w.run(Command::AddRetroItem {
            text: "x".into(),
            kind: RetroKind::TookLonger,
            bucket: RetroBucket::RolloutWork
        }),
        "after go-live only"
    );
    live_by_override(&mut w, "pilot");
    w.ok(Command::AddRetroItem {
        text: "Ask for the full export in week 1".into(),
        kind: RetroKind::TookLonger,
        bucket: RetroBucket::RolloutWork,
    });
    w.ok(Command::AddRetroItem {
        text: "Importer cannot read XLS".into(),
        kind: RetroKind::Blocked,
        bucket: RetroBucket::ProductWork,
    });
    let (rollout, product) = (w.p.retro[0].id, w.p.retro[1].id);
    w.ok(Command::MarkRetroPromoted {
        item: rollout,
        playbook: "light-touch-30 v2".into(),
    });
    refused!(
        w.run(Command::MarkRetroPromoted {
            item: product,
            playbook: "light-touch-30 v2".into()
        }),
        "refused"
    );
}
