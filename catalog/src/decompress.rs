//! Reading compressed tables (`.csv.gz`, `.tsv.gz`, `.csv.zst`) as the text they hold:
//! a streaming decoder (async-compression) over the same growing ranged reads as a plain
//! table's head, so a preview decompresses only the head of the stream, never the object.
//!
//! [`DecodedReader`] adds what a head needs: a bound on the bytes it produces (a small
//! object can hold gigabytes of text), a count of them, and the difference between a stream
//! the head stopped reading on purpose (the rows asked for were read) and a stream that is
//! broken (a truncated file, bytes that are not gzip): the first ends the text quietly, the
//! second is a [`DecodeFailure`] the preview shows for that table alone.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, ready};

use async_compression::tokio::bufread::{GzipDecoder, ZstdDecoder};
use shared::Compression;
use tokio::io::{AsyncBufRead, AsyncRead, BufReader, ReadBuf};

use crate::error::{CatalogError, read_error};

/// How the compression of a file is recognised from its first bytes (imports trust the
/// bytes, not the name).
pub fn detect_compression(first_bytes: &[u8]) -> Option<Compression> {
    if first_bytes.starts_with(&[0x1f, 0x8b]) {
        Some(Compression::Gzip)
    } else if first_bytes.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Some(Compression::Zstd)
    } else {
        None
    }
}

/// The name of a compression in messages.
pub fn compression_name(compression: Compression) -> &'static str {
    match compression {
        Compression::Gzip => "gzip",
        Compression::Zstd => "zstd",
    }
}

/// A decoder of every member (gzip) or frame (zstd) of the stream, one after the other, as
/// the `gzip` and `zstd` tools and pandas read them.
enum Decoder<R: AsyncBufRead> {
    Gzip(GzipDecoder<R>),
    Zstd(ZstdDecoder<R>),
}

impl<R: AsyncBufRead + Unpin> Decoder<R> {
    fn new(compression: Compression, input: R) -> Self {
        match compression {
            Compression::Gzip => {
                let mut decoder = GzipDecoder::new(input);
                decoder.multiple_members(true);
                Decoder::Gzip(decoder)
            }
            Compression::Zstd => {
                let mut decoder = ZstdDecoder::new(input);
                decoder.multiple_members(true);
                Decoder::Zstd(decoder)
            }
        }
    }

    fn poll_read(
        &mut self,
        context: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self {
            Decoder::Gzip(decoder) => Pin::new(decoder).poll_read(context, buf),
            Decoder::Zstd(decoder) => Pin::new(decoder).poll_read(context, buf),
        }
    }
}

/// Why a compressed stream could not be read, in words for the table's warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeFailure(pub String);

/// A read error of a table that may be compressed, as the catalog's: a broken compressed
/// stream is the table's own problem ([`CatalogError::Unreadable`], shown for that table);
/// anything else is the storage's.
pub fn decode_or_read_error(
    decoded: Option<&DecodeProgress>,
    key: &str,
    error: &dyn std::fmt::Display,
) -> CatalogError {
    match decoded.and_then(DecodeProgress::failure) {
        Some(failure) => CatalogError::Unreadable {
            key: key.to_owned(),
            detail: failure.0,
        },
        None => read_error(key, error),
    }
}

/// What a [`DecodedReader`] and its user share.
#[derive(Debug, Default)]
pub struct DecodeProgress {
    /// Bytes of text produced.
    produced: AtomicU64,
    /// The text ended before the stream did (the input was stopped on purpose, or the
    /// bound was reached): its last line may be cut.
    ended_early: AtomicBool,
    /// The bound on produced bytes was reached.
    hit_limit: AtomicBool,
    /// The stream ended where the format says it ends.
    finished: AtomicBool,
    failure: Mutex<Option<DecodeFailure>>,
}

impl DecodeProgress {
    pub fn produced(&self) -> u64 {
        self.produced.load(Ordering::Relaxed)
    }

    pub fn ended_early(&self) -> bool {
        self.ended_early.load(Ordering::Relaxed)
    }

    pub fn hit_limit(&self) -> bool {
        self.hit_limit.load(Ordering::Relaxed)
    }

    pub fn finished(&self) -> bool {
        self.finished.load(Ordering::Relaxed)
    }

    /// Why the stream is broken, if it is.
    pub fn failure(&self) -> Option<DecodeFailure> {
        self.failure.lock().ok().and_then(|failure| failure.clone())
    }
}

/// The text of a compressed stream, at most `limit` bytes of it.
pub struct DecodedReader<R: AsyncRead + Unpin> {
    decoder: Decoder<BufReader<R>>,
    compression: Compression,
    limit: u64,
    /// Whether the input was cut on purpose (asked when the input ends mid-stream).
    input_stopped: Box<dyn Fn() -> bool + Send + Sync>,
    progress: Arc<DecodeProgress>,
}

impl<R: AsyncRead + Unpin> DecodedReader<R> {
    /// Decodes `input` (compressed with `compression`); `input_stopped` says whether an input
    /// that ends mid-stream was cut on purpose (then the text just ends) or is truncated.
    pub fn new(
        compression: Compression,
        input: R,
        limit: u64,
        input_stopped: impl Fn() -> bool + Send + Sync + 'static,
    ) -> Self {
        Self {
            decoder: Decoder::new(compression, BufReader::with_capacity(64 * 1024, input)),
            compression,
            limit,
            input_stopped: Box::new(input_stopped),
            progress: Arc::new(DecodeProgress::default()),
        }
    }

