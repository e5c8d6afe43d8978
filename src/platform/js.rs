//! Direct bindings to JS globals. Every import that can run user code or
//! throw is declared `catch`: a JS exception must come back as a `Result`,
//! never unwind through wasm frames.

use crate::core::request::HttpRequest;
use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The global `fetch`, looked up at each call.
    #[wasm_bindgen(catch, js_name = fetch)]
    fn global_fetch(url: &str, init: &Object) -> Result<Promise, JsValue>;

    #[wasm_bindgen(catch, js_namespace = Object, js_name = hasOwn)]
    fn object_has_own(target: &JsValue, key: &JsValue) -> Result<bool, JsValue>;

    /// `globalThis`, for optional features (`document`, `process`).
    #[wasm_bindgen(thread_local_v2, js_name = globalThis)]
    static GLOBAL_THIS: JsValue;
}

/// Starts `fetch(request)` with `signal`. Redirects are not followed: the
/// API never redirects, and a redirect must not carry the key elsewhere.
pub fn fetch(request: &HttpRequest, signal: &web_sys::AbortSignal) -> Result<Promise, JsValue> {
    let headers = Object::new();
    for (name, value) in &request.headers {
        Reflect::set(&headers, &JsValue::from_str(name), &JsValue::from_str(value))?;
    }
    let init = Object::new();
    Reflect::set(&init, &"method".into(), &request.method.as_str().into())?;
    Reflect::set(&init, &"headers".into(), &headers)?;
    Reflect::set(&init, &"signal".into(), signal)?;
    Reflect::set(&init, &"redirect".into(), &"manual".into())?;
    if let Some(body) = &request.body {
        Reflect::set(&init, &"body".into(), &JsValue::from_str(body))?;
    }
    global_fetch(&request.url, &init)
}

pub fn has_own(target: &JsValue, key: &JsValue) -> bool {
    object_has_own(target, key).unwrap_or(false)
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
