//! The committer: threads that put drafts into the dated tree in batches
//! (group commit). A stager writes each draft's last upload bytes and its
//! record and moves its attachment folder into the dated tree; the syncer
//! makes a batch of staged drafts durable with one `syncfs`, moves
//! their records into place (the commit point) and makes that durable with
//! another. One `syncfs` writes each inode table and folder block once and
//! sends the disk one cache flush, instead of an fsync per file, folder and
//! record of every submission; and the stager works while the syncer waits
//! for the disk.
//!
//! Threads of their own rather than the blocking pool: a request waits on a
//! channel instead of holding a thread, and a batch costs one wake-up
//! instead of one per submission, which on two cores is much of what a
//! submission costs besides its bytes.

use std::fs;
use std::io;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;

use time::Date;
use tokio::sync::oneshot;

use super::{Draft, FormKind, Store, create_durable_dirs, rename_noreplace, write_private};
use crate::submission::ticket::Ticket;

/// Makes everything written so far on the data folder's filesystem durable.
pub(super) type SyncFs = Box<dyn FnMut() -> io::Result<()> + Send>;

/// Writes the record for a given ticket.
pub(super) type Render = Box<dyn Fn(&Ticket) -> io::Result<String> + Send>;

/// Tickets tried before giving up (a ticket is taken only by another
/// process writing the same tree; one in 160,000 a day otherwise).
const MAX_TRIES: u32 = 32;
/// Stager threads. One is busy most of the time at full load on two
/// cores (it spends it in the kernel's mkdir, create and rename); a second
/// keeps the queue short while the first waits on a lock or the CPU.
const STAGERS: usize = 2;

/// The way to the committer, whose threads run while any handle lives.
#[derive(Debug, Clone)]
pub(super) struct Handle {
    jobs: mpsc::Sender<Job>,
    failures: Arc<AtomicU64>,
}

impl Handle {
    /// Starts the committer for the store in `root`. Its threads stop
    /// once every handle is gone and the last job is answered.
    pub(super) fn start(root: PathBuf, sync: SyncFs) -> io::Result<Handle> {
        let (jobs, queue) = mpsc::channel();
        let (staged, staged_queue) = mpsc::channel();
        let failures = Arc::new(AtomicU64::new(0));
        let syncer = Syncer {
            store: Store::at(&root),
            sync,
            failures: failures.clone(),
        };
        thread::Builder::new()
            .name("loket-sync".into())
            .spawn(move || syncer.run(staged_queue))?;
        let queue = Arc::new(Mutex::new(queue));
        for _ in 0..STAGERS {
            let store = Store::at(&root);
            let queue = queue.clone();
            let staged = staged.clone();
            thread::Builder::new()
                .name("loket-stage".into())
                .spawn(move || stage_all(&store, &queue, &staged))?;
        }
        Ok(Handle { jobs, failures })
    }

    /// Failed syncs so far. A write-back error is reported once, to one
    /// sync, and a page whose write-back failed is not written again; so a
    /// draft whose data was written before a failed sync must not count as
    /// durable even if its own sync succeeds.
    pub(super) fn failures(&self) -> u64 {
        self.failures.load(Ordering::SeqCst)
    }

