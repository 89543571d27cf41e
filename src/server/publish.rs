//! Publishing an edit without a restart. The server notices a new build of
//! the output folder (`loket build` swaps it into place in one rename, so
//! the folder's inode changes) within a second, and builds one itself on
//! SIGHUP (`systemctl reload loket`). Either way it loads the new site
//! beside the old and swaps it in whole: a request in progress keeps what
//! it started with, so every response is wholly old or wholly new.
//!
//! The desk asks for a build too ([`crate::desk::Republish`]), when staff
//! publish or withdraw survey results (files in the site folder), and is
//! answered once the new site is served.
//!
//! Not in watch mode, where the server builds on every change itself (and
//! [`answer`] builds for the desk).

use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tokio::signal::unix::Signal;

use super::{AppState, Published};
use crate::core::calendar::Calendar;
use crate::site::build::{self, BuildOptions};

/// How often the output folder is looked at.
const EVERY: Duration = Duration::from_secs(1);

/// Which folder is at `out` now.
fn identity(out: &Path) -> Option<(u64, u64)> {
    std::fs::metadata(out).ok().map(|m| (m.dev(), m.ino()))
}

/// Follows new builds until the server stops. `hangup` is the SIGHUP
/// stream, made before the server said it was ready; `asked`, the desk's
/// requests for a build.
pub(super) async fn follow(
    state: Arc<AppState>,
    opts: BuildOptions,
    mut hangup: Signal,
    mut asked: Requests,
) {
    let mut seen = identity(&opts.out);
    let mut tick = tokio::time::interval(EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            _ = tick.tick() => {
                let now = identity(&opts.out);
                if now.is_some() && now != seen {
                    seen = now;
                    seen = load_build(&state, &opts).await.or(seen);
                }
            }
            _ = hangup.recv() => {
                tracing::info!("SIGHUP: building the site");
                // How it went is logged; nobody waits for it.
                let _ = rebuild(&state, &opts).await;
                seen = identity(&opts.out);
            }
            Some(reply) = asked.recv() => {
                tracing::info!("the desk asked for a build of the site");
                let _ = reply.send(rebuild(&state, &opts).await);
                seen = identity(&opts.out);
            }
        }
    }
}

/// The desk's requests for a build: each carries where to say how it went.
pub(super) type Requests = tokio::sync::mpsc::Receiver<crate::desk::Republished>;

/// Builds for the desk in watch mode (where [`follow`] does not run).
pub(super) async fn answer(state: Arc<AppState>, opts: BuildOptions, mut asked: Requests) {
    while let Some(reply) = asked.recv().await {
        let _ = reply.send(rebuild(&state, &opts).await);
    }
}

/// Loads the site another process built into the output folder: the
/// model (for the forms) from the sources, the files from the output.
/// Returns the folder's identity as loaded.
async fn load_build(state: &Arc<AppState>, opts: &BuildOptions) -> Option<(u64, u64)> {
    let root = opts.root.clone();
    let loaded = tokio::task::spawn_blocking(move || {
        let site = build::load_site(&root);
        let calendar = Calendar::load(&root);
        (site, calendar)
    })
    .await;
    let Ok((site, calendar)) = loaded else {
        return None;
    };
    // The files first, while the folder stays the same one.
    let mut loaded_id = identity(&opts.out);
    loop {
        state.static_files.reload().await;
        let now = identity(&opts.out);
        if now == loaded_id {
            break;
        }
        loaded_id = now;
    }
    match site {
        Ok((site, templates)) => {
            let published = Published::from_parts(site, templates, Arc::default());
            *state.published.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(published);
            tracing::info!("serving a new build of {}", opts.out.display());
        }
        Err(diags) => {
            for d in &diags {
                tracing::warn!("{d}");
            }
            tracing::warn!(
                "new build in {} served; its sources have errors, so the forms keep the last good ones",
                opts.out.display()
            );
        }
    }
    if let Ok(calendar) = calendar {
        *state.calendar.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(calendar);
    }
    loaded_id
}

/// Builds the site from its sources and publishes it; on errors, says so
/// and keeps serving the last good site (`Err`: why, in a line).
async fn rebuild(state: &Arc<AppState>, opts: &BuildOptions) -> Result<(), String> {
    let build_opts = opts.clone();
    let built = tokio::task::spawn_blocking(move || {
        (build::build(&build_opts), Calendar::load(&build_opts.root))
    })
    .await;
    let Ok((built, calendar)) = built else {
        return Err("the build stopped".to_string());
    };
    let outcome = match built {
        Ok(report) => {
            for w in &report.warnings {
                tracing::warn!("{w}");
            }
            tracing::info!("built {} pages into {}", report.pages, opts.out.display());
            let published = Published::new(report);
            state.static_files.reload().await;
            *state.published.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(published);
            Ok(())
        }
        // Nothing failed: the sources have errors, the last good site stays.
        Err(build::BuildError::Invalid(diags)) => {
            for d in &diags {
                tracing::warn!("{d}");
            }
            tracing::warn!("the site has errors; still serving the last good site");
            Err(diags
                .first()
                .map(|d| d.to_string())
                .unwrap_or_else(|| "the site has errors".to_string()))
        }
        Err(e) => {
            tracing::error!("build failed ({e}); still serving the last good site");
            Err(e.to_string())
        }
    };
    match calendar {
        Ok(calendar) => {
            *state.calendar.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(calendar)
        }
        Err(diags) => {
            for d in &diags {
                tracing::warn!("{d}");
            }
            tracing::warn!("the holiday list has errors; still using the last good one");
        }
    }
    outcome
}
