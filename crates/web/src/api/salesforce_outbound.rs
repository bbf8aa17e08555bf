//! Salesforce Outbound Messages: the SOAP notification a workflow rule or flow sends when an
//! Opportunity closes, acknowledged with the SOAP `Ack` Salesforce waits for.
//!
//! Salesforce does not sign these messages, so the endpoint is keyed instead: its path carries a
//! key derived from the workspace's webhook secret (rotating the secret changes the path), and
//! when the workspace sets `salesforce_org_id`, the message must come from that organisation.
//! Salesforce retries an unacknowledged message for up to 24 hours; a record last modified
//! longer ago than that is stale. Each Opportunity becomes one project however often it is
//! sent, by this route or the JSON one.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use super::webhooks::{apply_crm, handoff_of, mapping_for, property, Source};
use crate::error::ApiError;
use crate::state::AppState;

const SOAP_ENV: &str = "http://schemas.xmlsoap.org/soap/envelope/";
const OUTBOUND_NS: &str = "http://soap.sforce.com/2005/09/outbound";
const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";
/// How long Salesforce keeps retrying a message it could not deliver.
const RETRY_WINDOW_HOURS: i64 = 24;

/// One `Notification` of a message: the Opportunity's fields.
#[doc(hidden)]
#[derive(Debug)]
pub struct Notification {
    pub record: Value,
}

/// What the message says, before anything is applied.
#[doc(hidden)]
#[derive(Debug)]
pub struct Message {
    pub organization_id: String,
    pub notifications: Vec<Notification>,
}

/// How large a message may be before it is parsed. Salesforce sends at most 100 notifications
/// per message, each an Opportunity with its selected fields: an envelope nests six levels and
/// holds a few thousand elements. The parser builds a tree (and some of its work recurses), so
/// what it is given is bounded first by a linear scan.
#[derive(Debug, Clone, Copy)]
pub struct XmlBudget {
    pub max_bytes: usize,
    pub max_depth: usize,
    pub max_elements: usize,
}

pub const XML_BUDGET: XmlBudget = XmlBudget {
    max_bytes: 1024 * 1024,
    max_depth: 32,
    max_elements: 20_000,
};

/// Position of `needle` in `hay` from `from`, if any.
fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

/// Checks a message against the budget in one pass over its bytes, without building anything:
/// bytes, the deepest nesting of elements and the number of elements. Comments, CDATA sections,
/// processing instructions and quoted attribute values are skipped; a DTD is refused here (no
/// entity is ever expanded). Markup this scan cannot follow is left for the parser to refuse.
pub fn check_budget(body: &[u8], budget: XmlBudget) -> Result<(), ApiError> {
    if body.len() > budget.max_bytes {
        return Err(ApiError::TooLarge(format!(
            "the message is {} bytes; at most {} are accepted",
            body.len(),
            budget.max_bytes
        )));
    }
    let (mut i, mut depth, mut deepest, mut elements) = (0usize, 0usize, 0usize, 0usize);
    while let Some(lt) = find(body, i, b"<") {
        let rest = &body[lt..];
        let skip_to = |end: &[u8], from: usize| find(body, from, end).map(|p| p + end.len());
        let next = if rest.starts_with(b"<!--") {
            skip_to(b"-->", lt + 4)
        } else if rest.starts_with(b"<![CDATA[") {
            skip_to(b"]]>", lt + 9)
        } else if rest.starts_with(b"<!") {
            return Err(ApiError::bad(
                "body",
                "holds a DTD (<!DOCTYPE …>): DTDs and entities are not accepted",
            ));
        } else if rest.starts_with(b"<?") {
            skip_to(b"?>", lt + 2)
        } else if rest.starts_with(b"</") {
            depth = depth.saturating_sub(1);
            skip_to(b">", lt + 2)
        } else {
            // A start tag: find its end outside quoted attribute values.
            let mut quote = None;
            let mut end = None;
            for (j, &c) in rest.iter().enumerate().skip(1) {
                match (quote, c) {
                    (Some(q), c) if c == q => quote = None,
                    (Some(_), _) => {}
                    (None, b'"' | b'\'') => quote = Some(c),
                    (None, b'>') => {
                        end = Some(j);
                        break;
                    }
                    _ => {}
                }
            }
            end.map(|j| {
                elements += 1;
                if rest[j - 1] != b'/' {
                    depth += 1;
                    deepest = deepest.max(depth);
                }
                lt + j + 1
            })
        };
        match next {
            Some(n) => i = n,
            None => break,
        }
    }
    if deepest > budget.max_depth {
        return Err(ApiError::bad(
            "body",
            format!(
                "nests elements {deepest} levels deep; at most {} are accepted",
                budget.max_depth
            ),
        ));
    }
    if elements > budget.max_elements {
        return Err(ApiError::bad(
            "body",
            format!(
                "holds {elements} elements; at most {} are accepted",
                budget.max_elements
            ),
        ));
    }
    Ok(())
}

