//! Object bodies for the embedded server's GETs, read in large blocks on the blocking pool.
//!
//! s3s-fs streams a body in 4 KiB reads, each a trip through tokio's blocking pool: about
//! 250,000 of them per GB, which capped one GET near 200 MB/s on a 2-core machine and took
//! CPU from everything else. Here one blocking task reads 256 KiB at a time and hands the
//! blocks over a channel of four (at most about 1 MiB waits per GET, whatever the object).

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use tokio::sync::mpsc;

const BLOCK: usize = 256 * 1024;
const BLOCKS_WAITING: usize = 4;

/// `length` bytes of `file` from `start`, as a stream of blocks.
pub fn file_range(mut file: File, start: u64, length: u64) -> FileBody {
    let (blocks, receiver) = mpsc::channel(BLOCKS_WAITING);
    tokio::task::spawn_blocking(move || {
        if let Err(error) = file.seek(SeekFrom::Start(start)) {
            let _ = blocks.blocking_send(Err(error));
            return;
        }
        let mut left = length;
        while left > 0 {
            let mut block = vec![0; BLOCK.min(usize::try_from(left).unwrap_or(BLOCK))];
            let read = match file.read(&mut block) {
                Ok(0) => Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the object became shorter while it was read",
                )),
                Ok(read) => Ok(read),
                Err(error) => Err(error),
            };
            let block = read.map(|read| {
                block.truncate(read);
                left -= read as u64;
                Bytes::from(block)
            });
            let failed = block.is_err();
            // The reader went away (or the read failed): stop reading.
            if blocks.blocking_send(block).is_err() || failed {
                return;
            }
        }
    });
    FileBody { blocks: receiver }
}

pub struct FileBody {
    blocks: mpsc::Receiver<io::Result<Bytes>>,
}

impl futures::Stream for FileBody {
    type Item = io::Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.blocks.poll_recv(context)
    }
}
