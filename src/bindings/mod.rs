//! The JS face: `Airstore` and its `oauth` resource, exported with
//! wasm-bindgen. Arguments are read and checked synchronously (so a bad call
//! sends nothing and later mutation of the options cannot matter) into a
//! [`call::Call`], which js/driver.js then runs: the JS side performs the
//! steps, the core's state machine decides them.

mod call;
mod convert;
mod popup;
mod read;

use crate::core::config::{self, ClientConfig, RequestOverrides, DEFAULT_BASE_URL};
use crate::core::error::messages;
use crate::core::machine::{Poll, Single};
use crate::core::poll::PollOptions;
use crate::core::request;
use crate::core::{CreateSessionParams, Error};
use crate::core::config::Headers;
use crate::platform::{header_lines, js_get, js_global, js_str, JsRequest};
use call::{Call, Machine};
use read::{Fields, Read};
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// The Airstore client. There is no field to read the API key back, and it
/// appears in no message. Besides wasm memory, it is in the JS string of the
/// `Authorization` header line the client keeps for its requests (JS strings
/// cannot be wiped; they go when collected, after the client).
#[wasm_bindgen]
pub struct Airstore {
    oauth: JsValue,
}

#[wasm_bindgen]
impl Airstore {
    /// `new Airstore(options?)`: throws `AirstoreError` without an API key.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<Airstore, JsValue> {
        client_config(&options, false).map(Airstore::with).map_err(convert::error)
    }

    /// A client without an API key, for browsers: `getSession` and `poll`
    /// need none; `createSession` is refused (sessions are made server-side).
    pub fn keyless(options: JsValue) -> Result<Airstore, JsValue> {
        client_config(&options, true).map(Airstore::with).map_err(convert::error)
    }

    /// The OAuth resource; the same object on every access.
    #[wasm_bindgen(getter)]
    pub fn oauth(&self) -> JsValue {
        self.oauth.clone()
    }
}

impl Airstore {
    fn with(config: ClientConfig) -> Airstore {
        let sessions_url = JsValue::from_str(&request::sessions_url(&config)).into();
        let get_headers = header_lines(&request::get_session_headers(&config, &Vec::new()));
        Airstore { oauth: OAuth { config: Rc::new(config), sessions_url, get_headers }.into() }
    }
}

/// `airstore.oauth`: createSession, getSession, poll.
#[wasm_bindgen]
pub struct OAuth {
    config: Rc<ClientConfig>,
    // The parts of `GET /oauth/sessions/{id}` that never change, as JS
    // strings made once: a call then decodes no string to send its request.
    // The header lines hold `Authorization: Bearer <key>` (see `Airstore`).
    sessions_url: js_sys::JsString,
    get_headers: JsValue,
}

// The methods below prepare a call synchronously (checking every argument,
// so a bad call sends nothing and later changes to the options do not
// matter) into `call`, a `Call` js/public.js made or kept from an earlier
// call (making one costs a FinalizationRegistry entry); js/public.js wraps
// each so that it returns the promise of js/driver.js driving the call, and
// rejects it when preparing threw.
#[wasm_bindgen]
impl OAuth {
    #[wasm_bindgen(js_name = startCreateSession)]
    pub fn start_create_session(&self, call: &mut Call, params: JsValue, options: JsValue) -> Result<(), JsValue> {
        let prepare = || {
            let fields = Fields::of(&params, "params")?;
            if params.is_undefined() {
                return Err(Error::invalid("params", "must be an object with an integrationType"));
            }
            let integration_type = match fields.string("integrationType")? {
                Some(t) if !t.is_empty() => t,
                _ => return Err(Error::invalid("params.integrationType", &format!("is required: a provider such as {}", crate::core::types::INTEGRATION_TYPES.join(", ")))),
            };
            let params = CreateSessionParams { integration_type, workspace_id: fields.string("workspaceId")?, return_to: fields.string("returnTo")? };
            let options = read::request_options(&options, false)?;
            // A keyless client is refused here, before anything is sent.
            let request = JsRequest::new(&request::create_session(&self.config, &params, &options.overrides.headers)?);
            Ok(Call::new(request, Machine::CreateSession(Single::create_session(&self.config, &options.overrides)), options.signal))
        };
        *call = prepare().map_err(convert::error)?;
        Ok(())
    }

