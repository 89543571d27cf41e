//! An upload on its way into a draft: told apart by its first bytes, written
//! as it arrives to a raw file in the draft folder, kept raw (unchecked)
//! until the post's text is valid, and then made safe by the [`Sanitizer`]
//! into the file that is kept (photos re-encoded, PDFs checked). The raw
//! file is removed either way; a refused type is never written at all. A
//! form sent back for its text holds its uploads raw (`held.rs`): they are
//! not decoded until a round whose text is right.
//!
//! Network chunks are gathered in one buffer and written a batch at a time
//! on the blocking pool, so the cost of an upload does not depend on how the
//! client cut it into chunks.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;

use super::{Draft, FILE_MODE, create_private_dir};
use crate::cases::record::Attachment;
use crate::cases::sanitize::{SanitizeError, Sanitizer};
use crate::forms::validate::{FileCheck, FileKind};

/// Bytes gathered before they go to disk in one blocking write.
const WRITE_BATCH: usize = 256 * 1024;
/// Enough of the start of a file to tell its type.
const SNIFF_BYTES: usize = 8;

/// An upload being received. Dropped without [`Draft::finish_file`], what
/// it wrote goes with the draft.
pub struct FileWriter {
    dir: PathBuf,
    field: String,
    /// `None` until the type is known; `Some(None)` for a refused type.
    kind: Option<Option<FileKind>>,
    /// Opened with the first batch; away on the blocking pool while one is
    /// written.
    raw: Option<File>,
    buffer: Vec<u8>,
    size: u64,
}

impl FileWriter {
    pub(super) fn new(dir: PathBuf, field: &str) -> FileWriter {
        FileWriter {
            dir,
            field: field.to_string(),
            kind: None,
            raw: None,
            buffer: Vec::new(),
            size: 0,
        }
    }

    fn raw_path(&self) -> PathBuf {
        raw_path(&self.dir, &self.field)
    }

    pub async fn write(&mut self, chunk: Bytes) -> io::Result<()> {
        self.size += chunk.len() as u64;
        if self.kind == Some(None) {
            // A refused type is only counted.
            return Ok(());
        }
        self.buffer.extend_from_slice(&chunk);
        if self.kind.is_none() && self.buffer.len() >= SNIFF_BYTES {
            self.kind = Some(FileKind::sniff(&self.buffer));
            if self.kind == Some(None) {
                self.buffer = Vec::new();
            }
        }
        if self.buffer.len() >= WRITE_BATCH {
            self.flush().await?;
        }
        Ok(())
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    /// Writes the buffer to the raw file (created, with the draft folder,
    /// on the first batch).
    async fn flush(&mut self) -> io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let bytes = std::mem::take(&mut self.buffer);
        let raw = self.raw.take();
        let (dir, path) = (self.dir.clone(), self.raw_path());
        let (file, bytes) = tokio::task::spawn_blocking(move || -> io::Result<_> {
            let mut file = match raw {
                Some(file) => file,
                None => {
                    create_private_dir(&dir)?;
                    OpenOptions::new()
                        .write(true)
                        .create_new(true)
                        .mode(FILE_MODE)
                        .open(&path)?
                }
            };
            file.write_all(&bytes)?;
            Ok((file, bytes))
        })
        .await
        .map_err(io::Error::other)??;
        self.raw = Some(file);
        // The allocation is reused for the next batch.
        self.buffer = bytes;
        self.buffer.clear();
        Ok(())
    }

    /// Gives up the upload (one over its limit): what is on disk of it is
    /// removed, and nothing more is written.
    pub async fn discard(self) -> io::Result<()> {
        let path = self.raw_path();
        if self.raw.is_none() {
            return Ok(());
        }
        drop(self.raw);
        tokio::task::spawn_blocking(move || fs::remove_file(path))
            .await
            .map_err(io::Error::other)?
    }
}

impl Draft {
    /// A writer for the upload of form field `field` (a name from the form's
    /// definition, never one sent by the client).
    pub fn file_writer(&self, field: &str) -> FileWriter {
        FileWriter::new(self.dir.clone(), field)
    }

