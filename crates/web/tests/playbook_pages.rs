//! The playbook pages: a built-in copied into the workspace, then its phases and steps edited
//! through the forms of its page (rename and add a phase, remove a step, set a step's
//! dependencies), each save a new version; refusals shown next to the form that was sent.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

mod common;

use common::web::Web;
use common::{spawn, Backend, MemberClient, TestApp};
use finishline_core::playbook::Playbook;
use reqwest::header::LOCATION;
use reqwest::StatusCode;

/// The key of the workspace's copy of the light-touch playbook.
const COPY: &str = "pilot-30";

/// A signed-in member of a workspace with a copy of `light-touch-30` made through its page.
///
/// The copy's phases: 0 "Week 1: lock the basics" (finish-line, owners, sample-data),
/// 1 "Week 2: set up with real data" (setup ← sample-data, import ← setup),
/// 2 "Week 3: test one full path" (full-path ← import),
/// 3 "Week 4: train, fix, launch decision" (train ← full-path, launch-decision ← train).
async fn with_copy(test: &str) -> (TestApp, MemberClient, Web) {
    let app = spawn(Backend::Sqlite, test).await.unwrap();
    let m = app.workspace("Vendor A", "dana@vendor.test").await;
    let web = Web::new(&app);
    web.login("dana@vendor.test").await;
    let (s, page) = web.get("/playbooks/light-touch-30").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        !page.contains("/playbooks/light-touch-30/edit"),
        "a built-in has no edit forms"
    );
    let csrf = web.csrf("/playbooks/light-touch-30").await;
    let r = web
        .post(
            "/playbooks/light-touch-30/copy",
            &[
                ("csrf", &csrf),
                ("_form", "copy"),
                ("key", COPY),
                ("name", "Pilot 30 days"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[LOCATION], format!("/playbooks/{COPY}"));
    assert_eq!(version(&app, &m).await, 1);
    (app, m, web)
}

/// The latest stored version of the copy.
async fn version(app: &TestApp, m: &MemberClient) -> i64 {
    app.store
        .playbook(&m.workspace.id, COPY, None)
        .await
        .unwrap()
        .expect("the copy is stored")
        .version
}

/// The copy as the JSON API gives it.
async fn api_copy(m: &MemberClient) -> Playbook {
    let (s, v) = m.get(&format!("/api/v1/playbooks/{COPY}")).await;
    assert_eq!(s, StatusCode::OK, "{v:#}");
    serde_json::from_value(v).unwrap()
}

/// Sends one of the copy's edit forms with the page's token; returns the status and the answer.
async fn edit(web: &Web, fields: &[(&str, &str)]) -> (StatusCode, String) {
    let csrf = web.csrf(&format!("/playbooks/{COPY}")).await;
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    let r = web.post(&format!("/playbooks/{COPY}/edit"), &form).await;
    let s = r.status();
    if s == StatusCode::SEE_OTHER {
        assert_eq!(r.headers()[LOCATION], format!("/playbooks/{COPY}"));
    }
    (s, r.text().await.unwrap())
}

/// The HTML of the form with the `_form` key `key` on a page.
fn form_of<'a>(page: &'a str, key: &str) -> &'a str {
    let marker = format!("name=\"_form\" value=\"{key}\"");
    let at = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no form {key}: {page}"));
    let end = page[at..].find("</form>").map_or(page.len(), |e| at + e);
    &page[at..end]
}

/// Every field error shown on a page.
fn errors(page: &str) -> Vec<&str> {
    page.match_indices("class=\"error\"")
        .filter_map(|(i, _)| {
            let rest = &page[i..];
            let start = rest.find('>')? + 1;
            let end = rest.find("</p>")?;
            Some(&rest[start..end])
        })
        .collect()
}

