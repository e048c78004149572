//! The progress bar of `billrun run` (SPEC 7): shown on a terminal, never with `--quiet`,
//! under cron or in CI, and never on stdout (which may carry the `--json` summary).
//!
//! Drawing, rate, ETA and redraw throttling are indicatif's; this module decides whether to
//! draw at all and gives the commands one small handle whose methods are no-ops when hidden.

use indicatif::{
    HumanCount, ProgressBar, ProgressDrawTarget, ProgressFinish, ProgressState, ProgressStyle,
};
use std::io::IsTerminal;
use std::time::Duration;

/// A stage with a known total: bar, count, rate and time left.
const BAR_TEMPLATE: &str =
    "{prefix:>8} [{bar:30}] {human_pos}/{human_len} {percent:>3}% {rate:>10} ETA {eta}";
/// A stage of unknown size: a spinner with the count so far, the rate and the time spent.
const SPINNER_TEMPLATE: &str = "{prefix:>8} {spinner} {human_pos} {rate:>10} {elapsed}";
/// How often a spinner moves while nothing is counted (reading a large xlsx, say).
const SPINNER_TICK: Duration = Duration::from_millis(120);

/// Progress of a run, drawn on stderr. Share it by reference with rayon workers: `inc` is
/// an atomic add plus a rate-limited redraw (indicatif draws at most 20 times a second), so
/// calling it once per account or per line from many threads is cheap.
pub struct Progress {
    /// `None` when hidden: every method returns at once.
    bar: Option<ProgressBar>,
}

impl Progress {
    /// Shown only when `enabled` (the caller passes `!quiet`), stderr is a terminal, and the
    /// environment does not look like cron/CI (no `TERM`, or `TERM=dumb`, or `CI` set).
    pub fn new(enabled: bool) -> Progress {
        let show = should_show(
            enabled,
            std::io::stderr().is_terminal(),
            std::env::var("TERM").ok().as_deref(),
            std::env::var_os("CI")
                .map(|v| v.to_string_lossy().into_owned())
                .as_deref(),
        );
        if show {
            Progress::drawing_to(ProgressDrawTarget::stderr())
        } else {
            Progress { bar: None }
        }
    }

    /// A visible progress drawing to `target` (tests draw to a hidden target).
    fn drawing_to(target: ProgressDrawTarget) -> Progress {
        // Clearing on drop too: an error that ends the run early prints on a clean line.
        let bar = ProgressBar::with_draw_target(None, target).with_finish(ProgressFinish::AndClear);
        Progress { bar: Some(bar) }
    }

    /// Starts a stage with a label ("reading", "pricing", "writing") and a total count (0 = unknown: spinner).
    pub fn stage(&self, label: &str, total: u64) {
        let Some(bar) = &self.bar else { return };
        bar.disable_steady_tick();
        // The style does not redraw; the prefix, the reset (position, elapsed time and rate
        // estimate start again) and the length each may, so the length goes last and the
        // last frame drawn is the new stage's.
        bar.set_style(if total == 0 {
            spinner_style()
        } else {
            bar_style()
        });
        bar.set_prefix(label.to_string());
        bar.reset();
        if total == 0 {
            bar.unset_length();
            bar.enable_steady_tick(SPINNER_TICK);
        } else {
            bar.set_length(total);
        }
    }

    /// Counts `n` more items done in the current stage. Safe from any thread.
    pub fn inc(&self, n: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(n);
        }
    }

    /// Ends the last stage and clears the bar, so the summary that follows on stderr starts
    /// on a clean line.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.disable_steady_tick();
            bar.finish_and_clear();
        }
    }

    /// Whether anything is drawn (for tests).
    pub fn is_visible(&self) -> bool {
        self.bar.is_some()
    }
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Progress")
            .field("visible", &self.is_visible())
            .finish()
    }
}

/// Whether to draw: `enabled` (not `--quiet`), stderr is a terminal, and neither cron nor CI.
/// Cron runs jobs with no `TERM` (or `dumb`); CI services set `CI` (any value counts: a
/// hidden bar costs nothing, a drawn one fills logs with redraws).
pub fn should_show(
    enabled: bool,
    stderr_is_terminal: bool,
    term: Option<&str>,
    ci: Option<&str>,
) -> bool {
    let term_usable = matches!(term, Some(t) if !t.is_empty() && t != "dumb");
    enabled && stderr_is_terminal && term_usable && ci.is_none()
}

fn bar_style() -> ProgressStyle {
    // The templates are constants checked by a test; the fallback only guards the run.
    ProgressStyle::with_template(BAR_TEMPLATE)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
        .with_key("rate", rate)
}

fn spinner_style() -> ProgressStyle {
    ProgressStyle::with_template(SPINNER_TEMPLATE)
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
        .with_key("rate", rate)
}

/// Items a second, whole and grouped (`18,562/s`): indicatif's `{per_sec}` prints every
/// decimal of the estimate.
fn rate(state: &ProgressState, w: &mut dyn std::fmt::Write) {
    // A float-to-int cast saturates (and NaN gives 0), so any estimate prints.
    let _ = write!(w, "{}/s", HumanCount(state.per_sec() as u64));
}

#[cfg(test)]
mod tests {
    use super::*;
    use rayon::prelude::*;

    #[test]
    fn shows_only_on_an_interactive_terminal() {
        let term = Some("xterm-256color");
        assert!(should_show(true, true, term, None));
        // --quiet
        assert!(!should_show(false, true, term, None));
        // stderr redirected to a file or a pipe
        assert!(!should_show(true, false, term, None));
        // cron: no TERM, or a dumb one
        assert!(!should_show(true, true, None, None));
        assert!(!should_show(true, true, Some(""), None));
        assert!(!should_show(true, true, Some("dumb"), None));
        // CI, whatever the value
        assert!(!should_show(true, true, term, Some("true")));
        assert!(!should_show(true, true, term, Some("1")));
        assert!(!should_show(true, true, term, Some("")));
    }

    #[test]
    fn templates_parse() {
        assert!(ProgressStyle::with_template(BAR_TEMPLATE).is_ok());
        assert!(ProgressStyle::with_template(SPINNER_TEMPLATE).is_ok());
    }

    #[test]
    fn is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Progress>();
    }

    #[test]
    fn hidden_progress_does_nothing() {
        let p = Progress::new(false);
        assert!(!p.is_visible());
        p.stage("reading", 0);
        p.inc(5);
        p.stage("pricing", 10);
        p.inc(10);
        p.finish();
        assert!(p.bar.is_none());
    }

    #[test]
    fn counts_increments_from_many_threads() {
        let p = Progress::drawing_to(ProgressDrawTarget::hidden());
        assert!(p.is_visible());
        p.stage("reading", 0);
        p.inc(3);
        let bar = p.bar.as_ref().unwrap();
        assert_eq!(bar.length(), None);
        assert_eq!(bar.position(), 3);

        p.stage("pricing", 10_000);
        assert_eq!(bar.length(), Some(10_000));
        assert_eq!(bar.position(), 0, "a new stage starts from zero");
        assert_eq!(bar.prefix(), "pricing");
        (0..10_000u64).into_par_iter().for_each(|_| p.inc(1));
        assert_eq!(bar.position(), 10_000);

        p.stage("writing", 4);
        p.inc(4);
        p.finish();
        assert!(bar.is_finished());
    }
}
