//! The JS face: the `Airstore` client and its `OAuth` resource, exported
//! with wasm-bindgen. Each method is an `async fn` that wasm-bindgen-futures
//! turns into the promise the caller gets: it reads and checks the caller's
//! values ([`options`]), then runs the call through the one driver,
//! [`crate::core::client`], over [`WebPlatform`] (fetch and timers), and
//! hands back a plain result object ([`results`]) or a JS error ([`errors`]).

mod errors;
mod options;
mod popup;
mod results;

use crate::core::client::{self, PError};
use crate::core::config::{ClientConfig, RequestOverrides};
use crate::core::request;
use crate::core::{Error, SessionStatus};
use crate::platform::{JsHeaders, WebPlatform};
use js_sys::{Function, Object, Reflect};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// An error as the core knows it, on this platform.
pub type JsError = Error<JsHeaders, JsValue>;

const FREED: &str = "This Airstore client was freed (free() or a `using` block ended): make a new one";

/// A client's configuration while it is open; `None` once freed. Shared by
/// the `Airstore` and its `OAuth`, and held by each call under way, so
/// freeing wipes the key (config::ApiKey) once no call still needs it.
type Slot = Rc<RefCell<Option<Rc<Client>>>>;

struct Client {
    config: ClientConfig,
    /// Made by `Airstore.keyless`: never sends Authorization.
    keyless: bool,
}

/// The Airstore client.
#[wasm_bindgen]
pub struct Airstore {
    /// The `OAuth` wrapper, made once: `airstore.oauth` is the same object on
    /// every access.
    oauth: JsValue,
    slot: Slot,
}

#[wasm_bindgen]
impl Airstore {
    /// `new Airstore(options?)`: throws `AirstoreError` without an API key.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<Airstore, JsValue> {
        Airstore::make(&options, false).map_err(errors::to_js)
    }

    /// A client without an API key, for browsers: `getSession`, `poll` and
    /// `authorize` need none; `createSession` is refused.
    pub fn keyless(options: JsValue) -> Result<Airstore, JsValue> {
        Airstore::make(&options, true).map_err(errors::to_js)
    }

    /// The OAuth resource.
    #[wasm_bindgen(getter)]
    pub fn oauth(&self) -> JsValue {
        self.oauth.clone()
    }

    /// Wipes the API key from wasm memory and ends the client: its methods
    /// then reject with an `AirstoreError`. (In place of wasm-bindgen's own
    /// `free()`, which would leave later calls a raw "null pointer passed to
    /// rust"; the object's memory goes when it is garbage-collected.)
    #[wasm_bindgen(js_name = free)]
    pub fn close(&self) {
        self.slot.borrow_mut().take();
    }
}

impl Airstore {
    fn make(options: &JsValue, keyless: bool) -> Result<Airstore, JsError> {
        let config = options::client_options(options, keyless)?;
        let slot: Slot = Rc::new(RefCell::new(Some(Rc::new(Client { config, keyless }))));
        let oauth = JsValue::from(OAuth { slot: slot.clone() });
        bind_methods(&oauth);
        Ok(Airstore { oauth, slot })
    }
}

/// The four methods as own properties bound to `oauth`, so
/// `const { poll } = airstore.oauth` works as it does with other SDKs.
fn bind_methods(oauth: &JsValue) {
    for name in ["createSession", "getSession", "poll", "authorize"] {
        let key = JsValue::from_str(name);
        let Ok(method) = Reflect::get(oauth, &key).and_then(|m| m.dyn_into::<Function>()) else { continue };
        let descriptor = Object::new();
        let _ = Reflect::set(&descriptor, &JsValue::from_str("value"), &method.bind0(oauth));
        let _ = Reflect::set(&descriptor, &JsValue::from_str("writable"), &JsValue::TRUE);
        let _ = Reflect::set(&descriptor, &JsValue::from_str("configurable"), &JsValue::TRUE);
        Object::define_property(oauth.unchecked_ref::<Object>(), &key, &descriptor);
    }
}

/// `airstore.oauth`: interactive connection flows where users authorize
/// access in their browser. There is no field to read the API key back,
/// and it appears in no message.
#[wasm_bindgen]
pub struct OAuth {
    slot: Slot,
}

#[wasm_bindgen]
impl OAuth {
    /// `POST /oauth/sessions`: resolves with `{ session_id, authorize_url }`.
    /// Refused, before anything is sent, by a keyless client.
    #[wasm_bindgen(js_name = createSession)]
    pub async fn create_session(&self, params: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
        let client = self.client()?;
        let run = async {
            let params = options::create_params(&params)?;
            let (overrides, signal) = options::request_options(&options, client.keyless)?;
            let (session, meta) = client::create_session(&WebPlatform::new(signal), &client.config, &params, &overrides).await?;
            results::with_response(&session, meta)
        };
        run.await.map_err(errors::to_js)
    }