#[tokio::test]
async fn a_copy_is_the_workspaces_own_playbook_with_every_edit_form() {
    let (_app, m, web) = with_copy("pb_copy").await;
    let (s, page) = web.get(&format!("/playbooks/{COPY}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Pilot 30 days") && page.contains("Edit (saves version 2)"));
    let forms = &page[page.find("class=\"forms\"").expect("the forms are grouped")..];
    for (key, op) in [
        ("edit_step", "step"),
        ("rename_phase", "rename_phase"),
        ("add_phase", "add_phase"),
        ("remove_step", "remove_step"),
        ("depends", "depends"),
        ("ratings", "ratings"),
    ] {
        let form = form_of(forms, key);
        assert!(
            form.contains(&format!("name=\"op\" value=\"{op}\"")),
            "{key}: {form}"
        );
        assert!(form.contains("name=\"version\" value=\"1\""), "{key}");
    }
    let add = form_of(&page, "add_phase");
    assert!(
        add.contains("value=\"uat\"") && add.contains("value=\"value_review\""),
        "every lifecycle stage is offered: {add}"
    );
    let (s, list) = m.get("/api/v1/playbooks").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .any(|p| p["key"] == COPY && p["source"] == "workspace" && p["version"] == 1),
        "{list:#}"
    );
}