fn soap(status: StatusCode, body: &str) -> Response {
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
         <soapenv:Envelope xmlns:soapenv=\"{SOAP_ENV}\"><soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"
    );
    (
        status,
        [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        xml,
    )
        .into_response()
}

fn ack() -> Response {
    soap(
        StatusCode::OK,
        &format!("<notificationsResponse xmlns=\"{OUTBOUND_NS}\"><Ack>true</Ack></notificationsResponse>"),
    )
}

/// A SOAP fault with the status the error would have had as a problem document; Salesforce
/// retries a message it gets a fault for, and shows the fault string in its delivery queue.
fn fault(err: ApiError) -> Response {
    let detail = err.to_string();
    let status = err.into_response().status();
    let code = if status.is_server_error() {
        "soapenv:Server"
    } else {
        "soapenv:Client"
    };
    soap(
        status,
        &format!(
            "<soapenv:Fault><faultcode>{code}</faultcode><faultstring>{}</faultstring></soapenv:Fault>",
            finishline_app::export::xml_escape(&detail)
        ),
    )
}

fn child<'a, 'i>(node: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
    node.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

/// Reads the envelope: pure, no I/O (the fuzz target `salesforce_xml` calls it). The message is
/// checked against [`XML_BUDGET`] before it is parsed; DTDs are refused (no entity expansion),
/// and only the elements the outbound WSDL defines are read.
#[doc(hidden)]
pub fn parse_message(body: &[u8]) -> Result<Message, ApiError> {
    check_budget(body, XML_BUDGET)?;
    let text = std::str::from_utf8(body)
        .map_err(|e| ApiError::bad("body", format!("is not UTF-8 text: {e}")))?;
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        // Elements, their text and comments: a backstop behind the scan's element count.
        nodes_limit: u32::try_from(XML_BUDGET.max_elements * 4).unwrap_or(u32::MAX),
    };
    let doc = roxmltree::Document::parse_with_options(text, options)
        .map_err(|e| ApiError::bad("body", format!("is not a SOAP message: {e}")))?;
    let envelope = doc.root_element();
    if envelope.tag_name().name() != "Envelope" || envelope.tag_name().namespace() != Some(SOAP_ENV)
    {
        return Err(ApiError::bad(
            "Envelope",
            "the root element must be a SOAP 1.1 Envelope",
        ));
    }
    let notifications = child(envelope, "Body")
        .and_then(|b| child(b, "notifications"))
        .filter(|n| n.tag_name().namespace() == Some(OUTBOUND_NS))
        .ok_or_else(|| {
            ApiError::bad(
                "Body.notifications",
                "missing: this is not a Salesforce Outbound Message",
            )
        })?;
    let organization_id = child(notifications, "OrganizationId")
        .and_then(|n| n.text())
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::bad("OrganizationId", "is missing"))?
        .to_string();
    let mut out = Vec::new();
    for (i, n) in notifications
        .children()
        .filter(|c| c.is_element() && c.tag_name().name() == "Notification")
        .enumerate()
    {
        let at = format!("Notification[{i}]");
        let sobject = child(n, "sObject")
            .ok_or_else(|| ApiError::bad(format!("{at}.sObject"), "is missing"))?;
        let mut fields = Map::new();
        for f in sobject.children().filter(|c| c.is_element()) {
            if f.attribute((XSI_NS, "nil")) == Some("true") {
                continue;
            }
            let value = f.text().unwrap_or("").trim().to_string();
            fields.insert(f.tag_name().name().to_string(), Value::String(value));
        }
        out.push(Notification {
            record: Value::Object(fields),
        });
    }
    if out.is_empty() {
        return Err(ApiError::bad("notifications", "holds no Notification"));
    }
    Ok(Message {
        organization_id,
        notifications: out,
    })
}

