//! Profiling a stream of text on more than one core ([`ParallelProfiler`]): what an
//! import and the scan of a compressed table use, so that parsing and profiling, the
//! expensive part of their pass, do not run at the speed of one core.
//!
//! The text is cut into pieces of [`PIECE_BYTES`] at fixed offsets (not where the network
//! happened to cut it), and each piece goes through the same [`Joiner`] as the parallel
//! scan, on the caller's thread: the quote-aware boundary scan finds its whole records, and
//! the header and the records that straddle two pieces are parsed in order there. The whole
//! records of piece `k` go to worker `k % workers`, which adds them to the one profile it
//! keeps for all its pieces (so a column's switch from exact counts to sketches happens
//! once per worker, not once per piece); at the end the workers' profiles are merged. The
//! result is the in-order profile's: exact figures equal, estimates within their documented
//! error ([`super::profile::ColumnProfiles`] compares them so).
//!
//! Memory: at most [`MAX_PIECE_BUFFERS`] piece buffers (the one filling, the one just cut,
//! one per worker; spares come back from the workers), and each worker's profile. A worker takes the next piece only once it is done
//! with its last (the caller waits until then). Each worker's profile holds up to about 100 KiB a profiled column, so a wide
//! table gets one worker ([`workers_for`]): its profile then costs what it cost in order.

use std::ops::Range;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::{Scope, ScopedJoinHandle};

use storage::MappedBuffer;

use super::join::Joiner;
use super::profile::{ColumnProfiling, MAX_RECORD_BYTES, PieceParser, PieceProfile, TableProfile};

/// Bytes per piece handed to a worker.
pub const PIECE_BYTES: usize = 2 * 1024 * 1024;

/// Worker threads of one profile, at most. Fixed, not one per core, so that the memory a
/// profile holds is known whatever the machine; two take the parsing off the path of an
/// import's upload, which needs the rest of the CPU (and so does the embedded store).
pub const MAX_WORKERS: usize = 2;

/// Tables with more profiled columns than this get one worker: two profiles of a wide
/// table would hold twice the memory (at most about 100 KiB a column each).
pub const WIDE_TABLE_COLUMNS: usize = 32;

/// The workers a table with `columns` columns gets.
pub fn workers_for(columns: usize, column_profiling: ColumnProfiling) -> usize {
    match column_profiling {
        ColumnProfiling::On if columns > WIDE_TABLE_COLUMNS => 1,
        _ => MAX_WORKERS,
    }
}

/// Whole records of one piece, to be parsed by a worker.
struct Job {
    piece: MappedBuffer,
    records: Range<usize>,
    first_line: u64,
}

/// One worker thread: pieces go in; its profile of all of them comes out when it is joined.
struct Worker<'scope> {
    jobs: SyncSender<Job>,
    thread: ScopedJoinHandle<'scope, PieceProfile>,
}

/// Feeds text in, takes a [`TableProfile`] out; the records are parsed on worker threads
/// started in `scope` once the header is known (they end when the profiler is finished or
/// dropped).
pub struct ParallelProfiler<'scope, 'env> {
    scope: &'scope Scope<'scope, 'env>,
    column_profiling: ColumnProfiling,
    piece: MappedBuffer,
    /// Pieces' buffers given back by the workers, to be filled again: the same few buffers
    /// serve the whole file.
    spares: Receiver<MappedBuffer>,
    give_back: SyncSender<MappedBuffer>,
    /// Created from the first piece (the delimiter is detected from it).
    joiner: Option<Joiner>,
    workers: Vec<Worker<'scope>>,
    /// Pieces handed out so far (piece `k` goes to worker `k % workers`).
    pieces: usize,
    /// Piece buffers made so far: a new one only when no spare is back, so at most
    /// [`MAX_PIECE_BUFFERS`] for the whole file.
    buffers_made: usize,
}

/// Piece buffers one profile makes, at most: the one filling, the one just cut and one per
/// worker (a buffer is made only when none has come back, so no more are ever alive).
pub const MAX_PIECE_BUFFERS: usize = MAX_WORKERS + 2;

impl<'scope, 'env> ParallelProfiler<'scope, 'env> {
    /// A profiler whose workers will run in `scope`.
    pub fn start(scope: &'scope Scope<'scope, 'env>, column_profiling: ColumnProfiling) -> Self {
        let (give_back, spares) = sync_channel(MAX_WORKERS + 1);
        Self {
            scope,
            column_profiling,
            piece: new_piece(),
            spares,
            give_back,
            joiner: None,
            workers: Vec::new(),
            pieces: 0,
            buffers_made: 1,
        }
    }

