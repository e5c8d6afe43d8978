//! From core values to JS values: results with a non-enumerable
//! `lastResponse`, and errors as instances of the JS error classes.

use crate::core::response::ResponseMeta;
use crate::core::{Error, OAuthSession, SessionStatus};
use crate::platform::{js_str, JsHeaders};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/errors.js")]
extern "C" {
    #[wasm_bindgen(js_name = makeError)]
    fn make_error(name: &str, message: &str, status: Option<u16>, headers: &JsValue, request_id: Option<String>, cause: &JsValue) -> JsValue;
}

#[wasm_bindgen(module = "/js/results.js")]
extern "C" {
    #[wasm_bindgen(js_name = sessionStatus)]
    fn session_status(status: &JsValue, error: Option<String>, connection_id: Option<String>) -> JsValue;

    #[wasm_bindgen(js_name = oauthSession)]
    fn oauth_session(session_id: &str, authorize_url: &str) -> JsValue;

    /// Defines the non-enumerable `lastResponse` on `result`.
    #[wasm_bindgen(js_name = attachResponse)]
    fn attach_response(result: &JsValue, status_code: u16, headers: &JsValue, request_id: Option<String>);
}

pub type JsError = Error<JsHeaders, JsValue>;

/// The JS error for a core error; the class comes from the core's table.
pub fn error(e: JsError) -> JsValue {
    let headers = e.headers.map_or(JsValue::UNDEFINED, |h| h.0.into());
    let cause = e.cause.unwrap_or(JsValue::UNDEFINED);
    make_error(e.class.name(), &e.message, e.status, &headers, e.request_id, &cause)
}

/// A result as the plain JS object the documentation shows (snake_case
/// members, absent ones left out).
pub trait ToJs {
    fn to_js(&self) -> JsValue;
}

impl ToJs for SessionStatus {
    fn to_js(&self) -> JsValue {
        session_status(&js_str(self.status.name()), self.error.clone(), self.connection_id.clone())
    }
}

impl ToJs for OAuthSession {
    fn to_js(&self) -> JsValue {
        oauth_session(&self.session_id, &self.authorize_url)
    }
}

/// The result object, plus `lastResponse` as a non-enumerable property so it
/// stays out of `JSON.stringify` and spreads.
pub fn result<T: ToJs>(value: &T, meta: Option<ResponseMeta<JsHeaders>>) -> JsValue {
    let object = value.to_js();
    if let Some(meta) = meta {
        attach_response(&object, meta.status_code, &meta.headers.0, meta.request_id);
    }
    object
}
