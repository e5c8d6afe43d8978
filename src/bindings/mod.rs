//! The JS face: `Airstore` and its `oauth` resource, exported with
//! wasm-bindgen. Arguments are read and checked synchronously (so a bad call
//! sends nothing and later mutation of the options cannot matter); the work
//! then runs as a future behind the returned promise.

mod convert;
mod popup;
mod read;

use crate::core::client;
use crate::core::config::{self, ClientConfig, DEFAULT_BASE_URL};
use crate::core::error::messages;
use crate::core::poll::PollOptions;
use crate::core::{CreateSessionParams, Error};
use crate::platform::{js_get, js_global, WebPlatform};
use convert::JsError;
use js_sys::Promise;
use read::{Fields, Read};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

/// The Airstore client. The API key lives in wasm memory only: there is no
/// field to read it back, and it appears in no message.
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
        Airstore { oauth: OAuth { config: Rc::new(config) }.into() }
    }
}

/// `airstore.oauth`: createSession, getSession, poll.
#[wasm_bindgen]
pub struct OAuth {
    config: Rc<ClientConfig>,
}

#[wasm_bindgen]
impl OAuth {
    #[wasm_bindgen(js_name = createSession)]
    pub fn create_session(&self, params: JsValue, options: JsValue) -> Promise {
        let prepared = (|| {
            let fields = Fields::of(&params, "params")?;
            if params.is_undefined() {
                return Err(Error::invalid("params", "must be an object with an integrationType"));
            }
            let integration_type = match fields.string("integrationType")? {
                Some(t) if !t.is_empty() => t,
                _ => return Err(Error::invalid("params.integrationType", &format!("is required: a provider such as {}", crate::core::types::INTEGRATION_TYPES.join(", ")))),
            };
            let params = CreateSessionParams { integration_type, workspace_id: fields.string("workspaceId")?, return_to: fields.string("returnTo")? };
            // A keyless client is refused by the core before anything is sent.
            Ok((params, read::request_options(&options, false)?))
        })();
        let config = self.config.clone();
        run(prepared, |(params, options)| async move {
            let platform = WebPlatform::new(options.signal);
            let (session, meta) = client::create_session(&platform, &config, &params, &options.overrides).await?;
            Ok((session, meta))
        })
    }

    #[wasm_bindgen(js_name = getSession)]
    pub fn get_session(&self, session_id: JsValue, options: JsValue) -> Promise {
        let keyless = self.config.api_key.is_none();
        let prepared = (|| Ok((read::session_id(&session_id)?, read::request_options(&options, keyless)?)))();
        let config = self.config.clone();
        run(prepared, |(id, options)| async move {
            let platform = WebPlatform::new(options.signal);
            client::get_session(&platform, &config, &id, &options.overrides).await
        })
    }

    /// Checks the session every `interval` until it is complete or failed,
    /// or `timeout` passes; `onStatus(status, attempt)` sees every check.
    pub fn poll(&self, session_id: JsValue, poll_opts: JsValue, options: JsValue) -> Promise {
        let keyless = self.config.api_key.is_none();
        let prepared = (|| {
            let id = read::session_id(&session_id)?;
            let (poll, on_status, options) = poll_options(&poll_opts, "pollOpts", read::request_options(&options, keyless)?)?;
            Ok((id, poll, on_status, options))
        })();
        let config = self.config.clone();
        run(prepared, |(id, poll, on_status, options)| async move {
            poll_session(&WebPlatform::new(options.signal), &config, &id, poll, &options.overrides, on_status).await
        })
    }
}

