//! One module per route.

pub mod database;
pub mod home;
pub mod not_found;
