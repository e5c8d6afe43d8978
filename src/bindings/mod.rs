//! The JS face of the core: the `OAuth` resource and the `Call`s it
//! prepares, exported with wasm-bindgen.
//!
//! The caller's values are read and checked in JS first (js/options.js:
//! getters, types, ranges, URLs, headers, each error naming its field), so
//! these methods take plain strings and numbers. What they decide is the
//! protocol: the request (the percent-encoded id, the headers, the JSON
//! body), and, through the core's state machine that js/driver.js runs, the
//! retries, the poll and what each answer means.

mod call;
mod convert;

use crate::core::config::{ClientConfig, Headers, RequestOverrides, DEFAULT_BASE_URL, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS};
use crate::core::machine::Poll;
use crate::core::poll::PollOptions;
use crate::core::request;
use crate::core::text::{pieces, split_at_byte};
use crate::core::CreateSessionParams;
use crate::platform::{header_lines, js_str, show_ms, JsRequest};
use call::{Call, Machine};
use std::borrow::Cow;
use wasm_bindgen::prelude::*;

/// `airstore.oauth`: createSession, getSession, poll (js/public.js wraps
/// each `start*` into the public method). There is no field to read the API
/// key back, and it appears in no message. Besides wasm memory, it is in the
/// JS string of the `Authorization` header line kept for the GET requests
/// (JS strings cannot be wiped; they go when collected, after the client).
#[wasm_bindgen]
pub struct OAuth {
    config: ClientConfig,
    // The parts of `GET /oauth/sessions/{id}` that never change, as JS
    // strings made once: a call then decodes no string to send its request.
    sessions_url: js_sys::JsString,
    get_headers: JsValue,
}

// Each `start*` prepares a call synchronously into `call` (a `Call`
// js/public.js made, or kept from an earlier call: making one costs a
// FinalizationRegistry entry); js/driver.js then runs it. `None` and
// `undefined` mean "not given": the core's defaults apply.
#[wasm_bindgen]
impl OAuth {
    /// The client's configuration, checked by js/options.js. `default_headers`
    /// are `Name:value` lines, each ended by `\n`. A static method, not a
    /// constructor: js/public.js takes it and deletes it, so no caller can
    /// make an `OAuth` from values that were not checked.
    pub fn make(api_key: Option<String>, base_url: Option<String>, timeout_ms: Option<f64>, max_retries: Option<u32>, default_headers: Option<String>) -> OAuth {
        let config = ClientConfig {
            api_key: api_key.map(Into::into),
            base_url: base_url.unwrap_or_else(|| DEFAULT_BASE_URL.to_string()),
            timeout_ms: timeout_ms.unwrap_or(DEFAULT_TIMEOUT_MS),
            max_retries: max_retries.unwrap_or(DEFAULT_MAX_RETRIES),
            default_headers: headers_of(default_headers),
        };
        let sessions_url = JsValue::from_str(&request::sessions_url(&config)).into();
        let get_headers = header_lines(&request::get_session_headers(&config, &Vec::new()));
        OAuth { config, sessions_url, get_headers }
    }

    /// `POST /oauth/sessions`; refused (before anything is sent) by a keyless client.
    #[wasm_bindgen(js_name = startCreateSession)]
    #[allow(clippy::too_many_arguments)]
    pub fn start_create_session(
        &self,
        call: &mut Call,
        integration_type: String,
        workspace_id: Option<String>,
        return_to: Option<String>,
        timeout_ms: Option<f64>,
        max_retries: Option<u32>,
        header_lines: Option<String>,
    ) -> Result<(), JsValue> {
        let overrides = overrides(timeout_ms, max_retries, header_lines);
        let params = CreateSessionParams { integration_type, workspace_id, return_to };
        let request = request::create_session(&self.config, &params, &overrides.headers).map_err(convert::error)?;
        *call = Call::new(JsRequest::new(&request), Machine::create_session(&self.config, &overrides));
        Ok(())
    }

    /// `GET /oauth/sessions/{id}` once (with its retries). `given` is the id
    /// as the caller gave it: used as the URL's last segment when it needs
    /// no encoding, so no new JS string is made.
    #[wasm_bindgen(js_name = startGetSession)]
    pub fn start_get_session(&self, call: &mut Call, given: &JsValue, id: &str, timeout_ms: Option<f64>, max_retries: Option<u32>, header_lines: Option<String>) -> Result<(), JsValue> {
        let overrides = overrides(timeout_ms, max_retries, header_lines);
        let request = self.get_session_request(given, id, &overrides.headers)?;
        *call = Call::new(request, Machine::get_session(&self.config, &overrides));
        Ok(())
    }

    /// Checks the session every `interval_ms` until it is complete or
    /// failed, or `poll_timeout_ms` passes (authorize then has the call
    /// watch its window: `Call::watch_popup`).
    #[wasm_bindgen(js_name = startPoll)]
    #[allow(clippy::too_many_arguments)]
    pub fn start_poll(
        &self,
        call: &mut Call,
        given: &JsValue,
        id: &str,
        poll_timeout_ms: Option<f64>,
        interval_ms: Option<f64>,
        timeout_ms: Option<f64>,
        max_retries: Option<u32>,
        header_lines: Option<String>,
    ) -> Result<(), JsValue> {
        let overrides = overrides(timeout_ms, max_retries, header_lines);
        let request = self.get_session_request(given, id, &overrides.headers)?;
        let defaults = PollOptions::default();
        let poll = PollOptions { timeout_ms: poll_timeout_ms.unwrap_or(defaults.timeout_ms), interval_ms: interval_ms.unwrap_or(defaults.interval_ms) };
        let machine = Poll::new(&self.config, &overrides, poll, show_ms(poll.timeout_ms), Box::new(|| false) as Box<dyn Fn() -> bool>);
        *call = Call::new(request, Machine::Poll(machine));
        Ok(())
    }
}

impl OAuth {
    /// `GET /oauth/sessions/{id}`: the client's own strings, plus the id
    /// itself when it needs no encoding.
    fn get_session_request(&self, given: &JsValue, id: &str, extra: &Headers) -> Result<JsRequest, JsValue> {
        let segment = match request::path_segment(id).map_err(convert::error)? {
            Cow::Borrowed(_) => given.clone(),
            Cow::Owned(encoded) => JsValue::from_str(&encoded),
        };
        let header_lines = if extra.is_empty() { self.get_headers.clone() } else { header_lines(&request::get_session_headers(&self.config, extra)) };
        Ok(JsRequest { method: js_str("GET"), url: self.sessions_url.concat(&segment).into(), header_lines, body: JsValue::UNDEFINED })
    }
}

fn overrides(timeout_ms: Option<f64>, max_retries: Option<u32>, header_lines: Option<String>) -> RequestOverrides {
    RequestOverrides { timeout_ms, max_retries, headers: headers_of(header_lines) }
}

/// `Name:value` lines (each ended by `\n`; js/options.js checked that no
/// name has a ':' and no value a line break) as headers.
fn headers_of(lines: Option<String>) -> Headers {
    let Some(lines) = lines else { return Vec::new() };
    pieces(&lines, b'\n').filter_map(|line| split_at_byte(line, b':')).map(|(name, value)| (name.to_string(), value.to_string())).collect()
}
