//! One module per route.

pub mod database;
pub mod home;
pub mod not_found;
pub mod settings;
pub mod sign_in;
pub mod sign_up;
pub mod table;
pub mod table_profile;