    /// `GET /oauth/sessions/{id}`: the session's status.
    #[wasm_bindgen(js_name = getSession)]
    pub async fn get_session(&self, session_id: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
        let client = self.client()?;
        let run = async {
            let id = options::session_id(&session_id, "sessionId")?;
            let (overrides, signal) = options::request_options(&options, client.keyless)?;
            let (status, meta) = client::get_session(&WebPlatform::new(signal), &client.config, &id, &overrides).await?;
            results::with_response(&status, meta)
        };
        run.await.map_err(errors::to_js)
    }

    /// Checks the session every `interval` until it is complete (resolve)
    /// or failed (reject), or `timeout` passes (reject); `onStatus(status,
    /// attempt)` sees every check.
    pub async fn poll(&self, session_id: JsValue, poll_opts: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
        let client = self.client()?;
        let run = async {
            let id = options::session_id(&session_id, "sessionId")?;
            let (overrides, request_signal) = options::request_options(&options, client.keyless)?;
            let mut poll = options::poll_options(&poll_opts, "pollOpts")?;
            let platform = WebPlatform::new(poll.signal.take().or(request_signal));
            checks(&client, &platform, &id, &poll, &overrides, &|| false).await
        };
        run.await.map_err(errors::to_js)
    }

    /// Browsers: opens `session.authorize_url` in a popup (or
    /// `options.popup`), polls until the session completes, closes the popup
    /// and resolves with the completed status.
    pub async fn authorize(&self, session: JsValue, options: JsValue, request_options: JsValue) -> Result<JsValue, JsValue> {
        let client = self.client()?;
        let mut window = None;
        let run = async {
            let (id, url) = options::authorize_session(&session)?;
            let (overrides, request_signal) = options::request_options(&request_options, client.keyless)?;
            let mut poll = options::poll_options(&options, "options")?;
            let end_on_close = poll.fields.boolean("endOnClose")?.unwrap_or(true);
            let allowed = poll.fields.strings("allowedAuthorizeHosts")?;
            options::authorize_reach(&url, allowed.as_deref())?;
            // Checked before a window opens or moves: an id the request
            // refuses ('.', '..') opens and navigates no window.
            request::path_segment::<JsHeaders, JsValue>(&id)?;
            let popup = popup::open(&url, &poll.fields.get("popup")?)?;
            window = Some(popup.clone());
            let signal = poll.signal.take().or(request_signal);
            let platform = if end_on_close { WebPlatform::with_popup(signal, popup.clone()) } else { WebPlatform::new(signal) };
            checks(&client, &platform, &id, &poll, &overrides, &|| end_on_close && popup::is_closed(&popup)).await
        };
        let outcome = run.await;
        // The window we opened (or were given) is not left behind, blank or
        // on a finished consent page, whatever the outcome.
        if let Some(w) = window.or_else(|| given_popup(&options)) {
            popup::close(&w);
        }
        outcome.map_err(errors::to_js)
    }

    /// Wipes the API key and ends the client (see `Airstore.free`).
    #[wasm_bindgen(js_name = free)]
    pub fn close(&self) {
        self.slot.borrow_mut().take();
    }
}

impl OAuth {
    /// The client, unless it was freed.
    fn client(&self) -> Result<Rc<Client>, JsValue> {
        self.slot.borrow().clone().ok_or_else(|| errors::to_js(Error::airstore(FREED)))
    }
}

/// `options.popup` of a failed authorize, if it can be read.
fn given_popup(options: &JsValue) -> Option<JsValue> {
    let popup = options::Fields::new(options, "options").ok()?.get("popup").ok()?;
    popup.is_object().then_some(popup)
}

/// The checks of `poll` and `authorize` (one copy of the poll in the wasm):
/// `onStatus` is told of each; a throw ends the poll.
async fn checks(
    client: &Client,
    platform: &WebPlatform,
    id: &str,
    poll: &options::Poll,
    overrides: &RequestOverrides,
    window_closed: &dyn Fn() -> bool,
) -> Result<JsValue, JsError> {
    let mut tell = |status: &SessionStatus, attempt: u32| -> Result<(), PError<WebPlatform>> {
        let Some(callback) = &poll.on_status else { return Ok(()) };
        let status = results::plain(status)?;
        callback
            .call2(&JsValue::UNDEFINED, &status, &JsValue::from(attempt))
            .map(drop)
            .map_err(|e| Error::airstore("onStatus threw, so the poll stopped").with_cause(Some(e)))
    };
    let (status, meta) = client::poll(platform, &client.config, id, poll.options, overrides, &mut tell, window_closed).await?;
    results::with_response(&status, meta)
}
