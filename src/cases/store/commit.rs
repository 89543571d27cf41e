//! The committer: one thread that puts drafts into the dated tree in
//! batches (group commit). Requests hand it their draft and wait; it takes
//! every draft waiting at that moment and, for the whole batch:
//!
//! 1. writes each record into its draft and moves each attachment folder
//!    into its day folder under a hidden staging name (`.TICKET.staging`),
//!    then makes all of it durable with one `syncfs`;
//! 2. moves each record next to it (`TICKET.yaml`: the commit point),
//!    renames each folder to `TICKET`, and makes that durable with another
//!    `syncfs` before anyone is told.
//!
//! A crash before a record's move leaves a staging folder without its
//! record, which [`Store::open`] removes; a crash after it leaves the record
//! and its staging folder, which `open` finishes by renaming. Nothing else
//! in the tree is ever removed. Renames never replace. One `syncfs` per step
//! sends the disk one cache flush for the whole batch instead of several
//! fsyncs per submission, which is what makes a busy server fast.

use std::fs::{self, File};
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;

use time::Date;
use tokio::sync::oneshot;

use super::{Draft, create_durable_dirs, create_private_dir, rename_noreplace, write_private};
use crate::cases::layout::{Layout, staging_name};
use crate::cases::ticket::Ticket;

/// Makes everything written on a filesystem durable, given a folder on it
/// (`syncfs`; tests put a failing one in).
pub(super) type SyncFs = Box<dyn FnMut(&File) -> io::Result<()> + Send>;

/// Writes the record for a given ticket.
pub(super) type Render = Box<dyn Fn(&Ticket) -> io::Result<String> + Send>;

/// Runs once a submission is committed, before the sync that makes its
/// commit durable (so what it writes in the data folder is made durable by
/// the same sync): the outbox's messages about it.
pub type AfterCommit = Box<dyn FnOnce(&Ticket) + Send>;

/// Tickets tried before giving up (a ticket drawn is taken by a case of
/// the same day, one in 160,000 for each, or drawn by another submission
/// of the same batch).
const MAX_TRIES: u32 = 32;

/// The way to the committer, whose thread runs while any handle lives.
#[derive(Debug, Clone)]
pub(super) struct Handle {
    jobs: mpsc::Sender<Job>,
    failures: Arc<AtomicU64>,
}

struct Job {
    draft: Draft,
    /// The ticket prefix of the form.
    prefix: String,
    date: Date,
    render: Render,
    after: Option<AfterCommit>,
    reply: oneshot::Sender<io::Result<Ticket>>,
}

impl Handle {
    /// Starts the committer of the store in `layout`, which makes the data
    /// folder's filesystem durable through `fs` (the folder, opened).
    pub(super) fn start(layout: Layout, fs: File, syncfs: SyncFs) -> io::Result<Handle> {
        let (jobs, queue) = mpsc::channel();
        let failures = Arc::new(AtomicU64::new(0));
        let committer = Committer {
            layout,
            fs,
            syncfs,
            failures: failures.clone(),
        };
        thread::Builder::new()
            .name("loket-commit".into())
            .spawn(move || committer.run(queue))?;
        Ok(Handle { jobs, failures })
    }

    /// Failed syncs so far. A write-back error is reported once, to one
    /// sync, and a page whose write-back failed is not written again; so a
    /// draft whose data was written before a failed sync must not count as
    /// durable even if a later sync succeeds.
    pub(super) fn failures(&self) -> u64 {
        self.failures.load(Ordering::SeqCst)
    }