    /// Takes the next bytes of the text.
    pub fn feed(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let taken = self.piece.fill_from(bytes);
            bytes = &bytes[taken..];
            if self.piece.is_full() {
                self.cut_piece();
            }
        }
    }

    /// The profile of everything fed.
    ///
    /// # Panics
    /// When a worker panicked (the caller's thread scope would re-raise it anyway).
    pub fn finish(mut self) -> TableProfile {
        if !self.piece.is_empty() {
            self.cut_piece();
        }
        // No joiner: no piece was ever cut, so nothing was fed.
        let Some(mut joiner) = self.joiner.take() else {
            return Joiner::new(&[], MAX_RECORD_BYTES)
                .with_column_profiling(self.column_profiling)
                .finish(true);
        };
        for worker in self.workers {
            drop(worker.jobs);
            #[allow(clippy::expect_used)]
            joiner.add(worker.thread.join().expect("a profile worker panicked"));
        }
        joiner.finish(false)
    }

    fn cut_piece(&mut self) {
        let spare = self.spares.try_recv().unwrap_or_else(|_| {
            self.buffers_made += 1;
            debug_assert!(self.buffers_made <= MAX_PIECE_BUFFERS);
            new_piece()
        });
        let mut piece = std::mem::replace(&mut self.piece, spare);
        let column_profiling = self.column_profiling;
        let joiner = self.joiner.get_or_insert_with(|| {
            Joiner::new(piece.as_slice(), MAX_RECORD_BYTES).with_column_profiling(column_profiling)
        });
        // The header is parsed in order, inside `join`, before any records are handed out.
        let Some(whole) = joiner.join(piece.as_slice()) else {
            piece.clear();
            let _ = self.give_back.try_send(piece);
            return;
        };
        if self.workers.is_empty() {
            let (header, delimiter) = (joiner.header(), joiner.delimiter());
            let count = workers_for(header.len(), column_profiling);
            let header: Arc<[String]> = Arc::from(header);
            self.workers = (0..count)
                .map(|_| {
                    let give_back = self.give_back.clone();
                    spawn_worker(
                        self.scope,
                        delimiter,
                        Arc::clone(&header),
                        column_profiling,
                        give_back,
                    )
                })
                .collect();
        }
        let job = Job {
            piece,
            records: whole.range,
            first_line: whole.first_line,
        };
        let worker = &self.workers[self.pieces % self.workers.len()];
        // A worker that stopped (it panicked) is reported when it is joined.
        let _ = worker.jobs.send(job);
        self.pieces += 1;
    }
}

/// A piece's buffer, of its own pages (so the memory goes back to the system with it).
///
/// # Panics
/// When the system has no memory for it (as a `Vec` would abort).
fn new_piece() -> MappedBuffer {
    #[allow(clippy::expect_used)]
    MappedBuffer::with_capacity(PIECE_BYTES).expect("no memory for a piece of text to profile")
}

