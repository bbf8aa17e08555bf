//! `finishline serve` and `finishline demo`.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use finishline_app::notify::{NotifyConfig, SmtpUrl};
use finishline_store::Store;
use finishline_web::{AppState, Config};

use super::db::{redact, DbArgs};

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "FINISHLINE_LISTEN", default_value = "127.0.0.1:7878")]
    pub listen: SocketAddr,
    #[command(flatten)]
    pub db: DbArgs,
    /// Mark cookies Secure: set it when users reach the server over HTTPS (behind a proxy).
    #[arg(long, env = "FINISHLINE_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Serve Prometheus metrics at http://ADDR/metrics, on their own address [default: off].
    /// Keep it off the public network: it tells how busy the server is.
    #[arg(long, env = "FINISHLINE_METRICS_LISTEN", value_name = "ADDR")]
    pub metrics_listen: Option<SocketAddr>,
    #[command(flatten)]
    pub notify: NotifyArgs,
    #[command(flatten)]
    pub limits: LimitsArgs,
}

/// Budgets for what comes from outside (customers' files, sign-ins) and for work done at once.
/// Each flag left out keeps the built-in default named in its help; see the README's "Limits".
#[derive(Debug, Args)]
pub struct LimitsArgs {
    /// Largest upload accepted, in MiB [default: 25].
    #[arg(long, env = "FINISHLINE_MAX_UPLOAD_MIB")]
    pub max_upload_mib: Option<usize>,
    /// Rows of a customer's spreadsheet [default: 1048576].
    #[arg(long, env = "FINISHLINE_IMPORT_MAX_ROWS")]
    pub import_max_rows: Option<u64>,
    /// Columns of a customer's sheet or CSV [default: 2000].
    #[arg(long, env = "FINISHLINE_IMPORT_MAX_COLUMNS")]
    pub import_max_columns: Option<usize>,
    /// Cells read from a customer's sheet [default: 40000000].
    #[arg(long, env = "FINISHLINE_IMPORT_MAX_CELLS")]
    pub import_max_cells: Option<u64>,
    /// MiB a spreadsheet may inflate to, counted while inflating [default: 1024].
    #[arg(long, env = "FINISHLINE_IMPORT_MAX_UNPACKED_MIB")]
    pub import_max_unpacked_mib: Option<u64>,
    /// MiB of a spreadsheet's shared strings, held in memory while it is read [default: 64].
    #[arg(long, env = "FINISHLINE_IMPORT_MAX_SHARED_STRINGS_MIB")]
    pub import_max_shared_strings_mib: Option<u64>,
    /// KiB of one CSV record (a line, or more with quoted line breaks) [default: 1024].
    #[arg(long, env = "FINISHLINE_IMPORT_MAX_RECORD_KIB")]
    pub import_max_record_kib: Option<usize>,
    /// KiB of one cell [default: 256].
    #[arg(long, env = "FINISHLINE_IMPORT_MAX_CELL_KIB")]
    pub import_max_cell_kib: Option<usize>,
    /// Imports checked at once; more wait in a queue [default: 2].
    #[arg(long, env = "FINISHLINE_IMPORTS_AT_ONCE")]
    pub imports_at_once: Option<usize>,
    /// Imports waiting for a turn before more are refused with 503 [default: 16].
    #[arg(long, env = "FINISHLINE_IMPORTS_QUEUED")]
    pub imports_queued: Option<usize>,
    /// Passwords checked at once (argon2id, ~19 MiB each); more wait briefly [default: 2].
    #[arg(long, env = "FINISHLINE_PASSWORD_CHECKS_AT_ONCE")]
    pub password_checks_at_once: Option<usize>,
    /// Failed sign-ins for one email in 15 minutes before it is locked [default: 5].
    #[arg(long, env = "FINISHLINE_SIGN_IN_FAILURES_PER_ACCOUNT")]
    pub sign_in_failures_per_account: Option<u32>,
    /// Failed sign-ins and bad links from one address in 15 minutes before it is locked
    /// [default: 20].
    #[arg(long, env = "FINISHLINE_SIGN_IN_FAILURES_PER_ADDRESS")]
    pub sign_in_failures_per_address: Option<u32>,
    /// Unknown tokens and session cookies from one address in 15 minutes before it is locked
    /// [default: 100].
    #[arg(long, env = "FINISHLINE_CREDENTIAL_FAILURES_PER_ADDRESS")]
    pub credential_failures_per_address: Option<u32>,
    /// Take the client's address from the last X-Forwarded-For entry: only behind a reverse
    /// proxy that sets it, or anyone can choose their address.
    #[arg(long, env = "FINISHLINE_TRUST_PROXY_HEADERS")]
    pub trust_proxy_headers: bool,
}

