//! The customer portal section: inviting customer people into the project's portal by email
//! (or by a link to send by hand), and the invitations with their state and their email's.
//! Read on every request, as invitations change without a new project version.

use chrono::{DateTime, Utc};
use finishline_core::people::{Role, Side};
use finishline_core::project::Project;
use finishline_store::{Invitation, InvitationMail};
use maud::{html, Markup};

use super::parts::{people_opts, section, with_blank};
use crate::ui::form::FormState;
use crate::ui::layout::Fields;

/// An invitation's state in words: used, revoked, expired, or open until when.
fn invitation_state(inv: &Invitation, now: DateTime<Utc>) -> Markup {
    html! {
        @if let Some(at) = inv.revoked_at { span class="badge" { "revoked" } " " span class="small muted" { (at.format("%-d %b %Y")) } }
        @else if let Some(at) = inv.used_at { span class="badge ok" { "joined" } " " span class="small muted" { (at.format("%-d %b %Y")) } }
        @else if inv.expires_at <= now { span class="badge" { "expired" } " " span class="small muted" { (inv.expires_at.format("%-d %b %Y")) } }
        @else { span class="badge" { "not used yet" } " " span class="small" { "expires " (inv.expires_at.format("%-d %b %Y")) } }
    }
}

/// Where an invitation's email is, as the outbox has it.
fn mail_state(mail: Option<&InvitationMail>, mail_on: bool) -> Markup {
    html! {
        span class="small" {
            @match mail {
                Some(m) if m.sent_at.is_some() => { "· emailed " (m.sent_at.map(|t| t.format("%-d %b %H:%M").to_string()).unwrap_or_default()) },
                Some(m) if m.failed_at.is_some() => { "· " span class="late" { "email failed" } ": " (m.last_error.clone().unwrap_or_default()) },
                Some(m) if !mail_on => { "· not emailed (no mail server; in the outbox)" @if m.attempts > 0 { "" } },
                Some(m) if m.attempts > 0 => { "· email being retried (" (m.attempts) " attempts)" },
                Some(_) => "· email being sent",
                None => "· link only (made before invitations were emailed)",
            }
        }
    }
}

/// The portal section: the invitation form (on the customer person to invite next) and the
/// invitations sent.
pub(super) fn customer_portal(
    p: &Project,
    invitations: &[Invitation],
    mails: &[InvitationMail],
    mail_on: bool,
    st: &FormState,
    csrf: &str,
    now: DateTime<Utc>,
) -> Markup {
    let customers = people_opts(p, |x| x.side == Side::Customer);
    // The form starts on the customer person to invite next: the decision maker first, then
    // the owner, then anyone with no live or used invitation.
    let invited = |id: u32| {
        invitations.iter().any(|i| {
            i.person_id == id
                && i.revoked_at.is_none()
                && (i.used_at.is_some() || i.expires_at > now)
        })
    };
    let uninvited = [Role::DecisionMaker, Role::CustomerOwner]
        .into_iter()
        .find_map(|r| {
            p.people
                .iter()
                .find(|x| x.side == Side::Customer && x.role == r && !invited(x.id))
        })
        .or_else(|| {
            p.people
                .iter()
                .find(|x| x.side == Side::Customer && !invited(x.id))
        })
        .map(|x| x.id.to_string())
        .unwrap_or_default();
    section(
        "portal",
        "Customer portal",
        html! {
            p class="muted small" {
                "An invitation emails one customer person a link into this project's portal: single use, valid " (crate::ui::INVITATION_DAYS) " days, revocable. "
                @if !mail_on { strong { "No mail server is configured: " } "invitations wait in the " a href="/outbox" { "outbox" } "; copy the link shown after inviting and send it yourself." }
            }
            @let fi = Fields::new(Some(st), "invite");
            form method="post" action=(format!("/projects/{}/invitations", p.id)) class="action" id="form-invite" {
                (fi.hidden(csrf))
                (fi.message())
                (fi.select("person", "Customer person", &with_blank("choose a person", customers), &uninvited))
                button type="submit" { (if mail_on { "Email an invitation" } else { "Create invitation link" }) }
            }
            @if !invitations.is_empty() {
                h3 { "Invitations" }
                ul class="invitations" { @for (n, inv) in invitations.iter().enumerate() { li {
                    strong { (p.person_name(inv.person_id)) } " "
                    @if let Some(x) = p.person(inv.person_id) { span class="small muted" { (x.email) } " " }
                    (invitation_state(inv, now)) " "
                    (mail_state(mails.iter().find(|m| m.invitation_id == inv.id), mail_on))
                    div class="small muted" { "sent by " (inv.created_by) " on " (inv.created_at.format("%-d %b %Y")) }
                    div {
                        // Resent from the newest invitation of each person (a new link, that one revoked).
                        @if !invitations[..n].iter().any(|o| o.person_id == inv.person_id) {
                            form method="post" action=(format!("/projects/{}/invitations/{}/resend", p.id, inv.id)) class="inline" {
                                input type="hidden" name="csrf" value=(csrf);
                                button type="submit" class="link" { "Resend (new link)" }
                            }
                        }
                        @if inv.revoked_at.is_none() {
                            form method="post" action=(format!("/projects/{}/invitations/{}/revoke", p.id, inv.id)) class="inline" {
                                input type="hidden" name="csrf" value=(csrf);
                                button type="submit" class="link" { "Revoke" }
                            }
                        }
                        " " a href=(format!("/projects/{}/preview?person={}", p.id, inv.person_id)) { "preview their portal" }
                    }
                } } }
            }
        },
    )
}