fn spawn_worker<'scope>(
    scope: &'scope Scope<'scope, '_>,
    delimiter: u8,
    header: Arc<[String]>,
    column_profiling: ColumnProfiling,
    give_back: SyncSender<MappedBuffer>,
) -> Worker<'scope> {
    // No queue in front of a worker: a piece is handed over only when the worker is free.
    let (jobs, incoming) = sync_channel::<Job>(0);
    let thread = scope.spawn(move || {
        let mut parser = PieceParser::new(delimiter, &header, column_profiling);
        while let Ok(mut job) = incoming.recv() {
            parser.parse(&job.piece.as_slice()[job.records], job.first_line);
            job.piece.clear();
            // Dropped instead when the profiler has enough spares (or is gone).
            let _ = give_back.try_send(job.piece);
        }
        parser.finish()
    });
    Worker { jobs, thread }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csv::profile::TableProfiler;

    fn in_order(text: &[u8]) -> TableProfile {
        let mut profiler = TableProfiler::new();
        profiler.feed(text);
        profiler.finish()
    }

    fn in_parallel(text: &[u8], chunk: usize) -> TableProfile {
        std::thread::scope(|scope| {
            let mut profiler = ParallelProfiler::start(scope, ColumnProfiling::On);
            for piece in text.chunks(chunk.max(1)) {
                profiler.feed(piece);
            }
            profiler.finish()
        })
    }

    /// A table of several pieces, with quoted line breaks and a ragged row late in it.
    fn table(rows: usize) -> Vec<u8> {
        let mut csv = String::from("id,note,amount\n");
        for n in 0..rows {
            if n % 1000 == 7 {
                csv.push_str(&format!("{n},\"two\nlines, {n}\",{}.5\n", n % 97));
            } else {
                csv.push_str(&format!("{n},note {},{}.25\n", n % 13, n % 89));
            }
        }
        csv.push_str("1,ragged\n");
        csv.into_bytes()
    }

    #[test]
    fn gives_the_in_order_profile_whatever_the_chunks() {
        let text = table(900_000);
        assert!(text.len() > 4 * PIECE_BYTES);
        let expected = in_order(&text);
        assert_eq!(expected.row_count, 900_001);
        for chunk in [1, 64 * 1024, 1_000_003, text.len()] {
            if chunk == 1 && text.len() > 1_000_000 {
                // One byte at a time: on a prefix (the whole file would take long).
                let prefix = &text[..PIECE_BYTES + 1000];
                let end = prefix.iter().rposition(|&byte| byte == b'\n').unwrap_or(0) + 1;
                let (prefix, expected) = (&text[..end], in_order(&text[..end]));
                let profile = in_parallel(prefix, 1);
                assert_eq!(profile.row_count, expected.row_count);
                assert_eq!(profile.column_profiles, expected.column_profiles);
                continue;
            }
            let profile = in_parallel(&text, chunk);
            assert_eq!(profile.row_count, expected.row_count);
            assert_eq!(profile.columns, expected.columns);
            assert_eq!(profile.ragged_rows, 1);
            assert_eq!(profile.first_ragged_lines, expected.first_ragged_lines);
            assert_eq!(profile.column_profiles, expected.column_profiles);
            assert_eq!(profile.row_marks, expected.row_marks);
        }
    }

    #[test]
    fn a_quoted_line_break_across_a_piece_border() {
        let mut csv = String::from("id,note\n");
        let mut n = 0;
        // Rows up to just before the border, then one whose quoted cell spans it.
        while csv.len() < PIECE_BYTES - 40 {
            csv.push_str(&format!("{n},plain\n"));
            n += 1;
        }
        csv.push_str(&format!(
            "{n},\"across\n{}\n,the border\"\n",
            "x".repeat(60)
        ));
        for m in 0..1000 {
            csv.push_str(&format!("{},after {m}\n", n + 1 + m));
        }
        let border = csv.as_bytes()[..PIECE_BYTES]
            .iter()
            .rposition(|&b| b == b'"');
        assert!(
            border.is_some_and(|at| at < PIECE_BYTES - 1),
            "the quote opens before the border"
        );
        let (expected, profile) = (in_order(csv.as_bytes()), in_parallel(csv.as_bytes(), 8192));
        assert_eq!(profile.row_count, n + 1001);
        assert_eq!(profile.row_count, expected.row_count);
        assert_eq!(profile.ragged_rows, 0);
        assert_eq!(profile.column_profiles, expected.column_profiles);
    }

    #[test]
    fn a_wide_table_gets_one_worker_and_the_same_profile() {
        assert_eq!(
            workers_for(WIDE_TABLE_COLUMNS, ColumnProfiling::On),
            MAX_WORKERS
        );
        assert_eq!(workers_for(WIDE_TABLE_COLUMNS + 1, ColumnProfiling::On), 1);
        assert_eq!(
            workers_for(WIDE_TABLE_COLUMNS + 1, ColumnProfiling::Off),
            MAX_WORKERS
        );
        let columns = WIDE_TABLE_COLUMNS + 8;
        let mut csv = (0..columns)
            .map(|c| format!("c{c}"))
            .collect::<Vec<_>>()
            .join(",");
        csv.push('\n');
        for row in 0..60_000 {
            let cells: Vec<String> = (0..columns)
                .map(|c| format!("{}", row * c % 5003))
                .collect();
            csv.push_str(&cells.join(","));
            csv.push('\n');
        }
        assert!(csv.len() > 2 * PIECE_BYTES);
        let (expected, profile) = (
            in_order(csv.as_bytes()),
            in_parallel(csv.as_bytes(), 100_000),
        );
        assert_eq!(profile.row_count, 60_000);
        assert_eq!(profile.columns, expected.columns);
        assert_eq!(profile.column_profiles, expected.column_profiles);
    }

    #[test]
    fn the_same_few_piece_buffers_serve_the_whole_file() {
        let text = table(900_000);
        assert!(text.len() > 8 * PIECE_BYTES);
        std::thread::scope(|scope| {
            let mut profiler = ParallelProfiler::start(scope, ColumnProfiling::On);
            for chunk in text.chunks(64 * 1024) {
                profiler.feed(chunk);
                assert!(profiler.buffers_made <= MAX_PIECE_BUFFERS);
            }
            assert!(profiler.pieces >= 8);
            assert_eq!(profiler.finish().row_count, 900_001);
        });
    }

    #[test]
    fn empty_text_and_a_header_alone() {
        let empty = in_parallel(b"", 10);
        assert!(empty.is_empty);
        let header = in_parallel(b"a,b\n", 1);
        assert!(!header.is_empty);
        assert_eq!(header.row_count, 0);
        assert_eq!(header.columns.len(), 2);
    }
}
