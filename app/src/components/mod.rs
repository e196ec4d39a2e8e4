//! Reusable pieces of the interface.

pub mod account_fields;
pub mod column_profile_card;
pub mod confirm_button;
pub mod data_table;
pub mod database_card;
pub mod delete_button;
pub mod error_panel;
pub mod format_badge;
pub mod header;
pub mod import_panel;
pub mod preview_panel;
pub mod profile_charts;
pub mod row_grid;
pub mod table_preview;
