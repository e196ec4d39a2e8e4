//! Where things are: the API's paths, the pages' paths and the import's multipart field
//! names. The contract, written once for the server, the browser and the tests. (The
//! server functions' `#[server]` attributes need literals; a test in `app` checks that
//! each one's path is the constant here.)

/// Every API call lives under this prefix.
pub const API_PREFIX: &str = "/api/";

pub const DATABASES: &str = "/api/databases";
pub const DATABASE_PAGE: &str = "/api/database_page";
pub const DATABASE_SCHEMA: &str = "/api/database_schema";
pub const TABLE_ROWS: &str = "/api/table_rows";
pub const TABLE_PROFILE: &str = "/api/table_profile";
pub const DOWNLOAD: &str = "/api/download";
pub const IMPORT_TABLES: &str = "/api/import_tables";
pub const DELETE_TABLE: &str = "/api/delete_table";
pub const DELETE_DATABASE: &str = "/api/delete_database";
pub const SIGN_IN: &str = "/api/sign_in";
pub const SIGN_UP: &str = "/api/sign_up";
pub const SIGN_OUT: &str = "/api/sign_out";
pub const SIGN_OUT_EVERYWHERE: &str = "/api/sign_out_everywhere";
pub const CHANGE_PASSWORD: &str = "/api/change_password";
pub const ME: &str = "/api/me";
pub const TOKENS: &str = "/api/tokens";
pub const CREATE_TOKEN: &str = "/api/create_token";
pub const REVOKE_TOKEN: &str = "/api/revoke_token";

/// Health checks (no user needed).
pub const HEALTHZ: &str = "/healthz";
pub const READYZ: &str = "/readyz";

/// Pages anyone may open.
pub const SIGN_IN_PAGE: &str = "/sign-in";
pub const SIGN_UP_PAGE: &str = "/sign-up";
pub const SETTINGS_PAGE: &str = "/settings";

/// The page of one database.
pub fn database_page(database: &crate::DatabaseName) -> String {
    format!("/db/{database}")
}

/// The page of one table; `row` (1-based, as shown) opens it at that row.
pub fn table_page(database: &crate::DatabaseName, table: &crate::TableName) -> String {
    format!("/db/{database}/{table}")
}

/// Downloading a table as it is stored.
pub fn download(database: &crate::DatabaseName, table: &crate::TableName) -> String {
    format!("{DOWNLOAD}?database={database}&table={table}")
}

/// The multipart fields of `POST /api/import_tables`, in the order they are sent:
/// [`DATABASE`](import_fields::DATABASE), optionally [`REPLACE`](import_fields::REPLACE),
/// then for each file an optional [`TABLE`](import_fields::TABLE) and its
/// [`FILE`](import_fields::FILE).
pub mod import_fields {
    pub const DATABASE: &str = "database";
    pub const REPLACE: &str = "replace";
    pub const TABLE: &str = "table";
    pub const FILE: &str = "file";
}