    /// Finishes an upload and sanitizes it at once: [`Draft::receive_file`]
    /// then [`Draft::check_uploads`] for it.
    pub async fn finish_file(
        &mut self,
        writer: FileWriter,
        original_name: &str,
    ) -> io::Result<FileCheck> {
        let field = writer.field.clone();
        let check = self.receive_file(writer, original_name).await?;
        let mut checked = self.check_uploads().await?;
        Ok(checked.remove(&field).unwrap_or(check))
    }

    /// Finishes an upload without decoding it: a file of a type we accept
    /// (told from its first bytes) stays as the raw upload, unchecked, until
    /// [`Draft::check_uploads`]; another type is removed. Returns what
    /// validation can know of it before it is sanitized.
    pub async fn receive_file(
        &mut self,
        mut writer: FileWriter,
        original_name: &str,
    ) -> io::Result<FileCheck> {
        let detected = match writer.kind {
            Some(kind) => kind,
            None => FileKind::sniff(&writer.buffer),
        };
        let Some(detected) = detected else {
            let check = FileCheck {
                size: writer.size,
                detected: None,
                refused: None,
            };
            writer.discard().await?;
            return Ok(check);
        };
        writer.kind = Some(Some(detected));
        writer.flush().await?;
        drop(writer.raw.take());
        self.unchecked.push(Unchecked {
            field: writer.field.clone(),
            original_name: original_name.to_string(),
            size: writer.size,
            detected,
        });
        Ok(FileCheck {
            size: writer.size,
            detected: Some(detected),
            refused: None,
        })
    }

    /// Whether uploads wait for [`Draft::check_uploads`].
    pub fn has_unchecked(&self) -> bool {
        !self.unchecked.is_empty()
    }

    /// Sanitizes every upload received unchecked (photos decoded and
    /// encoded anew, PDFs checked) into the file kept under its field's
    /// name, and removes the raw uploads. Returns what validation needs to
    /// know of each, by field (a refusal carries its reason for the
    /// citizen).
    pub async fn check_uploads(&mut self) -> io::Result<BTreeMap<String, FileCheck>> {
        let mut checks = BTreeMap::new();
        for upload in std::mem::take(&mut self.unchecked) {
            let raw_path = raw_path(&self.dir, &upload.field);
            let stored_name = format!(
                "{}.{}",
                upload.field.replace('_', "-"),
                Sanitizer::kept_type(upload.detected).extension()
            );
            let out = self.dir.join(&stored_name);
            let sanitizer: Arc<Sanitizer> = self.sanitizer.clone();
            let detected = upload.detected;
            let kept = tokio::task::spawn_blocking(move || {
                let kept = sanitizer.sanitize(detected, &raw_path, &out);
                let _ = fs::remove_file(&raw_path);
                kept
            })
            .await
            .map_err(io::Error::other)?;
            let refused = match kept {
                Ok(kept) => {
                    self.sent_sizes.insert(upload.field.clone(), upload.size);
                    self.attachments.push(Attachment {
                        stored_name,
                        field: upload.field.clone(),
                        original_name: upload.original_name,
                        size: kept.size,
                        mime: kept.file_type.mime().to_string(),
                        sha256: kept.sha256,
                        added_by: None,
                        added_at: None,
                    });
                    None
                }
                Err(SanitizeError::Refused(why)) => {
                    tracing::warn!("refused an upload: {why}");
                    Some(why.message())
                }
                Err(SanitizeError::Io(e)) => return Err(e),
            };
            let check = FileCheck {
                size: upload.size,
                detected: Some(detected),
                refused,
            };
            checks.insert(upload.field, check);
        }
        Ok(checks)
    }
}

/// An upload received whole but not yet sanitized: the raw file
/// `.raw-<field>` in the draft folder.
#[derive(Debug, Clone)]
pub(super) struct Unchecked {
    pub field: String,
    pub original_name: String,
    pub size: u64,
    pub detected: FileKind,
}

/// Where the raw upload of `field` is written in the draft folder `dir`.
pub(super) fn raw_path(dir: &Path, field: &str) -> PathBuf {
    dir.join(format!(".raw-{field}"))
}