#[wasm_bindgen]
impl OAuth {
    /// Browsers: opens `session.authorize_url` in a popup (or `options.popup`),
    /// polls until the session completes, closes the popup and resolves with
    /// the completed status.
    pub fn authorize(&self, session: JsValue, options: JsValue, request_options: JsValue) -> Promise {
        let keyless = self.config.api_key.is_none();
        let prepared = (|| {
            let fields = Fields::of(&session, "session")?;
            if session.is_undefined() {
                return Err(Error::invalid("session", "must be the object createSession returned"));
            }
            let id = read::session_id(&fields.get("session_id")?).map_err(|_| Error::invalid("session.session_id", "must be a non-empty string"))?;
            let url = fields.string("authorize_url")?.ok_or_else(|| Error::invalid("session.authorize_url", "must be a string"))?;
            config::http_url("session.authorize_url", &url)?;
            if !crate::platform::parses_as_url(&url) {
                return Err(Error::invalid("session.authorize_url", "must be an http(s) URL that parses"));
            }
            let (poll, on_status, request) = poll_options(&options, "options", read::request_options(&request_options, keyless)?)?;
            let fields = Fields::of(&options, "options")?;
            let end_on_close = fields.boolean("endOnClose")?.unwrap_or(true);
            let popup = popup::open(&url, fields.get("popup")?)?;
            Ok((id, poll, on_status, request, popup, end_on_close))
        })();
        if prepared.is_err() {
            // Do not leave the window the caller opened for us blank.
            if let Ok(given) = Fields::of(&options, "options").and_then(|f| f.get("popup")) {
                popup::close(&given);
            }
        }
        let config = self.config.clone();
        run(prepared, |(id, poll, on_status, options, popup, end_on_close)| async move {
            let platform = if end_on_close {
                WebPlatform::with_popup(options.signal, popup.clone())
            } else {
                WebPlatform::new(options.signal)
            };
            let outcome = poll_session(&platform, &config, &id, poll, &options.overrides, on_status).await;
            popup::close(&popup);
            outcome
        })
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

/// The poll of `poll` and `authorize`, one copy of it in the wasm: a
/// platform without a popup never reports it closed.
async fn poll_session(
    platform: &WebPlatform,
    config: &ClientConfig,
    id: &str,
    poll: PollOptions,
    overrides: &crate::core::config::RequestOverrides,
    on_status: Option<js_sys::Function>,
) -> Result<(crate::core::SessionStatus, crate::core::response::ResponseMeta<crate::platform::JsHeaders>), JsError> {
    client::poll(platform, config, id, poll, overrides, status_reporter(on_status), || platform.popup_closed()).await
}

/// Calls `onStatus(status, attempt)` after each check; a throw stops the poll.
fn status_reporter(on_status: Option<js_sys::Function>) -> impl FnMut(&crate::core::SessionStatus, u32) -> Read<()> {
    move |status, attempt| {
        let Some(callback) = &on_status else { return Ok(()) };
        let status = convert::result(status, None).map_err(|e| Error::airstore("could not report the status").with_cause(Some(e)))?;
        callback
            .call2(&JsValue::UNDEFINED, &status, &JsValue::from(attempt))
            .map(drop)
            .map_err(|e| Error::airstore("onStatus threw, so the poll stopped").with_cause(Some(e)))
    }
}

/// Rejects at once if the arguments were bad; otherwise runs the call and
/// settles the promise with the result object or a JS error.
fn run<A, T, F>(prepared: Read<A>, call: impl FnOnce(A) -> F) -> Promise
where
    T: serde::Serialize,
    F: std::future::Future<Output = Result<(T, crate::core::response::ResponseMeta<crate::platform::JsHeaders>), JsError>> + 'static,
{
    match prepared {
        Err(e) => Promise::reject(&convert::error(e)),
        Ok(args) => {
            let call = call(args);
            // Boxed so that `future_to_promise` is instantiated once for all
            // methods (each instantiation costs about 2.5 KB of wasm).
            let settled: std::pin::Pin<Box<dyn std::future::Future<Output = Result<JsValue, JsValue>>>> = Box::pin(async move {
                match call.await {
                    Ok((value, meta)) => convert::result(&value, Some(meta)),
                    Err(e) => Err(convert::error(e)),
                }
            });
            future_to_promise(settled)
        }
    }
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