#[tokio::test]
async fn the_ratings_form_sets_which_milestones_ask_which_question() {
    let (app, m, web) = with_copy("pb_ratings").await;
    let (s, body) = edit(
        &web,
        &[
            ("_form", "ratings"),
            ("op", "ratings"),
            ("version", "1"),
            ("ask_after_kickoff", ""),
            ("ask_go_live", "csat"),
            ("ask_value_review", "ces"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{body}");
    let pb = api_copy(&m).await;
    assert_eq!(pb.version, 2);
    let asks: Vec<(&str, &str)> = pb
        .surveys
        .iter()
        .map(|a| (a.milestone.key(), a.question.key()))
        .collect();
    assert_eq!(asks, [("go_live", "csat"), ("value_review", "ces")]);
    let (_, page) = web.get(&format!("/playbooks/{COPY}")).await;
    assert!(
        page.contains("Customer ratings: CSAT at go-live, CES at the value review"),
        "{page}"
    );
    // An unknown question is refused next to its field, and nothing is saved.
    let (s, page) = edit(
        &web,
        &[
            ("_form", "ratings"),
            ("op", "ratings"),
            ("version", "2"),
            ("ask_go_live", "nps"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("is not a question"), "{page}");
    assert_eq!(version(&app, &m).await, 2);
}

#[tokio::test]
async fn renaming_a_phase_saves_a_new_version() {
    let (app, m, web) = with_copy("pb_rename").await;
    let (s, body) = edit(
        &web,
        &[
            ("_form", "rename_phase"),
            ("op", "rename_phase"),
            ("version", "1"),
            ("phase", "1"),
            ("name", "Week 2: set up the pilot"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(version(&app, &m).await, 2);
    let (_, page) = web.get(&format!("/playbooks/{COPY}")).await;
    assert!(page.contains("Week 2: set up the pilot") && page.contains("v2"));
    assert!(!page.contains("Week 2: set up with real data"));
    let pb = api_copy(&m).await;
    assert_eq!(pb.version, 2);
    assert_eq!(pb.phases[1].name, "Week 2: set up the pilot");
    assert_eq!(pb.phases[1].steps.len(), 2, "its steps stay");
}

#[tokio::test]
async fn a_phase_name_empty_or_over_120_characters_is_refused_next_to_its_field() {
    let (app, m, web) = with_copy("pb_rename_refused").await;
    let long = "x".repeat(121);
    let (s, page) = edit(
        &web,
        &[
            ("_form", "rename_phase"),
            ("op", "rename_phase"),
            ("phase", "2"),
            ("name", &long),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let form = form_of(&page, "rename_phase");
    assert!(
        form.contains("at most 120 characters (this one has 121)"),
        "{form}"
    );
    assert!(form.contains(&format!("value=\"{long}\"")), "input kept");
    assert!(
        form.contains("<option value=\"2\" selected>"),
        "phase kept: {form}"
    );
    assert_eq!(errors(&page).len(), 1, "only the sent form shows errors");
    let (s, page) = edit(
        &web,
        &[("op", "rename_phase"), ("phase", "0"), ("name", "  ")],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(form_of(&page, "rename_phase").contains("Name is required"));
    // 120 characters, some not ASCII, are accepted.
    let (s, _) = edit(
        &web,
        &[
            ("op", "rename_phase"),
            ("phase", "0"),
            ("name", &"é".repeat(120)),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(version(&app, &m).await, 2, "only the valid name was saved");
}

#[tokio::test]
async fn adding_a_phase_places_it_after_the_chosen_phase_or_at_the_end() {
    let (app, m, web) = with_copy("pb_add_phase").await;
    let (s, body) = edit(
        &web,
        &[
            ("_form", "add_phase"),
            ("op", "add_phase"),
            ("version", "1"),
            ("name", "Pilot configuration"),
            ("stage", "configuration"),
            ("after", "1"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{body}");
    let (s, _) = edit(
        &web,
        &[
            ("op", "add_phase"),
            ("name", "Value review"),
            ("stage", "value_review"),
            ("after", "end"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(version(&app, &m).await, 3);
    let pb = api_copy(&m).await;
    let names: Vec<&str> = pb.phases.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Week 1: lock the basics",
            "Week 2: set up with real data",
            "Pilot configuration",
            "Week 3: test one full path",
            "Week 4: train, fix, launch decision",
            "Value review"
        ]
    );
    assert_eq!(pb.phases[2].stage.key(), "configuration");
    assert!(pb.phases[2].steps.is_empty(), "a new phase is empty");
    let (_, page) = web.get(&format!("/playbooks/{COPY}")).await;
    assert!(page.contains("Pilot configuration") && page.contains("(value review)"));
    // A step can be added to the new phase with the step form.
    let (s, body) = edit(
        &web,
        &[
            ("_form", "edit_step"),
            ("op", "step"),
            ("phase", "2"),
            ("step", ""),
            ("key", "pilot-config"),
            ("title", "Configure the pilot team"),
            ("label", "vendor_task"),
            ("owner_role", "implementation_owner"),
            ("due_offset_days", "14"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(api_copy(&m).await.phases[2].steps[0].key, "pilot-config");
}

#[tokio::test]
async fn a_phase_without_a_known_stage_or_place_is_refused_and_the_name_kept() {
    let (app, m, web) = with_copy("pb_add_phase_refused").await;
    let (s, page) = edit(
        &web,
        &[
            ("_form", "add_phase"),
            ("op", "add_phase"),
            ("name", "Pilot"),
            ("stage", "paused"),
            ("after", "9"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let form = form_of(&page, "add_phase");
    assert!(
        form.contains("choose the lifecycle stage the phase belongs to"),
        "{form}"
    );
    assert!(
        form.contains("choose the phase it comes after, or the end"),
        "{form}"
    );
    assert!(form.contains("value=\"Pilot\""), "input kept: {form}");
    let (s, page) = edit(&web, &[("op", "add_phase"), ("name", ""), ("stage", "uat")]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let form = form_of(&page, "add_phase");
    assert!(form.contains("Name is required"), "{form}");
    assert!(
        form.contains("<option value=\"uat\" selected>"),
        "stage kept: {form}"
    );
    assert_eq!(version(&app, &m).await, 1, "nothing saved");
    assert_eq!(api_copy(&m).await.phases.len(), 4);
}

#[tokio::test]
async fn removing_a_step_saves_a_new_version_and_may_leave_its_phase_empty() {
    let (app, m, web) = with_copy("pb_remove").await;
    for (step, v) in [("launch-decision", 2), ("train", 3)] {
        let (s, body) = edit(
            &web,
            &[
                ("_form", "remove_step"),
                ("op", "remove_step"),
                ("step", step),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{step}: {body}");
        assert_eq!(version(&app, &m).await, v);
    }
    let pb = api_copy(&m).await;
    assert_eq!(pb.version, 3);
    assert!(!pb
        .steps()
        .any(|(_, s)| s.key == "train" || s.key == "launch-decision"));
    assert!(
        pb.phases[3].steps.is_empty(),
        "the playbook's rules allow an empty phase"
    );
    let (s, page) = web.get(&format!("/playbooks/{COPY}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Week 4: train, fix, launch decision"));
    assert!(!page.contains("Launch decision with the decision maker"));
    assert!(page.contains("No steps yet: this phase makes no tasks."));
}

#[tokio::test]
async fn a_step_others_depend_on_is_not_removed_and_its_dependents_are_named() {
    let (app, m, web) = with_copy("pb_remove_refused").await;
    let (s, page) = edit(
        &web,
        &[
            ("_form", "remove_step"),
            ("op", "remove_step"),
            ("step", "import"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let form = form_of(&page, "remove_step");
    assert!(
        form.contains("(full-path) depends on it") && form.contains("Set a step"),
        "{form}"
    );
    assert!(
        form.contains("<option value=\"import\" selected>"),
        "choice kept: {form}"
    );
    let (s, page) = edit(&web, &[("op", "remove_step"), ("step", "no-such-step")]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(form_of(&page, "remove_step").contains("there is no step &quot;no-such-step&quot;"));
    assert_eq!(version(&app, &m).await, 1, "nothing saved");
    assert!(api_copy(&m).await.steps().any(|(_, s)| s.key == "import"));
}

#[tokio::test]
async fn setting_a_steps_dependencies_replaces_them_with_earlier_steps() {
    let (app, m, web) = with_copy("pb_depends").await;
    let (s, body) = edit(
        &web,
        &[
            ("_form", "depends"),
            ("op", "depends"),
            ("version", "1"),
            ("step", "import"),
            ("depends_on", "owners"),
            ("depends_on", "setup"),
            ("depends_on", "owners"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(version(&app, &m).await, 2);
    let pb = api_copy(&m).await;
    let import = pb.steps().find(|(_, s)| s.key == "import").unwrap().1;
    assert_eq!(
        import.depends_on,
        ["owners", "setup"],
        "in playbook order, once"
    );
    let (_, page) = web.get(&format!("/playbooks/{COPY}")).await;
    assert!(page.contains("owners, setup"), "shown in the table");
    // Nothing ticked clears them.
    let (s, _) = edit(&web, &[("op", "depends"), ("step", "setup")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let pb = api_copy(&m).await;
    assert!(pb
        .steps()
        .find(|(_, s)| s.key == "setup")
        .unwrap()
        .1
        .depends_on
        .is_empty());
    assert_eq!(pb.version, 3);
}

#[tokio::test]
async fn a_dependency_on_itself_or_a_later_step_is_refused_so_no_loop_forms() {
    let (app, m, web) = with_copy("pb_depends_refused").await;
    let (s, page) = edit(
        &web,
        &[
            ("_form", "depends"),
            ("op", "depends"),
            ("step", "setup"),
            ("depends_on", "sample-data"),
            ("depends_on", "setup"),
            ("depends_on", "import"),
            ("depends_on", "nope"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let form = form_of(&page, "depends");
    assert!(form.contains("a step cannot depend on itself"), "{form}");
    assert!(
        form.contains("(import) comes later in the playbook"),
        "{form}"
    );
    assert!(
        form.contains("no such step in this playbook: &quot;nope&quot;"),
        "{form}"
    );
    for kept in ["sample-data", "setup", "import"] {
        assert!(
            form.contains(&format!("name=\"depends_on\" value=\"{kept}\" checked")),
            "{kept} stays ticked: {form}"
        );
    }
    assert!(!form.contains("name=\"depends_on\" value=\"owners\" checked"));
    assert!(form.contains("<option value=\"setup\" selected>"));
    assert_eq!(version(&app, &m).await, 1, "nothing saved");
    let pb = api_copy(&m).await;
    assert_eq!(
        pb.steps()
            .find(|(_, s)| s.key == "setup")
            .unwrap()
            .1
            .depends_on,
        ["sample-data"]
    );
}

#[tokio::test]
async fn a_form_without_op_still_adds_or_changes_a_step() {
    let (app, m, web) = with_copy("pb_no_op").await;
    let (s, body) = edit(
        &web,
        &[
            ("_form", "edit_step"),
            ("phase", "0"),
            ("step", "owners"),
            ("title", "Name both owners and the decision maker"),
            ("label", "shared_task"),
            ("owner_role", "implementation_owner"),
            ("due_offset_days", "3"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(version(&app, &m).await, 2);
    let pb = api_copy(&m).await;
    assert_eq!(
        pb.steps().find(|(_, s)| s.key == "owners").unwrap().1.title,
        "Name both owners and the decision maker"
    );
    // A new step under a key already used is refused next to the key.
    let (s, page) = edit(
        &web,
        &[
            ("_form", "edit_step"),
            ("phase", "0"),
            ("step", ""),
            ("key", "owners"),
            ("title", "Again"),
            ("label", "shared_task"),
            ("owner_role", "implementation_owner"),
            ("due_offset_days", "3"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(form_of(&page, "edit_step").contains("a step &quot;owners&quot; already exists"));
    assert_eq!(version(&app, &m).await, 2);
}

#[tokio::test]
async fn a_form_sent_from_an_older_version_of_the_page_is_refused() {
    let (app, m, web) = with_copy("pb_stale").await;
    let (s, _) = edit(
        &web,
        &[
            ("op", "rename_phase"),
            ("version", "1"),
            ("phase", "0"),
            ("name", "First"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, page) = edit(
        &web,
        &[
            ("_form", "remove_step"),
            ("op", "remove_step"),
            ("version", "1"),
            ("step", "owners"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        form_of(&page, "remove_step").contains("saved as version 2 after the page was opened"),
        "{page}"
    );
    assert_eq!(version(&app, &m).await, 2);
}

#[tokio::test]
async fn bad_indexes_unknown_keys_and_missing_fields_are_refused_without_saving() {
    let (app, m, web) = with_copy("pb_bad_input").await;
    let huge = "9".repeat(40);
    let cases: Vec<Vec<(&str, &str)>> = vec![
        vec![("op", "rename_phase")],
        vec![("op", "rename_phase"), ("phase", "-1"), ("name", "x")],
        vec![("op", "rename_phase"), ("phase", "4"), ("name", "x")],
        vec![("op", "rename_phase"), ("phase", &huge), ("name", "x")],
        vec![("op", "add_phase")],
        vec![
            ("op", "add_phase"),
            ("name", "x"),
            ("stage", "uat"),
            ("after", "-1"),
        ],
        vec![
            ("op", "add_phase"),
            ("name", "x"),
            ("stage", "uat"),
            ("after", &huge),
        ],
        vec![("op", "add_phase"), ("name", "x"), ("stage", "UAT")],
        vec![("op", "remove_step")],
        vec![("op", "depends")],
        vec![
            ("op", "depends"),
            ("step", "nope"),
            ("depends_on", "owners"),
        ],
        vec![
            ("op", "depends"),
            ("step", "owners"),
            ("depends_on", "import"),
        ],
        vec![("op", "step")],
        vec![
            ("op", "step"),
            ("phase", &huge),
            ("title", "t"),
            ("key", "k"),
        ],
        vec![
            ("op", "step"),
            ("step", "nope"),
            ("phase", "0"),
            ("title", "t"),
            ("label", "vendor_task"),
            ("owner_role", "implementation_owner"),
            ("due_offset_days", "1"),
        ],
        vec![
            ("op", "step"),
            ("phase", "0"),
            ("key", "bad key!"),
            ("title", "t"),
            ("label", "vendor_task"),
            ("owner_role", "implementation_owner"),
            ("due_offset_days", "1"),
        ],
        vec![("op", "drop_table")],
        vec![
            ("op", "rename_phase"),
            ("version", "x"),
            ("phase", "0"),
            ("name", "x"),
        ],
    ];
    for fields in cases {
        let (s, page) = edit(&web, &fields).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}: {page}");
        assert!(page.contains("Not done: "), "{fields:?} explains itself");
    }
    let (_, page) = edit(&web, &[("op", "drop_table")]).await;
    assert!(page.contains("&quot;drop_table&quot; is not an edit this page makes"));
    assert_eq!(version(&app, &m).await, 1, "nothing saved");
}

#[tokio::test]
async fn a_member_of_another_workspace_cannot_see_or_edit_the_copy() {
    let (app, m, _web) = with_copy("pb_tenants").await;
    let _b = app.workspace("Vendor B", "bea@other.test").await;
    let bea = Web::new(&app);
    bea.login("bea@other.test").await;
    assert_eq!(
        bea.get(&format!("/playbooks/{COPY}")).await.0,
        StatusCode::NOT_FOUND
    );
    let csrf = bea.csrf("/playbooks").await;
    for fields in [
        vec![("op", "rename_phase"), ("phase", "0"), ("name", "Mine now")],
        vec![("op", "remove_step"), ("step", "owners")],
        vec![("op", "depends"), ("step", "owners")],
        vec![("op", "add_phase"), ("name", "x"), ("stage", "uat")],
    ] {
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend(fields);
        let r = bea.post(&format!("/playbooks/{COPY}/edit"), &form).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{form:?}");
    }
    assert_eq!(version(&app, &m).await, 1, "nothing saved");
    assert_eq!(api_copy(&m).await.phases[0].name, "Week 1: lock the basics");
}

#[tokio::test]
async fn built_in_playbooks_cannot_be_edited() {
    let (app, m, web) = with_copy("pb_builtin").await;
    let csrf = web.csrf("/playbooks/standard").await;
    for fields in [
        vec![("op", "rename_phase"), ("phase", "0"), ("name", "Mine now")],
        vec![("op", "remove_step"), ("step", "uat")],
        vec![("op", "add_phase"), ("name", "x"), ("stage", "uat")],
        vec![("op", "depends"), ("step", "uat")],
    ] {
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend(fields);
        let r = web.post("/playbooks/standard/edit", &form).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{form:?}");
    }
    assert!(app
        .store
        .playbook(&m.workspace.id, "standard", None)
        .await
        .unwrap()
        .is_none());
    let (_, page) = web.get("/playbooks/standard").await;
    assert!(page.contains("Built-in playbooks are copied, then edited."));
    assert!(!page.contains("name=\"op\""));
}

#[tokio::test]
async fn edits_without_the_form_token_are_refused_and_save_nothing() {
    let (app, m, web) = with_copy("pb_csrf").await;
    for token in ["", "forged0123456789abcdef0123456789"] {
        for fields in [
            vec![("op", "rename_phase"), ("phase", "0"), ("name", "x")],
            vec![("op", "remove_step"), ("step", "owners")],
        ] {
            let mut form = vec![("csrf", token)];
            form.extend(fields);
            let r = web.post(&format!("/playbooks/{COPY}/edit"), &form).await;
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{form:?}");
        }
    }
    let r = web
        .post(
            &format!("/playbooks/{COPY}/edit"),
            &[("op", "remove_step"), ("step", "owners")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "no token field at all");
    assert_eq!(version(&app, &m).await, 1, "nothing saved");
}
