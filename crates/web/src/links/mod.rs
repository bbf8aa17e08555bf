//! The pages of one-click email links (act on a task, unsubscribe): small standalone HTML
//! pages, outside the workspace and the portal, for people who are not signed in.

pub mod pages;