    pub(super) async fn commit(
        &self,
        draft: Draft,
        kind: FormKind,
        date: Date,
        render: Render,
    ) -> io::Result<Ticket> {
        let stopped = || io::Error::other("the committer has stopped");
        // The record for a first ticket is rendered here, off the stagers.
        let ticket = Ticket::new(kind, date)?;
        let record = render(&ticket)?;
        let (reply, answer) = oneshot::channel();
        let job = Job {
            draft,
            kind,
            date,
            render,
            reply,
            prepared: Some((ticket, record)),
            ticket: None,
            tries: 0,
        };
        // A job that cannot be sent drops its draft, which removes it.
        self.jobs.send(job).map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

struct Job {
    draft: Draft,
    kind: FormKind,
    date: Date,
    render: Render,
    reply: oneshot::Sender<io::Result<Ticket>>,
    /// A ticket and its record, for the first try.
    prepared: Option<(Ticket, String)>,
    /// Set while the attachment folder (if any) is in the dated tree under
    /// this ticket and the record waits in the draft.
    ticket: Option<Ticket>,
    tries: u32,
}

impl Job {
    fn has_files(&self) -> bool {
        !self.draft.attachments.is_empty()
    }

    /// Answers the request (which may have gone away: the outcome stands).
    /// A draft not committed is removed as the job drops.
    fn finish(self, result: io::Result<Ticket>) {
        let _ = self.reply.send(result);
    }

    /// Moves the attachment folder back into the draft after a failure.
    fn unstage(&mut self, store: &Store) -> io::Result<()> {
        if let Some(ticket) = self.ticket.take()
            && self.has_files()
        {
            fs::rename(
                store.day_dir(self.date).join(ticket.as_str()),
                &self.draft.dir,
            )?;
        }
        Ok(())
    }
}

/// Stages each job in turn and passes it on to the syncer.
fn stage_all(store: &Store, queue: &Mutex<mpsc::Receiver<Job>>, staged: &mpsc::Sender<Job>) {
    loop {
        let next = queue.lock().unwrap_or_else(|e| e.into_inner()).recv();
        let Ok(mut job) = next else { return };
        match stage(store, &mut job) {
            Ok(()) => {
                if let Err(mpsc::SendError(job)) = staged.send(job) {
                    let e = io::Error::other("the committer's syncer has stopped");
                    fail(store, job, e);
                }
            }
            Err(e) => fail(store, job, e),
        }
    }
}

/// Writes what the draft still holds and its record under a fresh ticket,
/// and moves its attachment folder into the dated tree.
fn stage(store: &Store, job: &mut Job) -> io::Result<()> {
    let day_dir = store.day_dir(job.date);
    create_durable_dirs(&store.submissions_dir(), &day_dir)?;
    job.draft.write_out()?;
    while job.tries < MAX_TRIES {
        job.tries += 1;
        let (ticket, record) = match job.prepared.take() {
            Some(prepared) => prepared,
            None => {
                let ticket = Ticket::new(job.kind, job.date)?;
                let record = (job.render)(&ticket)?;
                (ticket, record)
            }
        };
        write_private(&job.draft.record, record.as_bytes())?;
        if job.has_files() {
            match rename_noreplace(&job.draft.dir, &day_dir.join(ticket.as_str())) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
        job.ticket = Some(ticket);
        return Ok(());
    }
    Err(no_free_ticket())
}

/// Answers with `e`, the attachment folder moved back into the draft, which
/// is then removed.
fn fail(store: &Store, mut job: Job, e: io::Error) {
    if let Err(back) = job.unstage(store) {
        // Left in the tree without its record: removed on the next start.
        eprintln!("error: could not move a failed submission's attachments back: {back}");
    }
    job.finish(Err(e));
}

struct Syncer {
    /// For paths only.
    store: Store,
    sync: SyncFs,
    failures: Arc<AtomicU64>,
}

impl Syncer {
    fn run(mut self, staged: mpsc::Receiver<Job>) {
        let mut retry = Vec::new();
        loop {
            let mut batch: Vec<Job> = std::mem::take(&mut retry);
            if batch.is_empty() {
                match staged.recv() {
                    Ok(job) => batch.push(job),
                    Err(mpsc::RecvError) => return,
                }
            }
            batch.extend(staged.try_iter());
            retry = self.commit_batch(batch);
        }
    }

    /// Commits a batch of staged jobs; returns those staged again under
    /// another ticket because theirs turned out to be taken.
    fn commit_batch(&mut self, staged: Vec<Job>) -> Vec<Job> {
        // The uploads, the records and the attachment folders' moves.
        if let Err(e) = self.sync() {
            for job in staged {
                fail(&self.store, job, same_error(&e));
            }
            return Vec::new();
        }
        // Each record moves next to its folder (the commit point), and that
        // is made durable before anyone is told.
        let failures = self.failures.load(Ordering::SeqCst);
        let mut placed = Vec::with_capacity(staged.len());
        let mut retry = Vec::new();
        for mut job in staged {
            if job.draft.failures_before != failures {
                let e = io::Error::other(
                    "a write-back error on the data folder's filesystem while this submission was written",
                );
                fail(&self.store, job, e);
                continue;
            }
            match place_record(&self.store, &mut job) {
                Ok(ticket) => placed.push((job, ticket)),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && job.tries < MAX_TRIES => {
                    match job
                        .unstage(&self.store)
                        .and_then(|()| stage(&self.store, &mut job))
                    {
                        Ok(()) => retry.push(job),
                        Err(e) => fail(&self.store, job, e),
                    }
                }
                Err(e) => fail(&self.store, job, e),
            }
        }
        if !placed.is_empty() {
            let synced = self.sync();
            for (job, ticket) in placed {
                // A failure here leaves the record in place: it may or may
                // not survive a crash, so the citizen is told it failed.
                let result = match &synced {
                    Ok(()) => Ok(ticket),
                    Err(e) => Err(same_error(e)),
                };
                job.finish(result);
            }
        }
        retry
    }

    fn sync(&mut self) -> io::Result<()> {
        let result = (self.sync)();
        if result.is_err() {
            self.failures.fetch_add(1, Ordering::SeqCst);
        }
        result
    }
}

fn place_record(store: &Store, job: &mut Job) -> io::Result<Ticket> {
    let ticket = job.ticket.clone().ok_or_else(no_free_ticket)?;
    let to = store.day_dir(job.date).join(format!("{ticket}.yaml"));
    rename_noreplace(&job.draft.record, &to)?;
    job.draft.committed = true;
    Ok(ticket)
}

fn no_free_ticket() -> io::Error {
    io::Error::other(format!("no free ticket number after {MAX_TRIES} tries"))
}

/// One failure reported to every submission of a batch.
fn same_error(e: &io::Error) -> io::Error {
    io::Error::new(e.kind(), e.to_string())
}
