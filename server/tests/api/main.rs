//! The server's integration tests: one test binary (one link), a module per concern. Each
//! test starts the app in-process on a free port over a fresh embedded S3 server
//! ([`helpers::TestApp`]), or, in [`binary`], runs the real binary.

#![allow(clippy::unwrap_used)]

mod access;
mod binary;
mod browser_security;
mod connections;
mod credentials;
mod helpers;
mod imports;
mod limits;
mod reading;
mod shutdown;
mod table_pages;
mod table_profiles;