    pub(super) async fn commit(
        &self,
        draft: Draft,
        prefix: String,
        date: Date,
        render: Render,
        after: Option<AfterCommit>,
    ) -> io::Result<Ticket> {
        let stopped = || io::Error::other("the committer has stopped");
        let (reply, answer) = oneshot::channel();
        let job = Job {
            draft,
            prefix,
            date,
            render,
            after,
            reply,
        };
        // A job that cannot be sent drops its draft, which removes it.
        self.jobs.send(job).map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

struct Committer {
    layout: Layout,
    /// The data folder, opened when the store was: `syncfs` on it reports
    /// every write-back error on its filesystem since then.
    fs: File,
    syncfs: SyncFs,
    failures: Arc<AtomicU64>,
}

/// A job between the two steps: its folder is staged, its record written.
struct Staged {
    job: Job,
    ticket: Ticket,
    staging: Option<PathBuf>,
}

impl Committer {
    fn run(mut self, queue: mpsc::Receiver<Job>) {
        while let Ok(first) = queue.recv() {
            let mut batch = vec![first];
            batch.extend(queue.try_iter());
            self.commit_batch(batch);
        }
    }

    fn commit_batch(&mut self, batch: Vec<Job>) {
        let mut staged = Vec::with_capacity(batch.len());
        for job in batch {
            match self.stage(&job) {
                Ok((ticket, staging)) => staged.push(Staged {
                    job,
                    ticket,
                    staging,
                }),
                Err(e) => {
                    let _ = job.reply.send(Err(e));
                }
            }
        }
        if staged.is_empty() {
            return;
        }
        if let Err(e) = self.sync() {
            for s in staged {
                self.fail(s, same_error(&e));
            }
            return;
        }
        let failures = self.failures.load(Ordering::SeqCst);
        let mut placed = Vec::with_capacity(staged.len());
        for mut s in staged {
            if s.job.draft.failures_before != failures {
                let e = io::Error::other(
                    "a write-back error on the data folder's filesystem while this submission was written",
                );
                self.fail(s, e);
                continue;
            }
            match self.place(&mut s) {
                Ok(()) => placed.push(s),
                Err(e) => self.fail(s, e),
            }
        }
        if placed.is_empty() {
            return;
        }
        let synced = self.sync();
        for s in placed {
            // A failure here leaves the record in place: it may or may not
            // survive a crash, so the citizen is told it failed.
            let _ = s.job.reply.send(match &synced {
                Ok(()) => Ok(s.ticket),
                Err(e) => Err(same_error(e)),
            });
        }
    }

    /// Step 1 for one job: its record under a fresh ticket, its folder in
    /// the day folder under the staging name.
    fn stage(&self, job: &Job) -> io::Result<(Ticket, Option<PathBuf>)> {
        let day = self.layout.day_dir(job.date);
        create_durable_dirs(&self.layout.submissions_dir(), &day)?;
        // Made again if the data folder was removed under us.
        if let Some(tmp) = job.draft.record.parent() {
            create_private_dir(tmp)?;
        }
        let folder = (!job.draft.attachments.is_empty()).then_some(job.draft.dir.as_path());
        tag(&job.draft.record, &job.render, &day, folder, || {
            Ticket::new(&job.prefix, job.date)
        })
    }

    /// Step 2 for one job: the record into place (the commit point), then
    /// the folder to its name. A taken ticket is replaced by a fresh one.
    fn place(&self, s: &mut Staged) -> io::Result<()> {
        let day = self.layout.day_dir(s.job.date);
        for _ in 0..MAX_TRIES {
            let to = day.join(format!("{}.yaml", s.ticket));
            match rename_noreplace(&s.job.draft.record, &to) {
                Ok(()) => {
                    s.job.draft.committed = true;
                    if let Some(staging) = &s.staging
                        && let Err(e) = rename_noreplace(staging, &day.join(s.ticket.as_str()))
                    {
                        // Committed all the same: the next start finishes it.
                        tracing::error!(
                            "a committed submission's folder keeps its staging name: {e}"
                        );
                    }
                    if let Some(after) = s.job.after.take() {
                        after(&s.ticket);
                    }
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => self.retag(s)?,
                Err(e) => return Err(e),
            }
        }
        Err(no_free_ticket())
    }

    /// Gives a staged job a fresh ticket: a new record, and the staging
    /// folder renamed to match. Both are made durable by the batch's second
    /// sync, before the job is acknowledged.
    fn retag(&self, s: &mut Staged) -> io::Result<()> {
        let day = self.layout.day_dir(s.job.date);
        let (ticket, staging) = tag(
            &s.job.draft.record,
            &s.job.render,
            &day,
            s.staging.as_deref(),
            || Ticket::new(&s.job.prefix, s.job.date),
        )?;
        s.ticket = ticket;
        s.staging = staging;
        Ok(())
    }

    /// Answers with `e`; the staging folder goes back into the draft, which
    /// removes it as it drops.
    fn fail(&self, s: Staged, e: io::Error) {
        let Staged { job, staging, .. } = s;
        if let Some(staging) = staging
            && let Err(back) = fs::rename(&staging, &job.draft.dir)
        {
            // Left in the tree without a record: removed at the next start.
            tracing::error!("could not move a failed submission's files back: {back}");
        }
        let _ = job.reply.send(Err(e));
    }

    /// `syncfs` of the data folder's filesystem, after making sure the
    /// folder is still the one opened: a filesystem mounted over the data
    /// path, or the folder replaced, would otherwise never be synced. Then
    /// the folder is opened anew and this batch fails (its writes went
    /// somewhere this descriptor did not watch).
    fn sync(&mut self) -> io::Result<()> {
        let result = self.same_folder().and_then(|()| (self.syncfs)(&self.fs));
        if result.is_err() {
            self.failures.fetch_add(1, Ordering::SeqCst);
        }
        result
    }

    fn same_folder(&mut self) -> io::Result<()> {
        let opened = self.fs.metadata()?;
        let now = match fs::metadata(self.layout.root()) {
            Ok(m) => m,
            Err(e) => {
                return Err(io::Error::new(
                    io::ErrorKind::NotFound,
                    format!("the data folder is gone: {e}"),
                ));
            }
        };
        if (opened.dev(), opened.ino()) == (now.dev(), now.ino()) {
            return Ok(());
        }
        self.fs = File::open(self.layout.root())?;
        Err(io::Error::new(
            io::ErrorKind::NotFound,
            "the data folder was replaced or a filesystem mounted over it",
        ))
    }
}

/// Draws a ticket, writes the record under it into `record`, then moves
/// `folder` (the submission's files, if any) to that ticket's staging name
/// in `day`. Two submissions of one batch may draw the same ticket (one in
/// 160,000 each; an office's busiest day sees a few hundred): the second
/// draws again, as [`Committer::place`] does for a ticket already taken.
fn tag(
    record: &Path,
    render: &Render,
    day: &Path,
    folder: Option<&Path>,
    mut draw: impl FnMut() -> io::Result<Ticket>,
) -> io::Result<(Ticket, Option<PathBuf>)> {
    for _ in 0..MAX_TRIES {
        let ticket = draw()?;
        write_private(record, render(&ticket)?.as_bytes())?;
        let Some(folder) = folder else {
            return Ok((ticket, None));
        };
        let to = day.join(staging_name(ticket.as_str()));
        match rename_noreplace(folder, &to) {
            Ok(()) => return Ok((ticket, Some(to))),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
    Err(no_free_ticket())
}

fn no_free_ticket() -> io::Error {
    io::Error::other(format!("no free ticket after {MAX_TRIES} tries"))
}

/// One failure reported to every submission of a batch.
fn same_error(e: &io::Error) -> io::Error {
    io::Error::new(e.kind(), e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticket(text: &str) -> Ticket {
        Ticket::parse(text).unwrap()
    }

    /// Two submissions of one batch drew the same ticket: the second finds
    /// the staging name taken and draws again; when every draw is taken, it
    /// fails clearly and its files stay where they were.
    #[test]
    fn a_ticket_drawn_twice_in_a_batch_is_drawn_again() {
        let tmp = tempfile::tempdir().unwrap();
        let day = tmp.path().join("27");
        let (taken, free) = (ticket("KP-20261127-CDFH"), ticket("KP-20261127-KMNP"));
        // The first submission's files, staged under the ticket.
        fs::create_dir_all(day.join(staging_name(taken.as_str()))).unwrap();
        let folder = tmp.path().join("draft");
        fs::create_dir(&folder).unwrap();
        fs::write(folder.join("ktp.pdf"), b"%PDF-1.4").unwrap();
        let record = tmp.path().join("record.yaml");
        let render: Render = Box::new(|t| Ok(format!("ticket: {t}\n")));

        let mut draws = [taken.clone(), free.clone()].into_iter();
        let (drawn, staging) = tag(&record, &render, &day, Some(&folder), || {
            Ok(draws.next().unwrap())
        })
        .unwrap();
        assert_eq!(drawn, free);
        let staging = staging.unwrap();
        assert_eq!(staging, day.join(staging_name(free.as_str())));
        assert_eq!(fs::read(staging.join("ktp.pdf")).unwrap(), b"%PDF-1.4");
        assert_eq!(
            fs::read_to_string(&record).unwrap(),
            "ticket: KP-20261127-KMNP\n"
        );
        let first = day.join(staging_name(taken.as_str()));
        assert_eq!(
            fs::read_dir(&first).unwrap().count(),
            0,
            "the first's untouched"
        );

        let error = tag(&record, &render, &day, Some(&staging), || Ok(taken.clone())).unwrap_err();
        assert_eq!(error.to_string(), "no free ticket after 32 tries");
        assert!(staging.join("ktp.pdf").is_file());
    }
}
