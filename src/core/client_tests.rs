//! The drivers on a simulated platform: a clock that only moves when the
//! client sends or sleeps, and scripted answers.

use super::*;
use crate::core::error::{messages, ErrorClass};
use crate::core::response::testing::{response, JsonBody, TestHeaders};
use crate::core::types::SessionState;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

#[derive(Debug, Clone, PartialEq)]
enum Event {
    Send { at: f64, budget: f64, url: String },
    Sleep { at: f64, ms: f64 },
}

/// One scripted exchange: how long it takes and what it yields.
struct Step {
    latency: f64,
    result: Result<Response<TestHeaders, JsonBody>, TransportError<&'static str>>,
}

#[derive(Default)]
struct Sim {
    now: Cell<f64>,
    script: RefCell<VecDeque<Step>>,
    events: RefCell<Vec<Event>>,
    /// Cancel at this time, during whatever is running then.
    cancel_at: Cell<Option<f64>>,
}

impl Sim {
    fn new(steps: Vec<Step>) -> Sim {
        Sim { now: Cell::new(1_000_000.0), script: RefCell::new(steps.into()), ..Default::default() }
    }
    fn sends(&self) -> Vec<(f64, f64)> {
        self.events.borrow().iter().filter_map(|e| if let Event::Send { at, budget, .. } = e { Some((*at, *budget)) } else { None }).collect()
    }
    fn sleeps(&self) -> Vec<f64> {
        self.events.borrow().iter().filter_map(|e| if let Event::Sleep { ms, .. } = e { Some(*ms) } else { None }).collect()
    }
    fn elapsed(&self) -> f64 {
        self.now.get() - 1_000_000.0
    }
    /// Advances the clock by `ms`, or to the cancel time if that is sooner.
    fn pass(&self, ms: f64) -> Result<(), TransportError<&'static str>> {
        let end = self.now.get() + ms;
        match self.cancel_at.get() {
            Some(c) if c <= end => {
                self.now.set(c.max(self.now.get()));
                Err(TransportError::Cancelled { reason: Some("reason") })
            }
            _ => {
                self.now.set(end);
                Ok(())
            }
        }
    }
}

impl Platform for Sim {
    type Headers = TestHeaders;
    type Body = JsonBody;
    type Cause = &'static str;

    async fn send(&self, request: &HttpRequest, timeout_ms: f64) -> Result<Response<TestHeaders, JsonBody>, TransportError<&'static str>> {
        self.events.borrow_mut().push(Event::Send { at: self.elapsed(), budget: timeout_ms, url: request.url.clone() });
        let step = self.script.borrow_mut().pop_front().unwrap_or(Step { latency: f64::INFINITY, result: Err(TransportError::TimedOut) });
        if step.latency > timeout_ms {
            self.pass(timeout_ms)?;
            return Err(TransportError::TimedOut);
        }
        self.pass(step.latency)?;
        step.result
    }

    async fn sleep(&self, ms: f64) -> Result<(), TransportError<&'static str>> {
        self.events.borrow_mut().push(Event::Sleep { at: self.elapsed(), ms });
        self.pass(ms)
    }

    fn now(&self) -> f64 {
        self.now.get()
    }

    fn random(&self) -> f64 {
        0.5
    }
}

fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

