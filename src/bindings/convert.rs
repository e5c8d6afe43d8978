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
    fn session_status(status: &JsValue, error: Option<String>, connection_id: Option<String>, status_code: u16, headers: &JsValue, request_id: Option<String>) -> JsValue;

    #[wasm_bindgen(js_name = oauthSession)]
    fn oauth_session(session_id: &str, authorize_url: &str, status_code: u16, headers: &JsValue, request_id: Option<String>) -> JsValue;
}

pub type JsError = Error<JsHeaders, JsValue>;

/// The JS error for a core error; the class comes from the core's table.
pub fn error(e: JsError) -> JsValue {
    let headers = e.headers.map_or(JsValue::UNDEFINED, |h| h.0.into());
    let cause = e.cause.unwrap_or(JsValue::UNDEFINED);
    make_error(e.class.name(), &e.message, e.status, &headers, e.request_id, &cause)
}

/// A result as the plain JS object the documentation shows (snake_case
/// members, absent ones left out), made in one crossing with its
/// `lastResponse` (non-enumerable, so it stays out of `JSON.stringify` and
/// spreads) when there is one.
pub trait ToJs {
    fn to_js(&self, meta: Option<ResponseMeta<JsHeaders>>) -> JsValue;
}

impl ToJs for SessionStatus {
    fn to_js(&self, meta: Option<ResponseMeta<JsHeaders>>) -> JsValue {
        let (code, headers, request_id) = parts(meta);
        session_status(&js_str(self.status.name()), self.error.clone(), self.connection_id.clone(), code, &headers, request_id)
    }
}

impl ToJs for OAuthSession {
    fn to_js(&self, meta: Option<ResponseMeta<JsHeaders>>) -> JsValue {
        let (code, headers, request_id) = parts(meta);
        oauth_session(&self.session_id, &self.authorize_url, code, &headers, request_id)
    }
}

/// `lastResponse`'s parts; status code 0 for none.
fn parts(meta: Option<ResponseMeta<JsHeaders>>) -> (u16, JsValue, Option<String>) {
    match meta {
        Some(meta) => (meta.status_code, meta.headers.0.into(), meta.request_id),
        None => (0, JsValue::UNDEFINED, None),
    }
}
