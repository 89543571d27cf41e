//! An upload's file, written with direct I/O where the filesystem allows it.
//!
//! An upload is written once and read rarely, so the page cache only costs:
//! every byte is copied into fresh pages that the kernel must then write
//! back. On a virtual machine whose host takes back freed guest memory
//! (free page reporting, as on our Firecracker VM) each fresh page also
//! costs a fault into the host: 2 GB written into fresh page cache took
//! 5.3 s of CPU there, 0.3 s into reused pages. Direct I/O sends the bytes
//! from one reused, block-aligned buffer per thread straight to the disk;
//! the store's `syncfs` still makes the file's size and blocks durable and
//! flushes the disk's cache.

use std::cell::RefCell;
use std::fs::{File, OpenOptions};
use std::io::{self, IoSlice, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use bytes::Bytes;
use rustix::fs::OFlags;
use rustix::io::Errno;

/// Direct I/O wants buffer addresses, file offsets and lengths aligned to
/// the disk's logical block; 4096 covers the usual 512 and 4096.
const ALIGN: usize = 4096;
/// What one direct write sends at most.
const BUFFER: usize = 256 * 1024;

thread_local! {
    /// Each writing thread's buffer, allocated once: `ALIGN` spare bytes
    /// give room to start at an aligned address.
    static ALIGNED: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

#[derive(Debug)]
pub(super) struct UploadFile {
    file: File,
    direct: bool,
}

impl UploadFile {
    /// Creates a new file at `path` (never replacing one), for direct I/O
    /// if the filesystem supports it (tmpfs before Linux 6.6 does not).
    pub(super) fn create(path: &Path, mode: u32) -> io::Result<UploadFile> {
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(mode)
            .open(path)?;
        let direct = set_direct(&file, true).is_ok();
        Ok(UploadFile { file, direct })
    }

    /// Writes `chunks`, in order after everything written before. Direct
    /// I/O writes whole blocks only, so unless this is the `last` write the
    /// bytes past the last whole block (less than a block) are handed back,
    /// to go first in the next write.
    pub(super) fn write(&mut self, chunks: Vec<Bytes>, last: bool) -> io::Result<Vec<Bytes>> {
        let mut rest = chunks;
        if self.direct {
            let total: usize = rest.iter().map(Bytes::len).sum();
            let mut whole = total - total % ALIGN;
            while whole > 0 {
                let n = whole.min(BUFFER);
                let (piece, after) = split_off(rest, n);
                match ALIGNED.with_borrow_mut(|buffer| write_aligned(&self.file, buffer, &piece)) {
                    Ok(()) => {
                        whole -= n;
                        rest = after;
                    }
                    // Blocks larger than `ALIGN`, or a filesystem that takes
                    // the flag but not the write: the rest goes buffered.
                    Err((written, e)) if e.raw_os_error() == Some(Errno::INVAL.raw_os_error()) => {
                        let (_, unwritten) = split_off(piece, written);
                        rest = unwritten.into_iter().chain(after).collect();
                        break;
                    }
                    Err((_, e)) => return Err(e),
                }
            }
            if whole == 0 && !last {
                return Ok(rest);
            }
            // The tail, or everything after a refused direct write, goes
            // through the page cache from here on.
            set_direct(&self.file, false)?;
            self.direct = false;
        }
        write_buffered(&mut self.file, &rest)?;
        Ok(Vec::new())
    }
}

fn set_direct(file: &File, on: bool) -> io::Result<()> {
    let flags = rustix::fs::fcntl_getfl(file)?;
    let flags = if on {
        flags | OFlags::DIRECT
    } else {
        flags - OFlags::DIRECT
    };
    Ok(rustix::fs::fcntl_setfl(file, flags)?)
}

/// The first `n` bytes of `chunks` and the rest, without copying.
fn split_off(chunks: Vec<Bytes>, mut n: usize) -> (Vec<Bytes>, Vec<Bytes>) {
    let mut head = Vec::new();
    let mut tail = Vec::new();
    for mut chunk in chunks {
        if n >= chunk.len() {
            n -= chunk.len();
            head.push(chunk);
        } else {
            if n > 0 {
                head.push(chunk.split_to(n));
                n = 0;
            }
            tail.push(chunk);
        }
    }
    (head, tail)
}

/// Copies `piece` (a whole number of blocks, at most `BUFFER` bytes) into
/// the aligned buffer and writes it; on failure, also says how many bytes
/// went out.
fn write_aligned(
    mut file: &File,
    buffer: &mut Vec<u8>,
    piece: &[Bytes],
) -> Result<(), (usize, io::Error)> {
    if buffer.len() < BUFFER + ALIGN {
        *buffer = vec![0; BUFFER + ALIGN];
    }
    let start = buffer.as_ptr().align_offset(ALIGN);
    let mut end = start;
    for chunk in piece {
        buffer[end..end + chunk.len()].copy_from_slice(chunk);
        end += chunk.len();
    }
    let mut written = start;
    while written < end {
        match file.write(&buffer[written..end]) {
            Ok(0) => return Err((written - start, io::ErrorKind::WriteZero.into())),
            Ok(n) => written += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err((written - start, e)),
        }
    }
    Ok(())
}

/// Writes `chunks` in as few system calls as the kernel allows.
fn write_buffered(file: &mut File, chunks: &[Bytes]) -> io::Result<()> {
    let mut slices: Vec<IoSlice<'_>> = chunks.iter().map(|c| IoSlice::new(c)).collect();
    let mut rest = &mut slices[..];
    while !rest.is_empty() {
        match file.write_vectored(rest) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => IoSlice::advance_slices(&mut rest, n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `len` bytes of a pattern, cut into pieces of the given sizes in turn.
    fn pieces(len: usize, sizes: &[usize]) -> (Vec<u8>, Vec<Bytes>) {
        let all: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
        let bytes = Bytes::from(all.clone());
        let mut chunks = Vec::new();
        let mut at = 0;
        for size in sizes.iter().cycle() {
            if at == len {
                break;
            }
            let end = (at + size).min(len);
            chunks.push(bytes.slice(at..end));
            at = end;
        }
        (all, chunks)
    }

    /// Writes `chunks` in three calls, the way an upload arrives in
    /// batches, each carrying what the one before handed back.
    fn write_in_batches(file: &mut UploadFile, chunks: Vec<Bytes>) -> io::Result<()> {
        let third = chunks.len() / 3;
        let (first, rest) = chunks.split_at(third);
        let (second, last) = rest.split_at(third);
        let mut held = file.write(first.to_vec(), false)?;
        held.extend_from_slice(second);
        let mut held = file.write(held, false)?;
        held.extend_from_slice(last);
        assert!(file.write(held, true)?.is_empty());
        Ok(())
    }

    #[test]
    fn odd_sizes_are_written_whole_direct_or_buffered() {
        let tmp = tempfile::tempdir().unwrap();
        for (i, (len, sizes)) in [
            (0, &[1][..]),
            (7, &[3]),
            (ALIGN, &[ALIGN]),
            (3 * BUFFER + 4097, &[100_003, 1, 65_536]),
            (2 * ALIGN - 1, &[ALIGN - 1, 2]),
        ]
        .into_iter()
        .enumerate()
        {
            for direct in [true, false] {
                let path = tmp.path().join(format!("{i}-{direct}"));
                let mut file = UploadFile::create(&path, 0o600).unwrap();
                if !direct {
                    set_direct(&file.file, false).unwrap();
                    file.direct = false;
                }
                let (all, chunks) = pieces(len, sizes);
                write_in_batches(&mut file, chunks).unwrap();
                assert!(!file.direct, "the last write leaves buffered mode on");
                drop(file);
                assert_eq!(std::fs::read(&path).unwrap(), all, "{len} bytes");
            }
        }
    }

    #[test]
    fn whole_blocks_go_out_and_the_rest_is_handed_back() {
        let tmp = tempfile::tempdir().unwrap();
        let mut file = UploadFile::create(&tmp.path().join("f"), 0o600).unwrap();
        if !file.direct {
            eprintln!("skipped: no direct I/O on {}", tmp.path().display());
            return;
        }
        let (_, chunks) = pieces(ALIGN + 10, &[ALIGN + 10]);
        let held = file.write(chunks, false).unwrap();
        assert_eq!(held.iter().map(Bytes::len).sum::<usize>(), 10);
        assert_eq!(file.file.metadata().unwrap().len(), ALIGN as u64);
    }

    #[test]
    fn never_replaces_a_file() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("f");
        std::fs::write(&path, b"kept").unwrap();
        assert!(UploadFile::create(&path, 0o600).is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"kept");
    }
}
