//! `finishline copy` and `restore`: a whole database carried somewhere else, and proved equal.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::Args;
use finishline_store::{Backend, Store, TableSum};

use super::db::{redact, DbArgs};

#[derive(Debug, Args)]
pub struct CopyArgs {
    /// The empty PostgreSQL database to copy into: `postgres://USER[:PASSWORD]@HOST:PORT/DB`.
    /// Create it first (`createdb finishline`); its schema is made by the copy.
    #[arg(long, value_name = "URL")]
    pub to: String,
    /// Where the embedded database to copy from is (the server may keep running).
    #[command(flatten)]
    pub db: DbArgs,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The backup file written by `finishline backup`.
    pub from: PathBuf,
    /// The data folder to restore into; it must not hold a database yet.
    #[arg(long, env = "FINISHLINE_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
}

pub async fn copy(args: CopyArgs) -> Result<()> {
    if Backend::of_url(&args.to).ok() != Some(Backend::Postgres) {
        bail!(
            "--to takes a postgres:// URL (got {}); to copy the embedded database to a file, use `finishline backup FILE`",
            redact(&args.to)
        );
    }
    if args.db.database_url.is_none() && !args.db.data_dir.join("finishline.sqlite").is_file() {
        let demo = args.db.data_dir.join("demo.sqlite");
        if demo.is_file() {
            bail!(
                "{} holds only the demo's database; to copy it, say so: --database-url sqlite://{}",
                args.db.data_dir.display(),
                demo.display()
            );
        }
        bail!(
            "there is no database in {} to copy; say where it is with --data-dir or --database-url",
            args.db.data_dir.display()
        );
    }
    let from_url = args.db.url()?;
    if Backend::of_url(&from_url)? != Backend::Sqlite {
        bail!("the source is PostgreSQL already; copy between PostgreSQL servers with pg_dump");
    }
    let file = sqlite_path(&from_url);
    if !file.is_file() {
        bail!(
            "there is no database at {} to copy; say where it is with --data-dir or --database-url",
            file.display()
        );
    }
    let source = Store::open(&from_url)
        .await
        .with_context(|| format!("opening the database {}", file.display()))?;
    let target = Store::open(&args.to).await.with_context(|| {
        format!(
            "opening the target database {} (does it exist? create it with `createdb`)",
            redact(&args.to)
        )
    })?;
    eprintln!("copying {} into {} …", file.display(), redact(&args.to));
    let started = Instant::now();
    let mut last = Instant::now();
    let mut shown = String::new();
    let sums = source
        .copy_into(&target, &mut |table, rows| {
            if last.elapsed() >= Duration::from_secs(1) && shown != table {
                eprintln!("  {table}: {rows} rows so far");
                last = Instant::now();
                shown = table.to_string();
            }
        })
        .await
        .context("copying")?;
    source.close().await;
    target.close().await;
    print_sums(&sums);
    let rows: u64 = sums.iter().map(|s| s.rows).sum();
    println!(
        "copied {rows} rows in {} tables in {:.1} s; every table's count and checksum match the source",
        sums.len(),
        started.elapsed().as_secs_f64()
    );
    println!(
        "next: stop the server and start it on PostgreSQL (everything, uploaded files included, is in the database now):\n  finishline serve --database-url '{}'",
        redact(&args.to)
    );
    Ok(())
}

pub async fn restore(args: RestoreArgs) -> Result<()> {
    let from = &args.from;
    let header = read_header(from)?;
    if &header != b"SQLite format 3\0" {
        bail!(
            "{} is not a backup written by `finishline backup` (not an SQLite database)",
            from.display()
        );
    }
    let target = args.data_dir.join("finishline.sqlite");
    for existing in [target.clone(), args.data_dir.join("finishline.sqlite-wal")] {
        if existing.exists() {
            bail!(
                "{} exists: restore only into a data folder without a database (move it away, or choose another --data-dir)",
                existing.display()
            );
        }
    }
    std::fs::create_dir_all(&args.data_dir)
        .with_context(|| format!("creating the data folder {}", args.data_dir.display()))?;
    // Work on a copy under another name, so a failed restore never leaves a database the server
    // would start on.
    let partial = args.data_dir.join("finishline.sqlite.restoring");
    remove_partial(&partial)?;
    std::fs::copy(from, &partial).with_context(|| {
        format!(
            "copying {} into {}",
            from.display(),
            args.data_dir.display()
        )
    })?;
    let checked = check_restored(&partial).await;
    let sums = match checked {
        Ok(sums) => sums,
        Err(e) => {
            remove_partial(&partial)?;
            return Err(e);
        }
    };
    let wal = with_suffix(&partial, "-wal");
    if wal.exists() {
        std::fs::rename(&wal, args.data_dir.join("finishline.sqlite-wal"))
            .context("moving the restored database's log into place")?;
    }
    std::fs::rename(&partial, &target).context("moving the restored database into place")?;
    print_sums(&sums);
    println!(
        "restored {} into {}; start the server with:\n  finishline serve --data-dir {}",
        from.display(),
        target.display(),
        args.data_dir.display()
    );
    Ok(())
}

/// Opens the copied file: SQLite's integrity check, the schema brought up to this version (a
/// backup from a newer version is refused), every table known, and its sums for the summary.
async fn check_restored(file: &Path) -> Result<Vec<TableSum>> {
    let url = format!("sqlite://{}", file.display());
    let store = Store::connect(&url)
        .await
        .with_context(|| format!("opening the copy of the backup at {}", file.display()))?;
    let result = async {
        store
            .check_integrity()
            .await
            .context("the backup is damaged")?;
        store.migrate().await.context(
            "the backup is not a Finishline database, or was made by a newer version of Finishline",
        )?;
        store
            .table_sums()
            .await
            .context("reading the restored database")
    }
    .await;
    store.close().await;
    result
}

fn print_sums(sums: &[TableSum]) {
    println!("  {:<20} {:>9}       checksum", "table", "rows");
    for s in sums.iter().filter(|s| s.rows > 0) {
        println!("  {:<20} {:>9} rows  {}", s.table, s.rows, s.checksum_hex());
    }
}

fn read_header(file: &Path) -> Result<[u8; 16]> {
    use std::io::Read as _;
    let mut f = std::fs::File::open(file)
        .with_context(|| format!("opening the backup {}", file.display()))?;
    let mut header = [0u8; 16];
    f.read_exact(&mut header).map_err(|_| {
        anyhow::anyhow!(
            "{} is not a backup written by `finishline backup` (too short)",
            file.display()
        )
    })?;
    Ok(header)
}

fn remove_partial(partial: &Path) -> Result<()> {
    for f in [
        partial.to_path_buf(),
        with_suffix(partial, "-wal"),
        with_suffix(partial, "-shm"),
    ] {
        if f.exists() {
            std::fs::remove_file(&f)
                .with_context(|| format!("removing the unfinished restore {}", f.display()))?;
        }
    }
    Ok(())
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// The file of an `sqlite://PATH[?options]` URL.
fn sqlite_path(url: &str) -> PathBuf {
    let rest = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    PathBuf::from(rest.split('?').next().unwrap_or(rest))
}
