//! The server functions. Their paths and JSON shapes are the public API (DESIGN.md §4 and
//! the README): keep them stable. Every one of them needs a signed-in user (session cookie
//! or `Authorization: Bearer <token>`) and answers 401 without one, except sign-in and
//! sign-up. Imports are the one call outside this module: a streaming axum handler in the
//! server crate (`POST /api/import_tables`).
//!
//! - [`databases`]: `databases`, `database_schema`, `delete_table`, `delete_database`.
//! - [`accounts`]: `sign_in`, `sign_up`, `sign_out`, `me`, `tokens`, `create_token`,
//!   `revoke_token`.

pub mod accounts;
pub mod databases;

pub use accounts::{
    CreateToken, Me, RevokeToken, SignIn, SignOut, SignUp, create_token, list_tokens, me,
    revoke_token, sign_in, sign_out, sign_up,
};
pub use databases::{database_schema, delete_database, delete_table, list_databases};
