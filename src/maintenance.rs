//! The background maintenance thread: TTL sweeps, eviction under disk
//! pressure, defragmentation, and stream retention.
//!
//! One thread per `Db`. It wakes every `sweep_interval`, and early when a
//! namespace starts a new segment or passes its high-water mark (a wake-up
//! channel). `close` sets a stop flag, which every long loop checks between
//! records, and sends on a control channel, so the thread ends promptly.

use crate::error::{Error, Result};
use crate::namespace::Namespace;
use crate::streams::Streams;
use crossbeam_channel::{bounded, select, Receiver, Sender};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// The namespaces of a database, shared with the maintenance thread.
pub(crate) type Namespaces = Arc<crate::db::Registry>;

/// Handle on the maintenance thread.
#[derive(Debug)]
pub(crate) struct Maintenance {
    stop: Arc<AtomicBool>,
    control: Sender<()>,
    wake: Sender<()>,
    handle: Option<JoinHandle<()>>,
}

impl Maintenance {
    /// Starts the thread.
    pub(crate) fn start(
        namespaces: Namespaces,
        streams: Arc<Streams>,
        interval: Duration,
    ) -> Result<Maintenance> {
        let stop = Arc::new(AtomicBool::new(false));
        let (control, control_rx) = bounded(1);
        let (wake, wake_rx) = bounded(1);
        let flag = Arc::clone(&stop);
        let handle = std::thread::Builder::new()
            .name("aerolite-maintenance".into())
            .spawn(move || {
                run(
                    &namespaces,
                    &streams,
                    interval,
                    &flag,
                    &control_rx,
                    &wake_rx,
                )
            })
            .map_err(Error::Io)?;
        Ok(Maintenance {
            stop,
            control,
            wake,
            handle: Some(handle),
        })
    }

    /// The channel namespaces use to wake the thread early.
    pub(crate) fn waker(&self) -> Sender<()> {
        self.wake.clone()
    }

    /// Stops the thread and waits for it.
    pub(crate) fn stop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.control.try_send(());
        if let Some(h) = self.handle.take() {
            if h.join().is_err() {
                log::error!("the maintenance thread panicked");
            }
        }
    }
}

impl Drop for Maintenance {
    fn drop(&mut self) {
        self.stop();
    }
}

fn run(
    namespaces: &Namespaces,
    streams: &Streams,
    interval: Duration,
    stop: &AtomicBool,
    control: &Receiver<()>,
    wake: &Receiver<()>,
) {
    loop {
        select! {
            recv(control) -> _ => return,
            recv(wake) -> _ => {}
            default(interval) => {}
        }
        if stop.load(Ordering::Relaxed) {
            return;
        }
        let list: Vec<Arc<Namespace>> = namespaces.iter().cloned().collect();
        for ns in list {
            if stop.load(Ordering::Relaxed) {
                return;
            }
            // Cheap (one fstat per segment): turns a segment file that
            // another process truncated into errors instead of SIGBUS.
            ns.verify_files();
            ns.sweep(stop);
            if let Err(e) = ns.relieve_pressure(stop) {
                log::warn!("namespace {:?}: eviction failed: {e}", ns.name());
            }
            if let Err(e) = ns.compact(stop) {
                log::warn!("namespace {:?}: defragmentation failed: {e}", ns.name());
            }
            if let Err(e) = ns.write_missing_hints() {
                log::warn!("namespace {:?}: writing hint files failed: {e}", ns.name());
            }
        }
        if stop.load(Ordering::Relaxed) {
            return;
        }
        // Streams: find truncated files, drop segment files past
        // retention, hint sealed ones.
        streams.verify_files();
        if let Err(e) = streams.enforce_retention() {
            log::warn!("stream retention failed: {e}");
        }
        streams.write_missing_hints();
    }
}
