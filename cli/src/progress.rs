//! Progress bars on stderr (drawn only when stderr is a terminal).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar of `total` items (a spinner when unknown) on stderr, or a hidden
/// one when `show` is false. indicatif draws nothing when stderr is not a
/// terminal, so pipes and logs stay clean.
pub fn bar(total: Option<u64>, unit: &str, show: bool) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let target = ProgressDrawTarget::stderr();
    match total {
        Some(n) => {
            let pb = ProgressBar::with_draw_target(Some(n), target);
            let template = match unit {
                "bytes" => "{msg} [{bar:40}] {bytes}/{total_bytes} ({eta})",
                _ => "{msg} [{bar:40}] {human_pos}/{human_len} {prefix} ({eta})",
            };
            if let Ok(style) = ProgressStyle::with_template(template) {
                pb.set_style(style.progress_chars("=> "));
            }
            pb.set_prefix(unit.to_string());
            pb
        }
        None => {
            let pb = ProgressBar::with_draw_target(None, target);
            if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} {human_pos} {prefix}")
            {
                pb.set_style(style);
            }
            pb.set_prefix(unit.to_string());
            pb
        }
    }
}
