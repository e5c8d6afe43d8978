//! The poll schedule: a deadline fixed at the start, checks `interval` apart,
//! and no wait that reaches past the deadline.

use super::config::{DEFAULT_POLL_INTERVAL_MS, DEFAULT_POLL_TIMEOUT_MS};
use super::error::Error;
use super::text::concat;
use super::types::{SessionState, SessionStatus};

/// `OAuthPollOptions` less the signal and callback (the platform's).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PollOptions {
    pub timeout_ms: f64,
    pub interval_ms: f64,
}

impl Default for PollOptions {
    fn default() -> Self {
        PollOptions { timeout_ms: DEFAULT_POLL_TIMEOUT_MS, interval_ms: DEFAULT_POLL_INTERVAL_MS }
    }
}

/// What a check means for the poll.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome<H, C> {
    Resolve,
    Reject(Error<H, C>),
    Continue,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PollSchedule {
    pub options: PollOptions,
    pub deadline: f64,
}

impl PollSchedule {
    pub fn start(now: f64, options: PollOptions) -> Self {
        PollSchedule { options, deadline: now + options.timeout_ms }
    }

    pub fn time_left(&self, now: f64) -> f64 {
        (self.deadline - now).max(0.0)
    }

    /// The wait before the next check: the interval, or less if the
    /// deadline comes first.
    pub fn next_wait(&self, now: f64) -> f64 {
        self.options.interval_ms.min(self.time_left(now))
    }

    pub fn outcome<H, C>(status: &SessionStatus) -> Outcome<H, C> {
        match status.status {
            SessionState::Complete => Outcome::Resolve,
            SessionState::Pending => Outcome::Continue,
            SessionState::Error => Outcome::Reject(Error::airstore(concat(&[
                "OAuth session failed: ",
                status.error.as_deref().filter(|e| !e.is_empty()).unwrap_or("unknown error"),
            ]))),
        }
    }

    /// The timeout error; `shown` is the timeout as the caller's language
    /// prints it (the platform knows; [`format_ms`] is the Rust fallback).
    pub fn timed_out<H, C>(shown: &str) -> Error<H, C> {
        Error::airstore(concat(&[super::error::messages::POLL_TIMED_OUT, shown, "ms"]))
    }
}

/// Milliseconds as JavaScript prints the values people pass (`120000`,
/// `1500.5`), without pulling a float formatter into the wasm. In JS the
/// platform uses the engine's own `String(n)`, exact for every number.
pub fn format_ms(ms: f64) -> String {
    if ms.fract() == 0.0 && ms.abs() < 1e15 {
        return format!("{}", ms as i64);
    }
    let thousandths = (ms * 1000.0).round() as i64;
    let whole = thousandths / 1000;
    let mut fraction = format!("{:03}", (thousandths % 1000).abs());
    while fraction.ends_with('0') {
        fraction.pop();
    }
    if fraction.is_empty() { format!("{whole}") } else { format!("{whole}.{fraction}") }
}

#[cfg(test)]
mod tests {
    use super::*;
    type E = Error<(), ()>;

    fn status(s: SessionState, error: Option<&str>) -> SessionStatus {
        SessionStatus { status: s, error: error.map(String::from), connection_id: None }
    }

    #[test]
    fn waits_never_reach_past_the_deadline() {
        let s = PollSchedule::start(1000.0, PollOptions { timeout_ms: 5000.0, interval_ms: 2000.0 });
        assert_eq!(s.next_wait(1000.0), 2000.0);
        assert_eq!(s.next_wait(4500.0), 1500.0);
        assert_eq!(s.next_wait(7000.0), 0.0);
        assert_eq!(s.time_left(9000.0), 0.0);
    }

    #[test]
    fn outcomes_and_messages_follow_the_contract() {
        assert_eq!(PollSchedule::outcome::<(), ()>(&status(SessionState::Complete, None)), Outcome::Resolve);
        assert_eq!(PollSchedule::outcome::<(), ()>(&status(SessionState::Pending, None)), Outcome::Continue);
        match PollSchedule::outcome::<(), ()>(&status(SessionState::Error, Some("google: access_denied"))) {
            Outcome::Reject(e) => assert_eq!(e.message, "OAuth session failed: google: access_denied"),
            other => panic!("{other:?}"),
        }
        match PollSchedule::outcome::<(), ()>(&status(SessionState::Error, None)) {
            Outcome::Reject(e) => assert_eq!(e.message, "OAuth session failed: unknown error"),
            other => panic!("{other:?}"),
        }
        let e: E = PollSchedule::timed_out("120000");
        assert_eq!(e.message, "OAuth session timed out after 120000ms");
    }

    #[test]
    fn formats_ms_like_javascript() {
        assert_eq!(format_ms(0.0), "0");
        assert_eq!(format_ms(300000.0), "300000");
        assert_eq!(format_ms(1500.5), "1500.5");
        assert_eq!(format_ms(0.25), "0.25");
    }
}