/// Salesforce ids come in a case-sensitive 15-character form and an 18-character form whose
/// first 15 characters are the same.
fn same_org(a: &str, b: &str) -> bool {
    let short = |s: &str| s.trim().chars().take(15).collect::<String>();
    short(a) == short(b)
}

/// Receives a Salesforce Outbound Message for closed-won Opportunities (SOAP 1.1,
/// `text/xml`); answers with the SOAP acknowledgement, or a SOAP fault naming what is wrong.
#[utoipa::path(post, path = "/api/v1/webhooks/crm/{workspace_id}/salesforce/outbound/{key}", tag = "webhooks",
    request_body(content = String, content_type = "text/xml", description = "the SOAP envelope of a Salesforce Outbound Message on Opportunity"),
    security(()),
    params(("workspace_id" = String, Path, description = "the receiving workspace"),
        ("key" = String, Path, description = "the endpoint key shown at GET /api/v1/settings/webhook")),
    responses((status = 200, description = "acknowledged: the SOAP `Ack`", body = String, content_type = "text/xml"),
        (status = 400, description = "a SOAP fault naming the bad element or field", body = String, content_type = "text/xml"),
        (status = 403, description = "a SOAP fault: wrong key, wrong organisation or stale", body = String, content_type = "text/xml"),
        (status = 404, description = "a SOAP fault: an item the message names was not found", body = String, content_type = "text/xml"),
        (status = 409, description = "a SOAP fault: the same Opportunity is being applied right now; Salesforce retries", body = String, content_type = "text/xml"),
        (status = 422, description = "a SOAP fault: the Opportunity does not make a handoff", body = String, content_type = "text/xml"),
        (status = 500, description = "a SOAP fault (`soapenv:Server`): logged, Salesforce retries", body = String, content_type = "text/xml")))]