fn ok(latency: f64, status: u16, headers: &[(&str, &str)], body: &str) -> Step {
    Step { latency, result: Ok(response(status, headers, body)) }
}
fn pending(latency: f64) -> Step {
    ok(latency, 200, &[], r#"{"success":true,"data":{"status":"pending"}}"#)
}
fn complete(latency: f64) -> Step {
    ok(latency, 200, &[("x-request-id", "req_done")], r#"{"success":true,"data":{"status":"complete","connection_id":"conn_1"}}"#)
}
fn network() -> Step {
    Step { latency: 5.0, result: Err(TransportError::Network { detail: "fetch failed (ECONNREFUSED)".into(), cause: Some("cause") }) }
}

fn config() -> ClientConfig {
    ClientConfig { api_key: Some("org_k".into()), base_url: "http://h/api/v1".into(), ..Default::default() }
}

fn params() -> CreateSessionParams {
    CreateSessionParams { integration_type: "gmail".into(), ..Default::default() }
}

#[test]
fn create_session_unwraps_the_201() {
    let sim = Sim::new(vec![ok(3.0, 201, &[], r#"{"success":true,"data":{"session_id":"a","authorize_url":"u"}}"#)]);
    let (s, meta) = block_on(create_session(&sim, &config(), &params(), &Default::default())).unwrap();
    assert_eq!((s.session_id.as_str(), meta.status_code), ("a", 201));
    assert_eq!(sim.sends(), vec![(0.0, 60_000.0)]);
}

#[test]
fn retries_retryable_statuses_with_backoff_then_gives_the_last_error() {
    let sim = Sim::new(vec![
        ok(1.0, 503, &[], r#"{"success":false,"error":"busy"}"#),
        ok(1.0, 502, &[], "<html>bad gateway</html>"),
        ok(1.0, 500, &[("x-request-id", "r3")], r#"{"success":false,"error":"failed to create session"}"#),
    ]);
    let e = block_on(create_session(&sim, &config(), &params(), &Default::default())).unwrap_err();
    assert_eq!((e.class, e.message.as_str(), e.status, e.request_id.as_deref()), (ErrorClass::InternalServerError, "failed to create session", Some(500), Some("r3")));
    // random() = 0.5: 500 * 1.25, then 1000 * 1.25
    assert_eq!(sim.sleeps(), vec![625.0, 1250.0]);
    assert_eq!(sim.sends().len(), 3);
}

#[test]
fn non_retryable_statuses_are_final_at_once() {
    for status in [400, 401, 403, 404, 422] {
        let sim = Sim::new(vec![ok(1.0, status, &[], r#"{"success":false,"error":"no"}"#)]);
        let e = block_on(get_session(&sim, &config(), "s", &Default::default())).unwrap_err();
        assert_eq!((e.status, sim.sends().len()), (Some(status), 1));
    }
}

#[test]
fn every_retryable_status_is_retried_and_max_retries_is_honoured() {
    for status in [408, 409, 429, 500, 502, 503, 504] {
        let sim = Sim::new(vec![ok(1.0, status, &[], "{}"), complete(1.0)]);
        let overrides = RequestOverrides { max_retries: Some(1), ..Default::default() };
        let (s, _) = block_on(get_session(&sim, &config(), "s", &overrides)).unwrap();
        assert_eq!((s.status, sim.sends().len()), (SessionState::Complete, 2), "{status}");
        let sim = Sim::new(vec![ok(1.0, status, &[], "{}"), complete(1.0)]);
        let overrides = RequestOverrides { max_retries: Some(0), ..Default::default() };
        let e = block_on(get_session(&sim, &config(), "s", &overrides)).unwrap_err();
        assert_eq!((e.status, sim.sends().len()), (Some(status), 1));
    }
}

#[test]
fn retry_after_is_used_instead_of_backoff_and_capped() {
    let sim = Sim::new(vec![ok(1.0, 429, &[("retry-after", "3")], "{}"), ok(1.0, 429, &[("retry-after-ms", "99999999")], "{}"), complete(1.0)]);
    block_on(get_session(&sim, &config(), "s", &Default::default())).unwrap();
    assert_eq!(sim.sleeps(), vec![3000.0, 60_000.0]);
}

#[test]
fn network_failures_are_retried_then_become_connection_errors() {
    let sim = Sim::new(vec![network(), network(), network()]);
    let e = block_on(get_session(&sim, &config(), "s", &Default::default())).unwrap_err();
    assert_eq!((e.class, e.message.as_str(), e.cause), (ErrorClass::APIConnectionError, "Connection error: fetch failed (ECONNREFUSED)", Some("cause")));
    assert_eq!(sim.sends().len(), 3);
}

#[test]
fn a_timeout_is_not_retried() {
    let sim = Sim::new(vec![pending(10_000.0), complete(1.0)]);
    let overrides = RequestOverrides { timeout_ms: Some(250.0), ..Default::default() };
    let e = block_on(get_session(&sim, &config(), "s", &overrides)).unwrap_err();
    assert_eq!((e.class, e.message.as_str()), (ErrorClass::APIConnectionTimeoutError, "Request timed out"));
    assert_eq!(sim.sends(), vec![(0.0, 250.0)]);
    assert_eq!(sim.elapsed(), 250.0);
}

#[test]
fn a_cancellation_during_backoff_stops_at_once() {
    let sim = Sim::new(vec![ok(1.0, 503, &[], "{}"), complete(1.0)]);
    sim.cancel_at.set(Some(1_000_100.0));
    let e = block_on(get_session(&sim, &config(), "s", &Default::default())).unwrap_err();
    assert_eq!((e.class, e.message.as_str(), e.cause), (ErrorClass::AirstoreError, "Request was cancelled", Some("reason")));
    assert_eq!(sim.sends().len(), 1);
    assert_eq!(sim.elapsed(), 100.0);
}

#[test]
fn poll_checks_every_interval_until_complete_and_reports_each_check() {
    let sim = Sim::new(vec![pending(10.0), pending(10.0), complete(10.0)]);
    let mut seen = vec![];
    let opts = PollOptions { timeout_ms: 120_000.0, interval_ms: 1_000.0 };
    let (s, meta) = block_on(poll(&sim, &config(), "s", opts, &Default::default(), &mut |s: &SessionStatus, n| {
        seen.push((s.status, n));
        Ok(())
    }, &|| false))
    .unwrap();
    assert_eq!((s.connection_id.as_deref(), meta.request_id.as_deref()), (Some("conn_1"), Some("req_done")));
    assert_eq!(seen, vec![(SessionState::Pending, 1), (SessionState::Pending, 2), (SessionState::Complete, 3)]);
    assert_eq!(sim.sends().iter().map(|s| s.0).collect::<Vec<_>>(), vec![0.0, 1010.0, 2020.0]);
}

#[test]
fn poll_rejects_with_the_session_error() {
    let sim = Sim::new(vec![pending(1.0), ok(1.0, 200, &[], r#"{"success":true,"data":{"status":"error","error":"github: access_denied"}}"#)]);
    let e = block_on(poll(&sim, &config(), "s", PollOptions { timeout_ms: 10_000.0, interval_ms: 100.0 }, &Default::default(), &mut |_, _| Ok(()), &|| false)).unwrap_err();
    assert_eq!((e.class, e.message.as_str()), (ErrorClass::AirstoreError, "OAuth session failed: github: access_denied"));
}

#[test]
fn poll_times_out_exactly_at_the_deadline_never_sleeping_past_it() {
    let sim = Sim::new((0..100).map(|_| pending(10.0)).collect());
    let opts = PollOptions { timeout_ms: 2_500.0, interval_ms: 1_000.0 };
    let e = block_on(poll(&sim, &config(), "s", opts, &Default::default(), &mut |_, _| Ok(()), &|| false)).unwrap_err();
    assert_eq!(e.message, "OAuth session timed out after 2500ms");
    assert_eq!(sim.elapsed(), 2_500.0);
    assert_eq!(sim.sleeps(), vec![1000.0, 1000.0, 470.0]);
}

#[test]
fn poll_cuts_a_hung_request_at_the_deadline() {
    // The official SDK waited out the full 60 s request timeout here.
    let sim = Sim::new(vec![pending(10.0), Step { latency: f64::INFINITY, result: Err(TransportError::TimedOut) }]);
    let opts = PollOptions { timeout_ms: 1_000.0, interval_ms: 100.0 };
    let e = block_on(poll(&sim, &config(), "s", opts, &Default::default(), &mut |_, _| Ok(()), &|| false)).unwrap_err();
    assert_eq!(e.message, "OAuth session timed out after 1000ms");
    assert_eq!(sim.elapsed(), 1_000.0);
    assert_eq!(sim.sends(), vec![(0.0, 1000.0), (110.0, 890.0)]);
}

#[test]
fn poll_with_a_request_timeout_shorter_than_time_left_reports_the_request_timeout() {
    let sim = Sim::new(vec![Step { latency: f64::INFINITY, result: Err(TransportError::TimedOut) }]);
    let overrides = RequestOverrides { timeout_ms: Some(300.0), ..Default::default() };
    let e = block_on(poll(&sim, &config(), "s", PollOptions::default(), &overrides, &mut |_, _| Ok(()), &|| false)).unwrap_err();
    assert_eq!(e.class, ErrorClass::APIConnectionTimeoutError);
}

#[test]
fn poll_backoff_is_cut_at_the_deadline() {
    let sim = Sim::new(vec![ok(1.0, 429, &[("retry-after", "30")], "{}"), complete(1.0)]);
    let opts = PollOptions { timeout_ms: 5_000.0, interval_ms: 100.0 };
    let e = block_on(poll(&sim, &config(), "s", opts, &Default::default(), &mut |_, _| Ok(()), &|| false)).unwrap_err();
    assert_eq!(e.message, "OAuth session timed out after 5000ms");
    assert_eq!(sim.elapsed(), 5_000.0);
    assert_eq!(sim.sends().len(), 1);
}

#[test]
fn poll_propagates_api_errors_such_as_an_unknown_session() {
    let sim = Sim::new(vec![ok(1.0, 404, &[], r#"{"success":false,"error":"session not found"}"#)]);
    let e = block_on(poll(&sim, &config(), "s", PollOptions { timeout_ms: 10_000.0, interval_ms: 10.0 }, &Default::default(), &mut |_, _| Ok(()), &|| false)).unwrap_err();
    assert_eq!((e.class, e.message.as_str(), e.status), (ErrorClass::NotFoundError, "session not found", Some(404)));
}

#[test]
fn a_404_after_the_session_was_seen_pending_says_it_ended_and_where_to_look() {
    let sim = Sim::new(vec![pending(1.0), ok(1.0, 404, &[], r#"{"success":false,"error":"session not found"}"#)]);
    let e = block_on(poll(&sim, &config(), "s", PollOptions { timeout_ms: 10_000.0, interval_ms: 10.0 }, &Default::default(), &mut |_, _| Ok(()), &|| false)).unwrap_err();
    assert_eq!((e.class, e.message.as_str(), e.status), (ErrorClass::NotFoundError, messages::SESSION_ENDED, Some(404)));
}

#[test]
fn poll_with_zero_timeout_rejects_without_a_request() {
    let sim = Sim::new(vec![complete(1.0)]);
    let e = block_on(poll(&sim, &config(), "s", PollOptions { timeout_ms: 0.0, interval_ms: 10.0 }, &Default::default(), &mut |_, _| Ok(()), &|| false)).unwrap_err();
    assert_eq!(e.message, "OAuth session timed out after 0ms");
    assert!(sim.sends().is_empty());
}

#[test]
fn poll_stops_when_on_status_fails() {
    let sim = Sim::new(vec![pending(1.0), complete(1.0)]);
    let e = block_on(poll(&sim, &config(), "s", PollOptions::default(), &Default::default(), &mut |_, _| Err(Error::airstore("callback threw")), &|| false)).unwrap_err();
    assert_eq!(e.message, "callback threw");
    assert_eq!(sim.sends().len(), 1);
}

#[test]
fn bad_ids_fail_before_any_request() {
    let sim = Sim::new(vec![]);
    assert!(block_on(get_session(&sim, &config(), "", &Default::default())).is_err());
    assert!(block_on(poll(&sim, &config(), "..", PollOptions::default(), &Default::default(), &mut |_, _| Ok(()), &|| false)).is_err());
    let keyless = ClientConfig { api_key: None, ..config() };
    let e = block_on(create_session(&sim, &keyless, &params(), &Default::default())).unwrap_err();
    assert_eq!(e.message, messages::KEYLESS_CREATE);
    assert!(sim.events.borrow().is_empty());
}

#[test]
fn a_closed_window_gets_one_more_check_then_rejects() {
    // Closed after the first check: the second check is the last.
    let sim = Sim::new(vec![pending(1.0), pending(1.0), complete(1.0)]);
    let checks = Cell::new(0);
    let e = block_on(poll(&sim, &config(), "s", PollOptions::default(), &Default::default(), &mut |_: &SessionStatus, n| {
        checks.set(n);
        Ok(())
    }, &|| checks.get() >= 1))
    .unwrap_err();
    assert_eq!((e.class, e.message.as_str()), (ErrorClass::PopupClosedError, messages::WINDOW_CLOSED));
    assert_eq!(sim.sends().len(), 2);
}

#[test]
fn a_closed_window_still_resolves_if_the_session_just_completed() {
    let sim = Sim::new(vec![pending(1.0), complete(1.0)]);
    let checks = Cell::new(0);
    let (s, _) = block_on(poll(&sim, &config(), "s", PollOptions::default(), &Default::default(), &mut |_: &SessionStatus, n| {
        checks.set(n);
        Ok(())
    }, &|| checks.get() >= 1))
    .unwrap();
    assert_eq!(s.status, SessionState::Complete);
}
