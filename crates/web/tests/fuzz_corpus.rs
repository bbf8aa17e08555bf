//! Replays the fuzz targets' seed corpora (`fuzz/corpus/<target>/`) through the same pure
//! functions the targets call, so every seed (and every crash a fuzzer run adds there) stays a
//! regression test under plain `cargo test`.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use finishline_web::api::salesforce_outbound::parse_message;
use finishline_web::api::webhooks::{
    default_mapping, read_crm, read_hubspot, read_salesforce, Source,
};

fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            let path = e.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "{target} has seeds");
    out
}

/// What the `crm_webhook` target does with one input: Ok(()) when the body was read.
fn crm_webhook(data: &[u8]) -> Option<Result<(), String>> {
    let (&which, body) = data.split_first()?;
    Some(
        match which % 3 {
            0 => read_crm(body).map(|_| ()),
            1 => read_hubspot(body, &default_mapping(Source::HubSpot)).map(|_| ()),
            _ => read_salesforce(body, &default_mapping(Source::Salesforce)).map(|_| ()),
        }
        .map_err(|e| e.to_string()),
    )
}

#[test]
fn crm_webhook_seeds_are_read_or_refused_without_panicking() {
    for (name, data) in corpus("crm_webhook") {
        let outcome = crm_webhook(&data);
        let read = matches!(outcome, Some(Ok(())));
        let expected = matches!(
            name.as_str(),
            "own_handoff.bin" | "hubspot_deal.bin" | "salesforce_sobject.bin"
        );
        assert_eq!(read, expected, "{name}: {outcome:?}");
        if name == "own_deep.bin" {
            let why = outcome.unwrap().unwrap_err();
            assert!(why.contains("at most 64"), "{why}");
        }
    }
}

#[test]
fn salesforce_xml_seeds_are_read_or_refused_without_panicking() {
    for (name, data) in corpus("salesforce_xml") {
        let outcome = parse_message(&data).map_err(|e| e.to_string());
        assert_eq!(
            outcome.is_ok(),
            name == "outbound_one.xml",
            "{name}: {outcome:?}"
        );
        if name == "nested_5000.xml" {
            let why = outcome.unwrap_err();
            assert!(
                why.contains("5002 levels deep") && why.contains("at most 32"),
                "{why}"
            );
        }
    }
}
