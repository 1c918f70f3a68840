//! Killing a child process with SIGKILL at a chosen moment, for the kill -9
//! harnesses (`crash_kill9`, `crash_streams`, `crash_batch`), and the
//! child's side of their conversation.

use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Spawns `cmd` with its stdout piped, waits for its first line (READY)
/// unless `early`, sleeps `delay`, kills it with SIGKILL and returns every
/// line it printed. Fails if the child could not start, never said READY,
/// or ended by itself.
pub fn kill_after(mut cmd: Command, early: bool, delay: Duration) -> Result<Vec<String>, String> {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stdin(Stdio::null())
        .spawn()
        .map_err(|e| format!("spawn: {e}"))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let (tx, rx) = mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut lines = Vec::new();
    if !early {
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(l) => lines.push(l),
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("no READY from the child: {e:?}"));
            }
        }
    }
    std::thread::sleep(delay);
    let _ = child.kill(); // SIGKILL
    let status = child.wait().map_err(|e| format!("wait: {e}"))?;
    reader.join().map_err(|_| "the output reader panicked")?;
    lines.extend(rx.try_iter());
    if status.signal() != Some(libc::SIGKILL) {
        return Err(format!(
            "child ended by itself: {status:?}, output tail {:?}",
            lines.iter().rev().take(3).collect::<Vec<_>>()
        ));
    }
    Ok(lines)
}

/// In the child: writes `line` to the parent on stdout, in one write (a pipe
/// write below PIPE_BUF is atomic, so a line arrives whole or not at all),
/// flushed at once; exits if the parent is gone.
pub fn tell_parent(line: &str) {
    use std::io::Write;
    let mut o = std::io::stdout().lock();
    if o.write_all(format!("{line}\n").as_bytes()).is_err() || o.flush().is_err() {
        std::process::exit(5);
    }
}
