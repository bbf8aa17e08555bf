//! `finishline serve` and `finishline demo`.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use finishline_store::Store;
use finishline_web::notify::{NotifyConfig, SmtpUrl};
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
    #[command(flatten)]
    pub notify: NotifyArgs,
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
    let config = Config {
        secure_cookies: args.secure_cookies,
        notify: args.notify.config(args.listen),
        ..Config::default()
    };
    run(store, args.listen, config, None).await
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
    run(store, args.listen, config, Some(Box::new(banner))).await
}

type Banner = Box<dyn FnOnce(SocketAddr) -> String + Send>;

async fn run(
    store: Store,
    listen: SocketAddr,
    config: Config,
    banner: Option<Banner>,
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
    let sweeper = finishline_web::notify::spawn_sweeper(state.clone());
    let served = finishline_web::serve(listener, state, finishline_web::shutdown_signal()).await;
    sweeper.abort();
    served?;
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}
