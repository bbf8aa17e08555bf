//! One module per top-level command.

pub mod admin;
pub mod data;
pub mod db;
pub mod export;
pub mod project;
pub mod serve;
pub mod transfer;
