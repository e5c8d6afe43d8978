//! Direct bindings to JS globals. Every import that can run user code or
//! throw is declared `catch`: a JS exception must come back as a `Result`,
//! never unwind through wasm frames.

use crate::core::request::HttpRequest;
use js_sys::{Promise, Reflect};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = URL)]
    type JsUrl;
    #[wasm_bindgen(catch, constructor, js_class = "URL")]
    fn new_url(url: &str) -> Result<JsUrl, JsValue>;

    /// `globalThis`, for optional features (`document`, `process`).
    #[wasm_bindgen(thread_local_v2, js_name = globalThis)]
    static GLOBAL_THIS: JsValue;
}

#[wasm_bindgen(module = "/js/exchange.js")]
extern "C" {
    /// One whole exchange (see js/exchange.js): fetch, body, JSON.parse,
    /// under one timer. Redirects are not followed: the API never redirects,
    /// and a redirect must not carry the key elsewhere.
    #[wasm_bindgen(js_name = exchange)]
    fn exchange_js(url: &str, method: &str, header_lines: &str, body: Option<String>, timeout_ms: f64) -> Promise;

    /// Aborts the exchange whose promise `exchange` returned.
    #[wasm_bindgen(js_name = abortExchange)]
    pub fn abort_exchange(answer: &Promise);

    /// The string at `first` (then `second`) through own properties, or a
    /// type code.
    #[wasm_bindgen(js_name = fieldAt)]
    pub fn field_at(value: &JsValue, first: &str, second: Option<&str>) -> JsValue;

    /// Defines the non-enumerable `lastResponse` on `result`.
    #[wasm_bindgen(js_name = attachResponse)]
    pub fn attach_response(result: &JsValue, status_code: u16, headers: &JsValue, request_id: Option<String>);
}

/// Starts the exchange of `request`, aborted after `timeout_ms`.
pub fn exchange(request: &HttpRequest, timeout_ms: f64) -> Promise {
    let mut lines = String::new();
    for (name, value) in &request.headers {
        lines.push_str(name);
        lines.push(':');
        lines.push_str(value);
        lines.push('\n');
    }
    exchange_js(&request.url, request.method.as_str(), &lines, request.body.clone(), timeout_ms)
}

/// `globalThis[name]`, or `undefined` if it is absent or its getter throws.
pub fn global(name: &str) -> JsValue {
    GLOBAL_THIS.with(|g| Reflect::get(g, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED))
}

/// `target[key]`, or `undefined` if `target` is not an object or the read throws.
pub fn get(target: &JsValue, key: &str) -> JsValue {
    if !target.is_object() && !target.is_function() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// A short human description of a fetch failure: its message, plus the
/// system error code Node puts on `cause` (`fetch failed (ECONNREFUSED)`).
pub fn describe_error(e: &JsValue) -> String {
    let mut text = get(e, "message").as_string().filter(|m| !m.is_empty()).unwrap_or_else(|| "the request failed".into());
    let cause = get(e, "cause");
    if let Some(code) = get(&cause, "code").as_string().or_else(|| get(&cause, "message").as_string()) {
        text.push_str(" (");
        text.push_str(&code);
        text.push(')');
    }
    text
}

/// Whether the runtime's own URL parser accepts `url` (what fetch will use).
pub fn parses_as_url(url: &str) -> bool {
    JsUrl::new_url(url).is_ok()
}