    pub fn progress(&self) -> Arc<DecodeProgress> {
        Arc::clone(&self.progress)
    }

    fn fail(&self, failure: String) -> io::Error {
        if let Ok(mut slot) = self.progress.failure.lock() {
            *slot = Some(DecodeFailure(failure.clone()));
        }
        io::Error::new(io::ErrorKind::InvalidData, failure)
    }
}

impl<R: AsyncRead + Unpin> AsyncRead for DecodedReader<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let produced = this.progress.produced();
        if produced >= this.limit {
            this.progress.hit_limit.store(true, Ordering::Relaxed);
            this.progress.ended_early.store(true, Ordering::Relaxed);
            return Poll::Ready(Ok(()));
        }
        let room = usize::try_from(this.limit - produced)
            .unwrap_or(usize::MAX)
            .min(buf.remaining());
        let mut limited = ReadBuf::new(buf.initialize_unfilled_to(room));
        let result = ready!(this.decoder.poll_read(context, &mut limited));
        let filled = limited.filled().len();
        match result {
            Ok(()) => {
                buf.advance(filled);
                if filled == 0 && room > 0 {
                    this.progress.finished.store(true, Ordering::Relaxed);
                }
                this.progress
                    .produced
                    .fetch_add(filled as u64, Ordering::Relaxed);
                Poll::Ready(Ok(()))
            }
            Err(error) if error.kind() == io::ErrorKind::UnexpectedEof => {
                if (this.input_stopped)() {
                    this.progress.ended_early.store(true, Ordering::Relaxed);
                    Poll::Ready(Ok(()))
                } else {
                    let name = crate::decompress::compression_name(this.compression);
                    Poll::Ready(Err(this.fail(format!(
                        "the file ends in the middle of its {name} stream (it is truncated)"
                    ))))
                }
            }
            Err(error) => {
                let name = crate::decompress::compression_name(this.compression);
                Poll::Ready(Err(
                    this.fail(format!("its bytes are not valid {name} data ({error})"))
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use tokio::io::AsyncReadExt;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(bytes).unwrap_or_default();
        encoder.finish().unwrap_or_default()
    }

    async fn read_all<R: AsyncRead + Unpin>(reader: &mut DecodedReader<R>) -> io::Result<Vec<u8>> {
        let mut text = Vec::new();
        reader.read_to_end(&mut text).await.map(|_| text)
    }

    #[tokio::test]
    async fn members_are_read_one_after_the_other() {
        let mut stream = gzip(b"a,b\n1,2\n");
        stream.extend(gzip(b"3,4\n"));
        let mut reader = DecodedReader::new(
            Compression::Gzip,
            std::io::Cursor::new(stream),
            1 << 20,
            || false,
        );
        assert_eq!(read_all(&mut reader).await.unwrap(), b"a,b\n1,2\n3,4\n");
        assert!(reader.progress().finished());
        assert!(!reader.progress().ended_early());
    }

    #[tokio::test]
    async fn a_truncated_stream_is_a_failure_unless_it_was_cut_on_purpose() {
        let whole = gzip(&b"x,y\n".repeat(10_000));
        let cut = whole[..whole.len() / 2].to_vec();
        let mut broken = DecodedReader::new(
            Compression::Gzip,
            std::io::Cursor::new(cut.clone()),
            1 << 30,
            || false,
        );
        assert!(read_all(&mut broken).await.is_err());
        let failure = broken
            .progress()
            .failure()
            .unwrap_or(DecodeFailure(String::new()));
        assert!(failure.0.contains("truncated"), "{failure:?}");

        let mut stopped = DecodedReader::new(
            Compression::Gzip,
            std::io::Cursor::new(cut),
            1 << 30,
            || true,
        );
        let text = read_all(&mut stopped).await.unwrap();
        assert!(!text.is_empty());
        assert!(stopped.progress().ended_early());
        assert_eq!(stopped.progress().failure(), None);
    }

    #[tokio::test]
    async fn the_text_produced_never_passes_the_limit() {
        // 20 MB of zeros compress to about 20 KB: the limit, not the input, bounds it.
        let bomb = gzip(&vec![b'0'; 20 << 20]);
        let mut reader = DecodedReader::new(
            Compression::Gzip,
            std::io::Cursor::new(bomb),
            1 << 20,
            || false,
        );
        assert_eq!(read_all(&mut reader).await.unwrap().len(), 1 << 20);
        assert!(reader.progress().hit_limit());
    }

    #[tokio::test]
    async fn bytes_that_are_not_gzip_say_so() {
        let mut reader = DecodedReader::new(
            Compression::Gzip,
            std::io::Cursor::new(b"\x1f\x8bnot really"),
            1 << 20,
            || false,
        );
        assert!(read_all(&mut reader).await.is_err());
        assert!(reader.progress().failure().is_some());
    }

    #[test]
    fn compression_is_recognised_from_the_first_bytes() {
        assert_eq!(detect_compression(&gzip(b"a")), Some(Compression::Gzip));
        assert_eq!(
            detect_compression(&[0x28, 0xb5, 0x2f, 0xfd, 0]),
            Some(Compression::Zstd)
        );
        assert_eq!(detect_compression(b"id,name\n"), None);
    }
}
