//! The network, the clock and the timers: the global `fetch`,
//! `AbortController`, `setTimeout` (through gloo-timers) and `Date.now`,
//! each looked up when it is called (never captured at load), so the same
//! code runs in browsers, workerd, Node, Deno and Bun and respects test
//! doubles installed later. [`WebPlatform`] is the [`Platform`] the npm
//! package's calls run on, and the one a Rust program (a workers-rs Worker,
//! say) hands to [`crate::core::client`].

mod event;
mod fetch;
mod js;
mod race;

use crate::core::client::{Platform, TransportError};
use crate::core::request::HttpRequest;
use crate::core::response::Response;
use event::EventFlag;
use race::{race, Either};
use wasm_bindgen::{JsCast, JsValue};

pub use event::CancelSignal;
pub use fetch::{JsBody, JsHeaders};
pub use js::{describe_error, get as js_get, global as js_global, is_browser, is_server};

/// The platform of one call: the caller's `AbortSignal`, if any, watched
/// from the start of the call to its end, and for the popup flow the window
/// whose closing ends a wait early.
pub struct WebPlatform {
    cancel: Option<CancelSignal>,
    popup: Option<JsValue>,
}

impl WebPlatform {
    pub fn new(cancel: Option<CancelSignal>) -> Self {
        WebPlatform { cancel, popup: None }
    }

    /// A platform whose waits also end when `popup` (a window) is closed.
    pub fn with_popup(cancel: Option<CancelSignal>, popup: JsValue) -> Self {
        WebPlatform { cancel, popup: Some(popup) }
    }

    /// Whether the popup window, if any, has been closed.
    pub fn popup_closed(&self) -> bool {
        self.popup.as_ref().is_some_and(|w| js::get(w, "closed").as_bool() == Some(true))
    }

    /// Resolves once the popup is closed; never without one. Windows fire no
    /// event to their opener when closed, so this looks every 250 ms.
    async fn until_popup_closed(&self) {
        if self.popup.is_none() {
            return std::future::pending().await;
        }
        while !self.popup_closed() {
            sleep_ms(250.0).await;
        }
    }

    fn cancelled(&self) -> Option<TransportError<JsValue>> {
        let signal = self.cancel.as_ref()?;
        signal.fired().then(|| TransportError::Cancelled { reason: signal.reason() })
    }

    /// Resolves when the caller's signal fires; never without one.
    async fn until_cancelled(&self) -> TransportError<JsValue> {
        match &self.cancel {
            Some(signal) => {
                signal.wait().await;
                TransportError::Cancelled { reason: signal.reason() }
            }
            None => std::future::pending().await,
        }
    }
}

impl Platform for WebPlatform {
    type Headers = JsHeaders;
    type Body = JsBody;
    type Cause = JsValue;

    async fn send(&self, request: &HttpRequest, timeout_ms: f64) -> Result<Response<JsHeaders, JsBody>, TransportError<JsValue>> {
        if let Some(cancelled) = self.cancelled() {
            return Err(cancelled);
        }
        // One timer over the whole exchange, body included. The loser of
        // each race is dropped: the exchange's drop aborts its request, the
        // timer's clears it, the signal's removes its listener.
        let timed = race(fetch::exchange(request), sleep_ms(timeout_ms));
        match race(timed, self.until_cancelled()).await {
            Either::Left(Either::Left(answer)) => answer,
            Either::Left(Either::Right(())) => Err(TransportError::TimedOut),
            Either::Right(cancelled) => Err(cancelled),
        }
    }

    async fn sleep(&self, ms: f64) -> Result<(), TransportError<JsValue>> {
        if let Some(cancelled) = self.cancelled() {
            return Err(cancelled);
        }
        // Browsers throttle timers in hidden tabs, and a completed session is
        // deleted about 30 s after completion: when the page shows again,
        // stop waiting and let the caller look at once.
        let shown = EventFlag::page_shown();
        let wake = async {
            match &shown {
                Some(flag) => flag.wait().await,
                None => std::future::pending().await,
            }
        };
        match race(race(race(sleep_ms(ms), wake), self.until_popup_closed()), self.until_cancelled()).await {
            Either::Left(_) => Ok(()),
            Either::Right(cancelled) => Err(cancelled),
        }
    }

    fn now(&self) -> f64 {
        js_sys::Date::now()
    }

    fn random(&self) -> f64 {
        js_sys::Math::random()
    }

    fn show_ms(&self, ms: f64) -> String {
        show_ms(ms)
    }
}

/// A number of milliseconds exactly as JS prints it (`String(n)`):
/// `80.1234`, `1e-7`.
pub fn show_ms(ms: f64) -> String {
    JsValue::from_f64(ms).unchecked_into::<js_sys::Number>().to_string_with_radix(10).map(String::from).unwrap_or_default()
}

/// Sleeps through `setTimeout`, in steps that fit its 32-bit delay (a
/// longer delay would fire at once).
pub async fn sleep_ms(ms: f64) {
    const MAX_STEP: f64 = 2_147_483_647.0;
    let mut left = ms.max(0.0);
    loop {
        let step = left.min(MAX_STEP);
        gloo_timers::future::TimeoutFuture::new(step.ceil() as u32).await;
        left -= step;
        if left <= 0.0 {
            return;
        }
    }
}

/// A result (`SessionStatus`, `OAuthSession`) as a plain JS object with the
/// documented snake_case fields (absent ones left out), through
/// serde-wasm-bindgen.
pub fn to_js<T: serde::Serialize>(value: &T) -> Result<JsValue, JsValue> {
    serde_wasm_bindgen::to_value(value).map_err(JsValue::from)
}

/// A failure of `fetch` itself: DNS, refused, reset, CORS, bad URL.
pub fn network(e: JsValue) -> TransportError<JsValue> {
    TransportError::Network { detail: describe_error(&e), cause: Some(e) }
}