/// A flag given replaces the default; one left out keeps it.
fn set<T>(slot: &mut T, flag: Option<T>) {
    if let Some(v) = flag {
        *slot = v;
    }
}

impl LimitsArgs {
    fn apply(&self, config: &mut Config) {
        if let Some(mib) = self.max_upload_mib {
            config.max_upload_bytes = mib.max(1) << 20;
        }
        let data = &mut config.import_limits;
        set(&mut data.max_rows, self.import_max_rows);
        set(&mut data.max_columns, self.import_max_columns);
        set(&mut data.max_cells, self.import_max_cells);
        set(
            &mut data.max_uncompressed_bytes,
            self.import_max_unpacked_mib.map(|m| m << 20),
        );
        set(
            &mut data.max_shared_strings_bytes,
            self.import_max_shared_strings_mib.map(|m| m << 20),
        );
        set(
            &mut data.max_record_bytes,
            self.import_max_record_kib.map(|k| k << 10),
        );
        set(
            &mut data.max_cell_bytes,
            self.import_max_cell_kib.map(|k| k << 10),
        );
        let l = &mut config.limits;
        set(
            &mut l.import_concurrency,
            self.imports_at_once.map(|n| n.max(1)),
        );
        set(&mut l.import_queue, self.imports_queued);
        set(
            &mut l.hash_concurrency,
            self.password_checks_at_once.map(|n| n.max(1)),
        );
        set(&mut l.account_failures, self.sign_in_failures_per_account);
        set(&mut l.address_failures, self.sign_in_failures_per_address);
        set(
            &mut l.credential_failures,
            self.credential_failures_per_address,
        );
        l.trust_proxy_headers |= self.trust_proxy_headers;
    }
}

/// Mail, links in emails and the notification sweep.
#[derive(Debug, Args)]
pub struct NotifyArgs {
    /// SMTP server for mail: smtp://user:pass@host:587?tls=required, smtps://host:465, or
    /// smtp://host:25 (no TLS). Without it, mail stays in the outbox (GET /api/v1/outbox).
    #[arg(long, env = "FINISHLINE_SMTP_URL", hide_env_values = true, value_parser = parse_smtp_url)]
    pub smtp_url: Option<SmtpUrl>,
    /// The From: of every email.
    #[arg(
        long,
        env = "FINISHLINE_MAIL_FROM",
        default_value = "Finishline <finishline@localhost>"
    )]
    pub mail_from: String,
    /// The address people reach this server at, for links in emails; defaults to http://<listen>.
    #[arg(long, env = "FINISHLINE_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Seconds between notification sweeps (nudges, digests, webhooks, delivery).
    #[arg(long, env = "FINISHLINE_SWEEP_SECONDS", default_value_t = 60)]
    pub sweep_seconds: u64,
    /// Seconds a server holds a message it is sending before another server may retry it.
    #[arg(long, env = "FINISHLINE_OUTBOX_LEASE_SECONDS", default_value_t = 120)]
    pub outbox_lease_seconds: i64,
    /// Hosts outbound webhooks may reach although they resolve to loopback or private addresses
    /// (comma-separated), for every workspace.
    #[arg(long, env = "FINISHLINE_WEBHOOK_ALLOW_HOSTS", value_delimiter = ',')]
    pub webhook_allow_hosts: Vec<String>,
}

fn parse_smtp_url(s: &str) -> Result<SmtpUrl, String> {
    if s.starts_with("smtp://") || s.starts_with("smtps://") {
        Ok(SmtpUrl(s.to_string()))
    } else {
        Err("use smtp://host:port or smtps://host:port".into())
    }
}

impl NotifyArgs {
    fn config(&self, listen: SocketAddr) -> NotifyConfig {
        NotifyConfig {
            smtp_url: self.smtp_url.clone(),
            mail_from: self.mail_from.clone(),
            public_url: self
                .public_url
                .clone()
                .unwrap_or_else(|| format!("http://{listen}")),
            lease: chrono::Duration::seconds(self.outbox_lease_seconds.max(1)),
            sweep_every: std::time::Duration::from_secs(self.sweep_seconds.max(1)),
            allow_hosts: self.webhook_allow_hosts.clone(),
            ..NotifyConfig::default()
        }
    }
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Address and port to listen on.
    #[arg(long, env = "FINISHLINE_LISTEN", default_value = "127.0.0.1:7878")]
    pub listen: SocketAddr,
    /// Folder for the demo database (`demo.sqlite`, recreated on every start).
    #[arg(long, env = "FINISHLINE_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// Create the demo database and exit without serving.
    #[arg(long)]
    pub seed_only: bool,
}

