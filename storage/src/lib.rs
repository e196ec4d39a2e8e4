//! The one way to S3. Every request Database Manager makes to its bucket goes through a
//! [`Store`]: the aws-sdk-s3 client is private to this crate, so errors are built in one
//! place ([`error`]) and always name the operation and the key.
//!
//! This crate knows buckets, keys and bytes, nothing of databases, tables or accounts: the
//! `catalog` (tables, CSV, previews, imports) and `auth` (accounts) crates sit on it and lay
//! out their own keys under [`Store::prefix`].
//!
//! Layout of the crate:
//! - `setting`: the `DBM_STORAGE` value ([`StorageSetting`]: `embedded` or
//!   `s3://bucket/prefix`), and `open` ([`open()`]) to open it.
//! - `client`: building the aws-sdk-s3 client (one code path for every store).
//! - `embedded`: the in-process `s3s-fs` server on 127.0.0.1 ([`EmbeddedS3`]), with a
//!   request meter ([`S3Meter`]).
//! - `store`: the primitives ([`Store`]: list, get, ranged streamed reads, put, conditional
//!   put, delete), and `object`: listed objects, their versions, streamed bodies.
//! - `ranged`: an `AsyncRead` over growing ranged GETs ([`RangedReader`]), for heads.
//! - [`mapped`]: large buffers of their own pages, given back to the system when dropped
//!   ([`MappedBuffer`]: upload parts, profile pieces).
//! - `upload`: streamed multipart writes that abort when not finished ([`ObjectWriter`]),
//!   and [`journal`]: the record of running uploads that sweeps use to abort the uploads
//!   of a process that died ([`Store::sweep_abandoned_uploads`]).
//! - `error`: [`StorageError`], the one place an aws-sdk error becomes ours.
//! - [`testing`] (feature `testing`): real S3 servers for tests (embedded, moto), and the
//!   [`on_both_servers!`] macro that runs a suite on both.

mod client;
mod embedded;
mod error;
#[cfg(feature = "testing")]
pub mod fault_proxy;
pub mod journal;
pub mod mapped;
mod meter;
mod object;
mod open;
mod ranged;
mod setting;
mod store;
#[cfg(feature = "testing")]
pub mod testing;
mod upload;

pub use client::{OPERATION_TIMEOUT, StaticEndpoint};
pub use embedded::{EMBEDDED_BUCKET, EmbeddedS3, MeterReading, S3Meter};
pub use error::{Result, StorageError, StorageFailure};
pub use mapped::MappedBuffer;
pub use meter::{RequestMeter, Requests};
pub use object::{BODY_IDLE_TIMEOUT, Download, ListedObject, ObjectBody, ObjectVersion};
pub use open::{OpenedStorage, open};
pub use ranged::{BudgetShare, RangeProgress, RangedReader, ReadBudget};
pub use setting::StorageSetting;
pub use store::Store;
pub use upload::{ObjectWriter, PART_SIZE, PARTS_IN_FLIGHT};
