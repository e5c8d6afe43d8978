//! A call in progress, driven from JS: `js/driver.js` performs the steps
//! (the exchange, the waits, `onStatus`) and feeds what happened back here,
//! where the core's state machine decides what comes next. Every method is
//! synchronous and returns the next step's code; its payload is read with
//! `ms`, `value` and `attempt`.
//!
//! Why not Rust futures: each promise awaited across the boundary costs two
//! wasm-bindgen closures and microtask hops (about 4 µs a call, see
//! docs/speed.md), and the futures machinery is a third of the wasm.

use super::convert::{self, JsError, ToJs};
use crate::core::client::TransportError;
use crate::core::machine::{self, Poll, Single, Step};
use crate::core::{Error, OAuthSession, SessionStatus};
use crate::platform::{self, JsBody, JsHeaders, JsRequest};
use wasm_bindgen::prelude::*;

// The step codes js/driver.js switches on.
const SEND: u32 = 0;
const WAIT: u32 = 1;
const REPORT: u32 = 2;
const DONE: u32 = 3;
const FAILED: u32 = 4;

type WindowClosed = Box<dyn Fn() -> bool>;

/// The state machine of each kind of call.
pub enum Machine {
    /// No call: a `Call` kept for the next one (js/public.js).
    Idle,
    CreateSession(Single<OAuthSession, JsBody>),
    GetSession(Single<SessionStatus, JsBody>),
    Poll(Poll<JsHeaders, WindowClosed>),
}

/// Feeds an event to whichever machine the call has.
macro_rules! feed {
    ($call:expr, $m:ident => $event:expr) => {
        match &mut $call.machine {
            Machine::Idle => $call.no_call(),
            Machine::CreateSession($m) => {
                let step = $event;
                $call.take(step)
            }
            Machine::GetSession($m) => {
                let step = $event;
                $call.take(step)
            }
            Machine::Poll($m) => {
                let step = $event;
                $call.take(step)
            }
        }
    };
}

#[wasm_bindgen]
pub struct Call {
    request: JsRequest,
    machine: Machine,
    signal: JsValue,
    on_status: JsValue,
    popup: JsValue,
    watch_popup: bool,
    /// The payload of the last step.
    ms: f64,
    value: JsValue,
    attempt: u32,
}

impl Call {
    pub fn new(request: JsRequest, machine: Machine, signal: Option<JsValue>) -> Call {
        Call {
            request,
            machine,
            signal: signal.unwrap_or(JsValue::UNDEFINED),
            on_status: JsValue::UNDEFINED,
            popup: JsValue::UNDEFINED,
            watch_popup: false,
            ms: 0.0,
            value: JsValue::UNDEFINED,
            attempt: 0,
        }
    }

    /// `onStatus(status, attempt)`, told of each check of a poll.
    pub fn reporting_to(mut self, on_status: Option<js_sys::Function>) -> Call {
        self.on_status = on_status.map_or(JsValue::UNDEFINED, JsValue::from);
        self
    }

    /// The popup of `authorize`: closed when the call ends; with `watch`,
    /// a wait ends early when it is closed (the poll then makes its last check).
    pub fn with_popup(mut self, popup: JsValue, watch: bool) -> Call {
        self.popup = popup;
        self.watch_popup = watch;
        self
    }

    /// Keeps the step's payload and returns its code.
    fn take<T: ToJs>(&mut self, step: Step<T, JsHeaders, JsValue>) -> u32 {
        match step {
            Step::Send { budget_ms } => {
                self.ms = budget_ms;
                SEND
            }
            Step::Wait { ms } => {
                self.ms = ms;
                WAIT
            }
            Step::Report { status, attempt } => {
                self.value = status.to_js(None);
                self.attempt = attempt;
                REPORT
            }
            Step::Done(Ok((value, meta))) => {
                self.value = value.to_js(Some(meta));
                DONE
            }
            Step::Done(Err(e)) => {
                self.value = convert::error(e);
                FAILED
            }
        }
    }

    fn reported_with(&mut self, outcome: Result<(), JsError>) -> u32 {
        let now = js_sys::Date::now();
        feed!(self, m => machine::Call::<JsHeaders, JsBody, JsValue>::reported(m, outcome, now))
    }
}

#[wasm_bindgen]
impl Call {
    /// A call with nothing to do yet, for `OAuth.start*` to prepare.
    #[wasm_bindgen(constructor)]
    pub fn idle() -> Call {
        let nothing = JsRequest { method: JsValue::UNDEFINED, url: JsValue::UNDEFINED, header_lines: JsValue::UNDEFINED, body: JsValue::UNDEFINED };
        Call::new(nothing, Machine::Idle, None)
    }

