//! IEEE XES (1849-2016): the case-centric view, one trace per project whose events are its
//! stage visits — a `start` when the project entered a stage and a `complete` when it left —
//! with `org:resource` naming who moved it. It is the log the process map is drawn from, so a
//! process-mining tool finds the same stage edges (on the `start` events; `complete` and the
//! next `start` share their time). The full activity log is in the OCEL export.

use std::io::Write;

use chrono::{DateTime, Utc};
use finishline_core::process::{stage_visits, waiting_spans};
use finishline_core::{Activity, Project};

use super::{key_of, time};

const HEADER: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1849-2016" xes.features="" xmlns="http://www.xes-standard.org/">
<extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
<extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
<extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext"/>
<extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>
<global scope="trace">
<string key="concept:name" value="__INVALID__"/>
</global>
<global scope="event">
<string key="concept:name" value="__INVALID__"/>
<date key="time:timestamp" value="1970-01-01T00:00:00.000Z"/>
<string key="lifecycle:transition" value="complete"/>
<string key="org:resource" value="__INVALID__"/>
</global>
<classifier name="Stage" keys="concept:name"/>
<classifier name="Stage and transition" keys="concept:name lifecycle:transition"/>
<string key="concept:name" value="Finishline stage visits"/>
"#;

/// Writes one XES document, a project (trace) at a time.
pub struct XesWriter<W: Write> {
    out: W,
}

/// Text safe inside a double-quoted XML attribute. Characters XML 1.0 cannot hold at all
/// (most control characters) are dropped rather than failing the whole export.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

impl<W: Write> XesWriter<W> {
    pub fn new(mut out: W) -> std::io::Result<Self> {
        out.write_all(HEADER.as_bytes())?;
        Ok(XesWriter { out })
    }

    /// Writes one project's trace; returns how many events it has. `now` ends no visit: a stage
    /// the project is still in has a `start` only.
    pub fn project(
        &mut self,
        p: &Project,
        log: &[Activity],
        now: DateTime<Utc>,
    ) -> std::io::Result<usize> {
        let spans = waiting_spans(log, now);
        let visits = stage_visits(p, log, &spans, now);
        let o = &mut self.out;
        writeln!(o, "<trace>")?;
        string(o, "concept:name", &p.id)?;
        string(o, "project", &p.name)?;
        string(o, "customer", &p.customer)?;
        string(o, "segment", &key_of(&p.handoff.segment))?;
        string(
            o,
            "playbook",
            &format!("{} v{}", p.playbook.key, p.playbook.version),
        )?;
        let mut events = 0;
        for (i, v) in visits.iter().enumerate() {
            let stage = v.stage.key();
            writeln!(o, "<event>")?;
            string(o, "concept:name", &stage)?;
            string(o, "lifecycle:transition", "start")?;
            date(o, v.entered)?;
            string(o, "org:resource", resource(&v.entered_by))?;
            if let Some(l) = v.via_loop {
                string(o, "loop", &key_of(&l))?;
            }
            writeln!(o, "</event>")?;
            events += 1;
            if let Some(left) = v.left {
                let by = visits
                    .get(i + 1)
                    .map(|n| n.entered_by.as_str())
                    .unwrap_or("");
                writeln!(o, "<event>")?;
                string(o, "concept:name", &stage)?;
                string(o, "lifecycle:transition", "complete")?;
                date(o, left)?;
                string(o, "org:resource", resource(by))?;
                float(
                    o,
                    "wait:customer_days",
                    v.customer_seconds as f64 / 86_400.0,
                )?;
                float(o, "wait:vendor_days", v.vendor_seconds as f64 / 86_400.0)?;
                writeln!(o, "</event>")?;
                events += 1;
            }
        }
        writeln!(o, "</trace>")?;
        Ok(events)
    }

    pub fn finish(mut self) -> std::io::Result<W> {
        self.out.write_all(b"</log>\n")?;
        Ok(self.out)
    }
}

/// A visit whose mover the log does not name is attributed to "unknown", never left empty.
fn resource(actor: &str) -> &str {
    if actor.is_empty() {
        "unknown"
    } else {
        actor
    }
}

fn string(o: &mut impl Write, key: &str, value: &str) -> std::io::Result<()> {
    writeln!(o, "<string key=\"{key}\" value=\"{}\"/>", escape(value))
}

fn float(o: &mut impl Write, key: &str, value: f64) -> std::io::Result<()> {
    writeln!(o, "<float key=\"{key}\" value=\"{value:.4}\"/>")
}

fn date(o: &mut impl Write, at: DateTime<Utc>) -> std::io::Result<()> {
    writeln!(o, "<date key=\"time:timestamp\" value=\"{}\"/>", time(at))
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escape_makes_markup_and_control_characters_safe_in_an_attribute() {
        assert_eq!(
            escape("A & <B> \"c\" 'd'"),
            "A &amp; &lt;B&gt; &quot;c&quot; &apos;d&apos;"
        );
        assert_eq!(escape("x\u{0}y\nz"), "xy&#10;z");
    }
}
