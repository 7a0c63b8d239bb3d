//! The progress bar: bytes of the input read, on stderr, only for people.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// What may be shown on stderr, resolved once by the config stage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ui {
    /// `--quiet`: no summary line and no bar.
    pub quiet: bool,
    /// Progress bars may be drawn: stderr is a terminal and not `--quiet`.
    pub bars: bool,
}

/// A progress bar that may be hidden.
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// A bar over `len` bytes, drawn only when `ui` allows bars and the
    /// length is known (a file, not stdin). Nightly jobs therefore never get
    /// escape codes in their logs.
    pub fn new(len: Option<u64>, ui: Ui) -> Progress {
        let bar = match len {
            Some(len) if ui.bars => {
                let bar =
                    ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr_with_hz(5));
                bar.set_style(
                    ProgressStyle::with_template(
                        "{bar:30} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
                );
                bar.enable_steady_tick(Duration::from_millis(200));
                bar
            }
            _ => ProgressBar::hidden(),
        };
        Progress { bar }
    }

    /// A bar over `len` items (`what` names them), under the same rules as
    /// [`Progress::new`].
    pub fn items(len: u64, what: &str, ui: Ui) -> Progress {
        if !ui.bars {
            return Progress::hidden();
        }
        let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr_with_hz(5));
        let template =
            format!("{{bar:30}} {{human_pos}}/{{human_len}} {what}, eta {{eta}} {{msg}}");
        bar.set_style(
            ProgressStyle::with_template(&template)
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Progress { bar }
    }

    /// A bar that never draws.
    pub fn hidden() -> Progress {
        Progress { bar: ProgressBar::hidden() }
    }

    /// Bytes read so far.
    pub fn set(&self, bytes: u64) {
        self.bar.set_position(bytes);
    }

    /// A short note after the counts (`12 live, 3 from the store`).
    pub fn message(&self, text: String) {
        self.bar.set_message(text);
    }

    /// Removes the bar after a successful run.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }

    /// Leaves the bar where it stopped after a failure.
    pub fn abandon(&self) {
        self.bar.abandon();
    }
}
