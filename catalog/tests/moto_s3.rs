//! The listing suite against moto's standalone S3 server: the same tests as on the embedded
//! server, to prove the catalog speaks S3 and not just s3s-fs.

#![allow(clippy::unwrap_used)]

mod listing_suite;
mod preview_suite;

use catalog::testing as common;

macro_rules! run_suite_on_moto {
    ($($test:ident),* $(,)?) => {$(
        #[tokio::test]
        async fn $test() {
            listing_suite::$test(common::moto_with_prefix(listing_suite::SUITE_PREFIX).await).await;
        }
    )*};
}

run_suite_on_moto!(
    an_empty_bucket_lists_no_databases,
    default_and_own_databases_are_listed_sorted_with_their_tables,
    a_database_with_a_marker_but_no_tables_is_listed_empty,
    keys_follow_the_documented_layout,
    reserved_objects_and_other_files_are_hidden_from_the_table_list,
    folders_with_invalid_names_written_by_other_tools_are_not_databases,
    another_users_databases_are_not_listed,
    objects_outside_the_configured_prefix_are_ignored,
    listings_longer_than_one_page_are_followed_to_the_end,
    the_list_reads_no_table_content,
);

macro_rules! run_preview_suite_on_moto {
    ($($test:ident),* $(,)?) => {$(
        #[tokio::test]
        async fn $test() {
            preview_suite::$test(common::moto().await).await;
        }
    )*};
}

run_preview_suite_on_moto!(
    quoted_fields_keep_their_commas_quotes_and_newlines,
    a_bom_and_crlf_line_ends_are_handled,
    each_delimiter_is_detected,
    ragged_rows_are_shown_and_flagged,
    an_empty_file_is_an_empty_table_not_an_error,
    a_header_only_file_has_columns_and_no_rows,
    invalid_utf8_gives_a_lossy_preview_that_says_so,
    a_field_over_one_mebibyte_grows_the_range_and_still_answers,
    leading_zeros_and_empty_cells_infer_as_documented,
);
