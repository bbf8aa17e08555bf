//! Where the database is, and picking the workspace a command acts on.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Args;
use finishline_store::{Store, Workspace};

#[derive(Debug, Clone, Args)]
pub struct DbArgs {
    /// Database URL: `sqlite://PATH` or `postgres://USER@HOST:PORT/DB`.
    /// Default: `sqlite://<data-dir>/finishline.sqlite`.
    #[arg(long, env = "FINISHLINE_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Folder for the embedded database and other local state.
    #[arg(long, env = "FINISHLINE_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
}

impl DbArgs {
    pub fn url(&self) -> Result<String> {
        if let Some(url) = &self.database_url {
            return Ok(url.clone());
        }
        std::fs::create_dir_all(&self.data_dir)
            .with_context(|| format!("creating the data folder {}", self.data_dir.display()))?;
        Ok(format!(
            "sqlite://{}",
            self.data_dir.join("finishline.sqlite").display()
        ))
    }

    /// Connects and migrates.
    pub async fn open(&self) -> Result<Store> {
        let url = self.url()?;
        Store::open(&url)
            .await
            .with_context(|| format!("opening the database {}", redact(&url)))
    }
}

/// A URL fit for messages: no password.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// The workspace named, or the only one there is.
pub async fn pick_workspace(store: &Store, id: Option<&str>) -> Result<Workspace> {
    if let Some(id) = id {
        return store
            .workspace(id)
            .await?
            .with_context(|| format!("there is no workspace {id}"));
    }
    let mut all = store.workspaces().await?;
    match all.len() {
        0 => bail!("there is no workspace yet: create one with `finishline user create --email … --name … --workspace-name …`"),
        1 => Ok(all.remove(0)),
        _ => bail!(
            "there are {} workspaces; say which with --workspace ({})",
            all.len(),
            all.iter().map(|w| format!("{} = {}", w.id, w.name)).collect::<Vec<_>>().join(", ")
        ),
    }
}

pub async fn migrate(db: DbArgs) -> Result<()> {
    let store = db.open().await?;
    store.close().await;
    println!("database is up to date: {}", redact(&db.url()?));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(
            redact("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("sqlite://data/x.sqlite"), "sqlite://data/x.sqlite");
    }
}