    #[wasm_bindgen(js_name = startGetSession)]
    pub fn start_get_session(&self, call: &mut Call, session_id: JsValue, options: JsValue) -> Result<(), JsValue> {
        let prepare = || {
            let id = read::session_id(&session_id)?;
            let options = read::request_options(&options, self.keyless())?;
            let request = self.get_session_request(&session_id, &id, &options.overrides.headers)?;
            Ok(Call::new(request, Machine::GetSession(Single::get_session(&self.config, &options.overrides)), options.signal))
        };
        *call = prepare().map_err(convert::error)?;
        Ok(())
    }

    /// Checks the session every `interval` until it is complete or failed,
    /// or `timeout` passes; `onStatus(status, attempt)` sees every check.
    #[wasm_bindgen(js_name = startPoll)]
    pub fn start_poll(&self, call: &mut Call, session_id: JsValue, poll_opts: JsValue, options: JsValue) -> Result<(), JsValue> {
        let prepare = || {
            let id = read::session_id(&session_id)?;
            let (poll, on_status, options) = poll_options(&poll_opts, "pollOpts", read::request_options(&options, self.keyless())?)?;
            let request = self.get_session_request(&session_id, &id, &options.overrides.headers)?;
            let machine = self.poll_machine(poll, &options.overrides, Box::new(|| false));
            Ok(Call::new(request, machine, options.signal).reporting_to(on_status))
        };
        *call = prepare().map_err(convert::error)?;
        Ok(())
    }

    /// Browsers: opens `session.authorize_url` in a popup (or `options.popup`),
    /// polls until the session completes, closes the popup and resolves with
    /// the completed status.
    #[wasm_bindgen(js_name = startAuthorize)]
    pub fn start_authorize(&self, call: &mut Call, session: JsValue, options: JsValue, request_options: JsValue) -> Result<(), JsValue> {
        let prepare = || {
            let fields = Fields::of(&session, "session")?;
            if session.is_undefined() {
                return Err(Error::invalid("session", "must be the object createSession returned"));
            }
            let given_id = fields.get("session_id")?;
            let id = read::session_id(&given_id).map_err(|_| Error::invalid("session.session_id", "must be a non-empty string"))?;
            let url = fields.string("authorize_url")?.ok_or_else(|| Error::invalid("session.authorize_url", "must be a string"))?;
            config::http_url("session.authorize_url", &url)?;
            if !crate::platform::parses_as_url(&url) {
                return Err(Error::invalid("session.authorize_url", "must be an http(s) URL that parses"));
            }
            let (poll, on_status, request_options) = poll_options(&options, "options", read::request_options(&request_options, self.keyless())?)?;
            let fields = Fields::of(&options, "options")?;
            let end_on_close = fields.boolean("endOnClose")?.unwrap_or(true);
            let request = self.get_session_request(&given_id, &id, &request_options.overrides.headers)?;
            let popup = popup::open(&url, fields.get("popup")?)?;
            let window_closed: Box<dyn Fn() -> bool> = if end_on_close {
                let watched = popup.clone();
                Box::new(move || js_get(&watched, "closed").as_bool() == Some(true))
            } else {
                Box::new(|| false)
            };
            let machine = self.poll_machine(poll, &request_options.overrides, window_closed);
            Ok(Call::new(request, machine, request_options.signal).reporting_to(on_status).with_popup(popup, end_on_close))
        };
        let prepared = prepare();
        if prepared.is_err() {
            // Do not leave the window the caller opened for us blank.
            if let Ok(given) = Fields::of(&options, "options").and_then(|f| f.get("popup")) {
                popup::close(&given);
            }
        }
        *call = prepared.map_err(convert::error)?;
        Ok(())
    }
}

impl OAuth {
    fn keyless(&self) -> bool {
        self.config.api_key.is_none()
    }

    /// `GET /oauth/sessions/{id}` for the id `given` (read as `id`): the
    /// client's own strings, plus the id itself when it needs no encoding.
    fn get_session_request(&self, given: &JsValue, id: &str, extra: &Headers) -> Read<JsRequest> {
        let segment = match request::path_segment(id)? {
            std::borrow::Cow::Borrowed(_) => given.clone(),
            std::borrow::Cow::Owned(encoded) => JsValue::from_str(&encoded),
        };
        let header_lines = if extra.is_empty() { self.get_headers.clone() } else { header_lines(&request::get_session_headers(&self.config, extra)) };
        Ok(JsRequest { method: js_str("GET"), url: self.sessions_url.concat(&segment).into(), header_lines, body: JsValue::UNDEFINED })
    }

