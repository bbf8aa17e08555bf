//! Why the application did not do what it was asked, in its own terms. `web` maps each variant
//! to an HTTP status and a problem+json body; the CLI prints it.

use finishline_core::DomainError;
use finishline_store::StoreError;

use crate::queue::Full;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The input cannot be used as given (a malformed value, an unreadable file): `field` says
    /// where.
    #[error("{field}: {message}")]
    BadInput { field: String, message: String },
    /// Well-formed input holding a value that does not fit (an unknown playbook, a file id that
    /// is not the project's), naming where it is.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    #[error("{0} was not found")]
    NotFound(String),
    /// Not this caller's to do (a link for another person, a link of another kind).
    #[error("{0}")]
    Forbidden(String),
    /// The state does not allow it now: used already, changed by others for too long.
    #[error("{0}")]
    Conflict(String),
    /// The imports queue is full, or the wait for a turn was too long.
    #[error("the server is busy with other imports ({} running, {} waiting)", .0.running, .0.waiting)]
    ImportsBusy(Full),
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A failure of ours (a scratch file, a corrupt stored document): logged, never detailed to
    /// the caller.
    #[error("{0}")]
    Internal(String),
}

impl AppError {
    pub fn bad(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::BadInput {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        AppError::NotFound(what.into())
    }
}
