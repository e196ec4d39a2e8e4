//! Reusable pieces of the interface.

pub mod database_card;
pub mod error_panel;
pub mod header;
pub mod preview_panel;
pub mod table_preview;