    fn poll_machine(&self, poll: PollOptions, overrides: &RequestOverrides, window_closed: Box<dyn Fn() -> bool>) -> Machine {
        Machine::Poll(Poll::new(&self.config, overrides, poll, crate::platform::show_ms(poll.timeout_ms), window_closed))
    }
}

/// Reads `OAuthPollOptions` (also the base of the authorize options). Their
/// `signal`, if any, takes the place of the request options' one.
fn poll_options(value: &JsValue, path: &'static str, mut request: read::RequestOptions) -> Read<(PollOptions, Option<js_sys::Function>, read::RequestOptions)> {
    let fields = Fields::of(value, path)?;
    let defaults = PollOptions::default();
    let poll = PollOptions {
        timeout_ms: fields.millis("timeout")?.unwrap_or(defaults.timeout_ms),
        interval_ms: fields.millis("interval")?.unwrap_or(defaults.interval_ms),
    };
    let on_status = fields.function("onStatus")?;
    if let Some(signal) = fields.signal("signal")? {
        request.signal = Some(signal);
    }
    Ok((poll, on_status, request))
}

/// `ClientOptions`, with the environment fallbacks where there is one.
fn client_config(value: &JsValue, keyless: bool) -> Read<ClientConfig> {
    let fields = Fields::of(value, "options")?;
    let api_key = if keyless {
        if !fields.get("apiKey")?.is_undefined() {
            return Err(Error::invalid("options.apiKey", "must not be given to Airstore.keyless: a browser must never hold the key"));
        }
        None
    } else {
        let key = fields.string("apiKey")?.or_else(|| env("AIRSTORE_API_KEY")).filter(|k| !k.is_empty());
        let key = key.ok_or_else(|| Error::airstore(messages::MISSING_API_KEY))?;
        if key.chars().any(|c| c.is_control() || c as u32 > 0xff) {
            return Err(Error::invalid("options.apiKey", "must not contain line breaks, control characters or characters beyond Latin-1"));
        }
        Some(key.into())
    };
    let base_url = match fields.string("baseURL")? {
        Some(url) => config::base_url("options.baseURL", &url)?,
        None => match env("AIRSTORE_BASE_URL").filter(|u| !u.is_empty()) {
            Some(url) => config::base_url("AIRSTORE_BASE_URL", &url)?,
            None => DEFAULT_BASE_URL.to_string(),
        },
    };
    if !crate::platform::parses_as_url(&base_url) {
        return Err(Error::invalid("options.baseURL", "must be an http(s) URL that parses (check the host and port)"));
    }
    refuse_mixed_content(&base_url)?;
    let default_headers = fields.headers("defaultHeaders")?;
    if keyless {
        read::refuse_authorization(&default_headers, "options.defaultHeaders")?;
    }
    Ok(ClientConfig {
        api_key,
        base_url,
        timeout_ms: fields.millis("timeout")?.unwrap_or(config::DEFAULT_TIMEOUT_MS),
        max_retries: fields.retries("maxRetries")?.unwrap_or(config::DEFAULT_MAX_RETRIES),
        default_headers,
    })
}

/// `process.env[name]` where a `process` exists (Node, and workerd with
/// nodejs_compat); nothing elsewhere.
fn env(name: &str) -> Option<String> {
    js_get(&js_get(&js_global("process"), "env"), name).as_string()
}

/// A page served over https cannot call an http API (mixed content); say
/// so now instead of failing later with an opaque network error. Loopback
/// hosts are allowed, as browsers allow them.
fn refuse_mixed_content(base_url: &str) -> Read<()> {
    let page = js_get(&js_global("location"), "protocol").as_string();
    let lower = base_url.to_ascii_lowercase();
    let authority = lower.strip_prefix("http://").map(|rest| rest.split('/').next().unwrap_or(""));
    match (page.as_deref(), authority) {
        (Some("https:"), Some(authority)) if !config::is_loopback(authority) => Err(Error::invalid(
            "options.baseURL",
            "is http: but this page is https:, and browsers block such requests (mixed content); use an https: baseURL",
        )),
        _ => Ok(()),
    }
}