    /// Lets go of everything the finished call held (its result, signal,
    /// popup), so a kept `Call` holds on to no JS value.
    pub fn clear(&mut self) {
        *self = Call::idle();
    }

    /// SEND: starts the exchange (js/exchange.js) with the step's time.
    pub fn send(&self, to: &JsValue) -> JsValue {
        self.request.start(self.ms, to)
    }

    /// Which of `signal`, `onStatus`, `popup` the call has (bits 1, 2, 4;
    /// 8: `watchPopup`): one crossing, where most calls have none of them.
    #[wasm_bindgen(getter)]
    pub fn has(&self) -> u32 {
        u32::from(!self.signal.is_undefined()) | u32::from(!self.on_status.is_undefined()) << 1 | u32::from(!self.popup.is_undefined()) << 2 | u32::from(self.watch_popup) << 3
    }

    /// The caller's `AbortSignal`, or `undefined`.
    #[wasm_bindgen(getter)]
    pub fn signal(&self) -> JsValue {
        self.signal.clone()
    }

    #[wasm_bindgen(getter, js_name = onStatus)]
    pub fn on_status(&self) -> JsValue {
        self.on_status.clone()
    }

    #[wasm_bindgen(getter)]
    pub fn popup(&self) -> JsValue {
        self.popup.clone()
    }

    /// SEND: the time the exchange has; WAIT: how long to wait.
    #[wasm_bindgen(getter)]
    pub fn ms(&self) -> f64 {
        self.ms
    }

    /// REPORT: the status; DONE: the result; FAILED: the error to throw.
    #[wasm_bindgen(getter)]
    pub fn value(&self) -> JsValue {
        self.value.clone()
    }

    /// REPORT: the check's number, from 1.
    #[wasm_bindgen(getter)]
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    pub fn start(&mut self, now: f64) -> u32 {
        feed!(self, m => machine::Call::<JsHeaders, JsBody, JsValue>::start(m, now))
    }

    /// The exchange's promise resolved with an answer (its parts, see
    /// js/exchange.js).
    #[allow(clippy::too_many_arguments)]
    pub fn answered(&mut self, status: u16, headers: JsValue, opaque_redirect: bool, is_json: bool, parsed: JsValue, empty: bool, now: f64, random: f64) -> u32 {
        match platform::answer_of(status, headers, opaque_redirect, is_json, parsed, empty) {
            Ok(response) => feed!(self, m => machine::Call::answered(m, response, now, random)),
            Err(e) => self.failed_with(e, now, random),
        }
    }

    /// The exchange's time ran out.
    #[wasm_bindgen(js_name = timedOut)]
    pub fn timed_out(&mut self, now: f64, random: f64) -> u32 {
        self.failed_with(TransportError::TimedOut, now, random)
    }

    /// The exchange's promise rejected: `fetch` failed.
    pub fn failed(&mut self, error: JsValue, now: f64, random: f64) -> u32 {
        self.failed_with(platform::network(error), now, random)
    }

    /// The caller's signal fired (before or during a step).
    pub fn cancelled(&mut self) -> u32 {
        let reason = platform::js_get(&self.signal, "reason");
        let e = TransportError::Cancelled { reason: (!reason.is_undefined()).then_some(reason) };
        feed!(self, m => machine::Call::<JsHeaders, JsBody, JsValue>::interrupted(m, e))
    }

    /// The wait is over (its time, or earlier: the page showed again or the
    /// popup closed).
    pub fn woke(&mut self, now: f64) -> u32 {
        feed!(self, m => machine::Call::<JsHeaders, JsBody, JsValue>::woke(m, now))
    }

    /// `onStatus` returned, or threw `thrown`.
    pub fn reported(&mut self, threw: bool, thrown: JsValue) -> u32 {
        let outcome = if threw { Err(Error::airstore("onStatus threw, so the poll stopped").with_cause(Some(thrown))) } else { Ok(()) };
        self.reported_with(outcome)
    }
}

impl Call {
    fn no_call(&mut self) -> u32 {
        self.value = convert::error(Error::airstore("this call was not prepared"));
        FAILED
    }

    fn failed_with(&mut self, e: TransportError<JsValue>, now: f64, random: f64) -> u32 {
        feed!(self, m => machine::Call::<JsHeaders, JsBody, JsValue>::failed(m, e, now, random))
    }
}
