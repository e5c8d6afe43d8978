//! Results as the plain JS objects the documentation shows: snake_case
//! members, absent ones left out (serde-wasm-bindgen), and a non-enumerable
//! `lastResponse`, so it stays out of `JSON.stringify` and spreads.

use super::JsError;
use crate::core::response::ResponseMeta;
use crate::core::Error;
use crate::platform::{to_js, JsHeaders};
use js_sys::{Object, Reflect};
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};

/// `value` as a plain object with its `lastResponse`.
pub fn with_response<T: Serialize>(value: &T, meta: ResponseMeta<JsHeaders>) -> Result<JsValue, JsError> {
    let object = plain(value)?;
    let last = Object::new();
    let set = |key: &str, v: &JsValue| Reflect::set(&last, &JsValue::from_str(key), v);
    set("statusCode", &JsValue::from(meta.status_code)).map_err(internal)?;
    set("headers", &meta.headers.0.into()).map_err(internal)?;
    set("requestId", &meta.request_id.map_or(JsValue::UNDEFINED, |id| JsValue::from_str(&id))).map_err(internal)?;
    let descriptor = Object::new();
    Reflect::set(&descriptor, &JsValue::from_str("value"), &last).map_err(internal)?;
    Reflect::set(&descriptor, &JsValue::from_str("configurable"), &JsValue::TRUE).map_err(internal)?;
    Object::define_property(object.unchecked_ref::<Object>(), &JsValue::from_str("lastResponse"), &descriptor);
    Ok(object)
}

/// `value` as a plain object, without `lastResponse` (what `onStatus` is told).
pub fn plain<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    to_js(value).map_err(internal)
}

fn internal(e: JsValue) -> JsError {
    Error::airstore("internal error: a result could not be made").with_cause(Some(e))
}
