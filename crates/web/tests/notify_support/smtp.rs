//! A real SMTP server on loopback, just enough of RFC 5321 for lettre: it records every message
//! accepted. `hold` makes it accept connections but stall before the greeting (an SMTP server
//! that hangs), `refuse` answers DATA with a temporary failure.
#![allow(dead_code, clippy::unwrap_used)]

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or("");
        let mut value: Option<String> = None;
        for line in head.split("\r\n") {
            if let Some(v) = value.as_mut() {
                if line.starts_with(' ') || line.starts_with('\t') {
                    v.push_str(line.trim_start());
                    continue;
                }
                break;
            }
            if let Some((k, v)) = line.split_once(':') {
                if k.eq_ignore_ascii_case(name) {
                    value = Some(v.trim().to_string());
                }
            }
        }
        value
    }

    pub fn subject(&self) -> String {
        self.header("Subject").unwrap_or_default()
    }

    /// The body with quoted-printable soft breaks undone.
    pub fn body(&self) -> String {
        let body = self.data.split_once("\r\n\r\n").map(|x| x.1).unwrap_or("");
        let qp = self
            .header("Content-Transfer-Encoding")
            .is_some_and(|e| e.eq_ignore_ascii_case("quoted-printable"));
        let body = body.replace("\r\n", "\n");
        if qp {
            body.replace("=\n", "").replace("=3D", "=")
        } else {
            body
        }
    }

    /// Every link in the body that starts with `prefix`.
    pub fn links(&self, prefix: &str) -> Vec<String> {
        self.body()
            .split_whitespace()
            .filter(|w| w.starts_with(prefix))
            .map(str::to_string)
            .collect()
    }
}

#[derive(Clone)]
pub struct SmtpSink {
    pub url: String,
    pub port: u16,
    pub received: Arc<Mutex<Vec<Received>>>,
    pub hold: Arc<AtomicBool>,
    pub refuse: Arc<AtomicBool>,
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        Self::start_on("127.0.0.1:0").await
    }

    pub async fn start_on(addr: &str) -> SmtpSink {
        let listener = TcpListener::bind(addr).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let sink = SmtpSink {
            url: format!("smtp://127.0.0.1:{port}"),
            port,
            received: Arc::default(),
            hold: Arc::default(),
            refuse: Arc::default(),
        };
        let s = sink.clone();
        tokio::spawn(async move {
            loop {
                let Ok((sock, _)) = listener.accept().await else {
                    return;
                };
                let s = s.clone();
                tokio::spawn(async move {
                    let _ = s.session(sock).await;
                });
            }
        });
        sink
    }

    pub fn messages(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    pub fn to(&self, email: &str) -> Vec<Received> {
        self.messages()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(email)))
            .collect()
    }

    async fn session(&self, sock: tokio::net::TcpStream) -> std::io::Result<()> {
        while self.hold.load(Ordering::SeqCst) {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        let (r, mut w) = sock.into_split();
        let mut lines = BufReader::new(r);
        w.write_all(b"220 sink ESMTP\r\n").await?;
        let (mut from, mut to) = (String::new(), Vec::new());
        let mut line = String::new();
        loop {
            line.clear();
            if lines.read_line(&mut line).await? == 0 {
                return Ok(());
            }
            let cmd = line.trim_end().to_string();
            let upper = cmd.to_ascii_uppercase();
            if upper.starts_with("EHLO") {
                w.write_all(b"250-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
                    .await?;
            } else if upper.starts_with("HELO") || upper.starts_with("NOOP") {
                w.write_all(b"250 ok\r\n").await?;
            } else if upper.starts_with("MAIL FROM:") {
                from = addr(&cmd[10..]);
                to.clear();
                w.write_all(b"250 ok\r\n").await?;
            } else if upper.starts_with("RCPT TO:") {
                to.push(addr(&cmd[8..]));
                w.write_all(b"250 ok\r\n").await?;
            } else if upper == "DATA" {
                w.write_all(b"354 go ahead\r\n").await?;
                let mut data = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await? == 0 {
                        return Ok(());
                    }
                    if line == ".\r\n" || line == ".\n" {
                        break;
                    }
                    let l = line.strip_prefix('.').unwrap_or(&line);
                    data.push_str(l);
                }
                if self.refuse.load(Ordering::SeqCst) {
                    w.write_all(b"451 try again later\r\n").await?;
                } else {
                    self.received.lock().unwrap().push(Received {
                        from: from.clone(),
                        to: to.clone(),
                        data,
                    });
                    w.write_all(b"250 queued\r\n").await?;
                }
            } else if upper == "RSET" {
                from.clear();
                to.clear();
                w.write_all(b"250 ok\r\n").await?;
            } else if upper == "QUIT" {
                w.write_all(b"221 bye\r\n").await?;
                return Ok(());
            } else {
                w.write_all(b"502 not implemented\r\n").await?;
            }
        }
    }
}

fn addr(s: &str) -> String {
    let s = s.trim();
    let s = s.split_whitespace().next().unwrap_or(s);
    s.trim_start_matches('<').trim_end_matches('>').to_string()
}
