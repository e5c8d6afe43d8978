//! authorize's window (browsers): opened in a popup, or the window the
//! caller opened in its click handler sent to the authorize URL; closed at
//! the end.

use super::JsError;
use crate::core::Error;
use crate::platform::{js_get, js_global};
use js_sys::{Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};

pub const NOT_A_BROWSER: &str =
    "authorize() needs a browser window (window.open). On a server, send the user to session.authorize_url and call oauth.poll(session.session_id)";
pub const BLOCKED: &str = "The popup was blocked. Open it synchronously in the click handler, e.g. const popup = window.open('', 'airstore-oauth', 'popup'), and pass it as options.popup";

/// Sends `given` (a window the caller opened in the click handler, so no
/// blocker refuses it) to `url`, or opens a new popup there.
pub fn open(url: &str, given: &JsValue) -> Result<JsValue, JsError> {
    if !given.is_undefined() && !given.is_null() {
        if js_get(given, "closed").as_bool().is_none() {
            return Err(Error::airstore("options.popup must be a window, as window.open returns"));
        }
        Reflect::set(&js_get(given, "location"), &JsValue::from_str("href"), &JsValue::from_str(url))
            .map_err(|e| Error::airstore("options.popup could not be sent to the authorize URL").with_cause(Some(e)))?;
        return Ok(given.clone());
    }
    let window = js_global("window");
    let Some(open) = js_get(&window, "open").dyn_into::<Function>().ok() else {
        return Err(Error::airstore(NOT_A_BROWSER));
    };
    let features = "popup,width=520,height=720";
    match open.call3(&window, &JsValue::from_str(url), &JsValue::from_str("airstore-oauth"), &JsValue::from_str(features)) {
        Ok(popup) if popup.is_object() => Ok(popup),
        Ok(_) => Err(Error::airstore(BLOCKED)),
        Err(e) => Err(Error::airstore(BLOCKED).with_cause(Some(e))),
    }
}

/// Closes the popup if it is still open (a window that cannot be closed from
/// here is the page's to close).
pub fn close(popup: &JsValue) {
    if js_get(popup, "closed").as_bool() == Some(false) {
        if let Ok(close) = js_get(popup, "close").dyn_into::<Function>() {
            let _ = close.call0(popup);
        }
    }
}

/// Whether the window reads closed.
pub fn is_closed(popup: &JsValue) -> bool {
    js_get(popup, "closed").as_bool() == Some(true)
}
