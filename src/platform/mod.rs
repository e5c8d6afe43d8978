//! The only code that touches the outside world: the global `fetch`,
//! `AbortController`, `setTimeout` and `Date.now`, each looked up when it is
//! called (never captured at load), so it works in browsers, workerd and
//! Node alike and respects test doubles installed later.

mod event;
mod js;
mod race;

use crate::core::client::{Platform, TransportError};
use crate::core::request::HttpRequest;
use crate::core::response::{Body, Field, HeaderMap, Response};
use event::EventFlag;
use js_sys::{Promise, Reflect};
use race::{race, Either};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

pub use event::CancelSignal;
pub use js::{get as js_get, global as js_global};

/// The platform of one call: the caller's `AbortSignal`, if any, watched
/// from the start of the call to its end.
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

/// Response headers: the JS `Headers` object itself, so errors can carry it.
#[derive(Clone, Debug)]
pub struct JsHeaders(pub web_sys::Headers);

impl HeaderMap for JsHeaders {
    fn get(&self, name: &str) -> Option<String> {
        self.0.get(name).ok().flatten()
    }
}

/// A body read as text and parsed with `JSON.parse` (free in JS, and it keeps
/// a JSON parser out of the wasm).
pub struct JsBody {
    empty: bool,
    parsed: Option<JsValue>,
}

impl JsBody {
    pub fn from_text(text: &JsValue) -> JsBody {
        let empty = text.as_string().is_none_or(|t| t.is_empty());
        let parsed = text.as_string().and_then(|t| js_sys::JSON::parse(&t).ok());
        JsBody { empty, parsed }
    }
}

impl Body for JsBody {
    fn is_empty(&self) -> bool {
        self.empty
    }

    fn is_json(&self) -> bool {
        self.parsed.is_some()
    }

    fn field(&self, path: &[&str]) -> Field {
        let Some(mut value) = self.parsed.clone() else { return Field::Missing };
        for step in path {
            if !value.is_object() || js_sys::Array::is_array(&value) {
                return Field::Missing;
            }
            // JSON.parse output has no getters or prototype tricks; an own
            // property check keeps `__proto__`-style names from reaching in.
            let key = JsValue::from_str(step);
            if !js::has_own(&value, &key) {
                return Field::Missing;
            }
            value = Reflect::get(&value, &key).unwrap_or(JsValue::UNDEFINED);
        }
        if value.is_null() {
            Field::Null
        } else if let Some(s) = value.as_string() {
            Field::String(s)
        } else if js_sys::Array::is_array(&value) {
            Field::Other("an array")
        } else if value.is_object() {
            Field::Object
        } else if value.as_bool().is_some() {
            Field::Other("a boolean")
        } else {
            Field::Other("a number")
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
        let controller = web_sys::AbortController::new().map_err(network)?;
        let fetched = js::fetch(request, &controller.signal()).map_err(network)?;
        // The timer covers the whole exchange, body included.
        let exchange = async {
            let response: web_sys::Response = JsFuture::from(fetched).await?.unchecked_into();
            let text = JsFuture::from(response.text()?).await?;
            Ok::<_, JsValue>((response, text))
        };
        let limits = race(sleep_ms(timeout_ms), self.until_cancelled());
        match race(exchange, limits).await {
            Either::Left(Ok((response, text))) => {
                if response.type_() == web_sys::ResponseType::Opaqueredirect {
                    return Err(TransportError::Network {
                        detail: "the server answered with a redirect, which this client does not follow (check baseURL)".into(),
                        cause: None,
                    });
                }
                Ok(Response { status: response.status(), headers: JsHeaders(response.headers()), body: JsBody::from_text(&text) })
            }
            Either::Left(Err(e)) => Err(network(e)),
            Either::Right(limit) => {
                controller.abort();
                Err(match limit {
                    Either::Left(()) => TransportError::TimedOut,
                    Either::Right(cancelled) => cancelled,
                })
            }
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

    /// Exactly as JS prints it (`String(n)`): `80.1234`, `1e-7`.
    fn show_ms(&self, ms: f64) -> String {
        JsValue::from_f64(ms).unchecked_into::<js_sys::Number>().to_string_with_radix(10).map(String::from).unwrap_or_default()
    }
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

/// A failure of `fetch` itself: DNS, refused, reset, CORS, bad URL.
fn network(e: JsValue) -> TransportError<JsValue> {
    TransportError::Network { detail: js::describe_error(&e), cause: Some(e) }
}

/// Wraps a promise-returning JS call, for the bindings.
pub fn promise_future(p: Promise) -> JsFuture {
    JsFuture::from(p)
}
