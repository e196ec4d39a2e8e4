//! The server functions. Their paths (`shared::routes`) and JSON shapes are the public API
//! (docs/ARCHITECTURE.md and the README): keep them stable. Every one of them needs a signed-in user (session cookie
//! or `Authorization: Bearer <token>`) and answers 401 without one, except sign-in and
//! sign-up. Three calls live outside this module, as axum handlers in the server crate: imports
//! (`POST /api/import_tables`, streamed), the whole list (`GET /api/databases`, answered
//! from bytes cached per scope) and downloads (`GET /api/download`, streamed).
//!
//! - [`databases`]: `database_page`, `database_schema`, `delete_table`,
//!   `delete_database`.
//! - [`tables`] (one table): `table_rows`, `table_profile`.
//! - [`codec`]: the JSON every one of them answers in.
//! - [`accounts`]: `sign_in`, `sign_up`, `sign_out`, `sign_out_everywhere`,
//!   `change_password`, `me`, `tokens`, `create_token`, `revoke_token`.

pub mod accounts;
pub mod codec;
pub mod databases;
pub mod tables;

pub use accounts::{
    ChangePassword, CreateToken, Me, RevokeToken, SignIn, SignOut, SignOutEverywhere, SignUp,
    change_password, create_token, list_tokens, me, revoke_token, sign_in, sign_out,
    sign_out_everywhere, sign_up,
};
pub use databases::{database_page, database_schema, delete_database, delete_table};
pub use tables::{table_profile, table_rows};

#[cfg(test)]
mod tests {
    use leptos::server_fn::ServerFn;
    use shared::routes;

    use super::accounts::ListTokens;
    use super::databases::{DatabasePageCall, DatabaseSchema, DeleteDatabase, DeleteTable};
    use super::tables::{TableProfileCall, TableRowsCall};
    use super::*;

    #[test]
    fn every_server_function_answers_at_its_path_in_shared_routes() {
        let paths = [
            (DatabasePageCall::PATH, routes::DATABASE_PAGE),
            (DatabaseSchema::PATH, routes::DATABASE_SCHEMA),
            (TableRowsCall::PATH, routes::TABLE_ROWS),
            (TableProfileCall::PATH, routes::TABLE_PROFILE),
            (DeleteTable::PATH, routes::DELETE_TABLE),
            (DeleteDatabase::PATH, routes::DELETE_DATABASE),
            (SignIn::PATH, routes::SIGN_IN),
            (SignUp::PATH, routes::SIGN_UP),
            (SignOut::PATH, routes::SIGN_OUT),
            (SignOutEverywhere::PATH, routes::SIGN_OUT_EVERYWHERE),
            (ChangePassword::PATH, routes::CHANGE_PASSWORD),
            (Me::PATH, routes::ME),
            (ListTokens::PATH, routes::TOKENS),
            (CreateToken::PATH, routes::CREATE_TOKEN),
            (RevokeToken::PATH, routes::REVOKE_TOKEN),
        ];
        for (declared, shared) in paths {
            assert_eq!(declared, shared);
        }
    }
}