pub async fn serve(args: ServeArgs) -> Result<()> {
    let store = args.db.open().await?;
    if store.workspaces().await?.is_empty() {
        eprintln!(
            "note: no workspace yet; create the first member with\n  finishline user create --email you@example.com --name \"Your Name\" --workspace-name \"Your company\" --admin"
        );
    }
    tracing::info!(database = %redact(&args.db.url()?), "database ready");
    if args.notify.smtp_url.is_none() {
        tracing::info!("no SMTP server (--smtp-url): mail stays in the outbox, GET /api/v1/outbox");
    }
    let mut config = Config {
        secure_cookies: args.secure_cookies,
        notify: args.notify.config(args.listen),
        ..Config::default()
    };
    args.limits.apply(&mut config);
    run(store, args.listen, config, None, args.metrics_listen).await
}

pub async fn demo(args: DemoArgs) -> Result<()> {
    std::fs::create_dir_all(&args.data_dir)
        .with_context(|| format!("creating the data folder {}", args.data_dir.display()))?;
    let path = args.data_dir.join("demo.sqlite");
    // A fresh demo every time, dated from today.
    for suffix in ["", "-wal", "-shm"] {
        let f = PathBuf::from(format!("{}{suffix}", path.display()));
        if f.exists() {
            std::fs::remove_file(&f)
                .with_context(|| format!("removing the old demo database {}", f.display()))?;
        }
    }
    let url = format!("sqlite://{}", path.display());
    let store = Store::open(&url)
        .await
        .with_context(|| format!("creating {url}"))?;
    let login = crate::demo::seed(&store, chrono::Utc::now()).await?;
    if args.seed_only {
        println!("demo database written to {}", path.display());
        println!(
            "login: {} / {} (workspace {})",
            login.email, login.password, login.workspace_id
        );
        return Ok(());
    }
    let banner = move |addr: SocketAddr| {
        format!(
            "\nFinishline demo is running.\n  open:     http://{addr}/\n  API:      http://{addr}/api/v1/openapi.json\n  login:    {} / {}\n  database: {} (recreated on every `finishline demo`)\nPress Ctrl-C to stop.\n",
            login.email, login.password, path.display()
        )
    };
    // No SMTP in the demo: mail goes to the outbox, where a new user can read what would be sent.
    let config = Config {
        notify: NotifyConfig {
            public_url: format!("http://{}", args.listen),
            ..NotifyConfig::default()
        },
        ..Config::default()
    };
    run(store, args.listen, config, Some(Box::new(banner)), None).await
}

type Banner = Box<dyn FnOnce(SocketAddr) -> String + Send>;

async fn run(
    store: Store,
    listen: SocketAddr,
    config: Config,
    banner: Option<Banner>,
    metrics_listen: Option<SocketAddr>,
) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| {
            format!("listening on {listen} (is another server running there? use --listen)")
        })?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, "listening");
    if let Some(b) = banner {
        // The real address, so `--listen 127.0.0.1:0` tells where it landed.
        println!("{}", b(addr));
        use std::io::Write as _;
        let _ = std::io::stdout().flush();
    }
    let mut config = config;
    if config.notify.public_url.ends_with(":0") {
        // Links in emails point at the port the server landed on.
        config.notify.public_url = format!("http://{addr}");
    }
    let state = AppState::new(store.clone()).with_config(config);
    let sweeper = finishline_app::notify::spawn_sweeper(state.app.clone());
    let metrics = match metrics_listen {
        Some(at) => {
            let listener = tokio::net::TcpListener::bind(at).await.with_context(|| {
                format!("listening for metrics on {at} (is something else there? change --metrics-listen)")
            })?;
            tracing::info!(addr = %listener.local_addr()?, "serving metrics at /metrics");
            Some(tokio::spawn(finishline_web::metrics::serve(
                listener,
                state.clone(),
                finishline_web::shutdown_signal(),
            )))
        }
        None => None,
    };
    let served = finishline_web::serve(listener, state, finishline_web::shutdown_signal()).await;
    sweeper.abort();
    if let Some(m) = metrics {
        m.abort();
    }
    served?;
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}