pub async fn receive(
    State(state): State<AppState>,
    Path((workspace_id, key)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    match receive_inner(&state, &workspace_id, &key, &body).await {
        Ok(()) => ack(),
        Err(e) => fault(e),
    }
}

async fn receive_inner(
    state: &AppState,
    workspace_id: &str,
    key: &str,
    body: &[u8],
) -> Result<(), ApiError> {
    // An unknown workspace and a wrong key look the same from outside.
    let ws = state
        .app
        .store
        .workspace(workspace_id)
        .await?
        .filter(|ws| {
            crate::secrets::constant_time_eq(
                crate::secrets::outbound_key(&ws.webhook_secret).as_bytes(),
                key.as_bytes(),
            )
        })
        .ok_or_else(|| {
            ApiError::Forbidden(
                "this endpoint key does not match the workspace's webhook secret".into(),
            )
        })?;
    let message = parse_message(body)?;
    let settings = finishline_app::notify::settings::load(&state.app, &ws.id).await?;
    if let Some(org) = settings.salesforce_org_id.as_deref() {
        if !same_org(org, &message.organization_id) {
            return Err(ApiError::Forbidden(format!(
                "the message comes from organisation {}, not the workspace's {org}",
                message.organization_id
            )));
        }
    }
    let mapping = mapping_for(state, &ws.id, Source::SalesforceOutbound).await?;
    let now = state.now();
    // Every notification is read and checked before any is applied, so a bad one in a batch
    // leaves nothing half-done; Salesforce resends the whole message after a fault.
    let mut deals = Vec::with_capacity(message.notifications.len());
    for (i, n) in message.notifications.iter().enumerate() {
        let id = property(&n.record, "Id")
            .ok_or_else(|| ApiError::bad(format!("Notification[{i}].sObject.Id"), "is missing"))?;
        let modified = property(&n.record, "SystemModstamp")
            .or_else(|| property(&n.record, "LastModifiedDate"));
        if let Some(m) = modified {
            let at = chrono::DateTime::parse_from_rfc3339(&m).map_err(|_| {
                ApiError::bad(
                    format!("Notification[{i}].sObject.SystemModstamp"),
                    format!("{m:?} is not a date-time"),
                )
            })?;
            if now.signed_duration_since(at) > chrono::Duration::hours(RETRY_WINDOW_HOURS) {
                return Err(ApiError::Forbidden(format!(
                    "the Opportunity {id} was last modified at {m}, more than {RETRY_WINDOW_HOURS} hours ago: the message is stale"
                )));
            }
        }
        let handoff =
            handoff_of(&n.record, &mapping).map_err(|e| e.context(&format!("Opportunity {id}")))?;
        deals.push((id, handoff));
    }
    for (id, handoff) in deals {
        let (_status, _delivery) = apply_crm(
            state,
            &ws.id,
            &format!("salesforce:opportunity:{id}"),
            handoff,
            "Salesforce Outbound Message",
        )
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MESSAGE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <soapenv:Body>
  <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
   <OrganizationId>00D5g000004abcdEAA</OrganizationId>
   <ActionId>04k5g000000xyzAAA</ActionId>
   <SessionId xsi:nil="true"/>
   <Notification>
    <Id>04l5g00000AbCdEAAA</Id>
    <sObject xsi:type="sf:Opportunity" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
     <sf:Id>0065g00000XyZ</sf:Id>
     <sf:Name>Dispatch &amp; routing</sf:Name>
     <sf:Champion__c xsi:nil="true"/>
    </sObject>
   </Notification>
  </notifications>
 </soapenv:Body>
</soapenv:Envelope>"#;

    #[test]
    fn reads_the_fields_and_skips_nil_ones() {
        let m = parse_message(MESSAGE.as_bytes()).expect("the sample message parses");
        assert_eq!(m.organization_id, "00D5g000004abcdEAA");
        assert_eq!(m.notifications.len(), 1);
        let r = &m.notifications[0].record;
        assert_eq!(r["Name"], "Dispatch & routing");
        assert_eq!(r["Id"], "0065g00000XyZ");
        assert!(r.get("Champion__c").is_none());
    }

    #[test]
    fn refuses_a_dtd_and_other_shapes() {
        let bomb = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>&lol2;</soapenv:Body></soapenv:Envelope>"#;
        assert!(parse_message(bomb.as_bytes()).is_err());
        assert!(parse_message(b"<a/>").is_err());
        assert!(parse_message(b"{\"json\": true}").is_err());
        assert!(parse_message(&[0xff, 0xfe]).is_err());
    }

    #[test]
    fn the_budget_counts_depth_and_elements_without_parsing() {
        let deep = format!("<a>{}{}</a>", "<b>".repeat(40), "</b>".repeat(40));
        let e = check_budget(deep.as_bytes(), XML_BUDGET)
            .expect_err("too deep")
            .to_string();
        assert!(
            e.contains("41 levels deep") && e.contains("at most 32"),
            "{e}"
        );
        let ok = format!("<a>{}{}</a>", "<b>".repeat(31), "</b>".repeat(31));
        assert!(check_budget(ok.as_bytes(), XML_BUDGET).is_ok());
        let many = format!("<a>{}</a>", "<b/>".repeat(20_000));
        let e = check_budget(many.as_bytes(), XML_BUDGET)
            .expect_err("too many")
            .to_string();
        assert!(e.contains("20001 elements"), "{e}");
        // Tags inside comments, CDATA and quoted attribute values are not tags.
        let hidden = format!(
            "<a><!--{x}--><![CDATA[{x}]]><b c=\"{x}\" d='>'/></a>",
            x = "<x>".repeat(100)
        );
        assert!(check_budget(hidden.as_bytes(), XML_BUDGET).is_ok());
        let small = XmlBudget {
            max_bytes: 10,
            ..XML_BUDGET
        };
        assert!(matches!(
            check_budget(b"<a>0123456789</a>", small),
            Err(ApiError::TooLarge(_))
        ));
        // Cut-off markup is left to the parser, which refuses it.
        for cut in ["<a", "<a b=\"", "<!--", "<![CDATA[", "<?x", "</"] {
            assert!(check_budget(cut.as_bytes(), XML_BUDGET).is_ok(), "{cut}");
            assert!(parse_message(cut.as_bytes()).is_err(), "{cut}");
        }
    }

    #[test]
    fn org_ids_match_in_either_length() {
        assert!(same_org("00D5g000004abcd", "00D5g000004abcdEAA"));
        assert!(!same_org("00D5g000004abce", "00D5g000004abcdEAA"));
    }

    #[test]
    fn the_key_changes_with_the_secret() {
        assert_ne!(
            crate::secrets::outbound_key("a"),
            crate::secrets::outbound_key("b")
        );
        assert_eq!(crate::secrets::outbound_key("a").len(), 32);
    }
}
