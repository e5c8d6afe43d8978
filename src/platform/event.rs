//! Turning a DOM event into something a future can wait on. The listener is
//! removed when the watcher is dropped, so nothing is left on the caller's
//! `AbortSignal` (or on `document`) after a call settles.

use super::js;
use std::cell::{Cell, RefCell};
use std::future::poll_fn;
use std::rc::Rc;
use std::task::{Poll, Waker};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[derive(Default)]
struct Flag {
    fired: Cell<bool>,
    waker: RefCell<Option<Waker>>,
}

impl Flag {
    fn fire(&self) {
        self.fired.set(true);
        if let Ok(mut waker) = self.waker.try_borrow_mut() {
            if let Some(w) = waker.take() {
                w.wake();
            }
        }
    }
}

/// Listens for `event` on `target` until dropped.
pub struct EventFlag {
    target: web_sys::EventTarget,
    event: &'static str,
    listener: Closure<dyn FnMut()>,
    flag: Rc<Flag>,
}

impl EventFlag {
    /// `accept` decides whether an occurrence of the event counts.
    fn listen(target: &JsValue, event: &'static str, accept: impl Fn() -> bool + 'static) -> Option<EventFlag> {
        let flag = Rc::new(Flag::default());
        let in_listener = flag.clone();
        let listener = Closure::<dyn FnMut()>::new(move || {
            if accept() {
                in_listener.fire();
            }
        });
        let target: web_sys::EventTarget = target.clone().unchecked_into();
        target.add_event_listener_with_callback(event, listener.as_ref().unchecked_ref()).ok()?;
        Some(EventFlag { target, event, listener, flag })
    }

    /// Fires when the page becomes visible again; `None` outside browsers.
    pub fn page_shown() -> Option<EventFlag> {
        let document = js::global("document");
        if !js::get(&document, "addEventListener").is_function() {
            return None;
        }
        let doc = document.clone();
        EventFlag::listen(&document, "visibilitychange", move || js::get(&doc, "visibilityState").as_string().as_deref() == Some("visible"))
    }

    pub fn fired(&self) -> bool {
        self.flag.fired.get()
    }

    pub async fn wait(&self) {
        poll_fn(|cx| {
            if self.flag.fired.get() {
                return Poll::Ready(());
            }
            if let Ok(mut waker) = self.flag.waker.try_borrow_mut() {
                *waker = Some(cx.waker().clone());
            }
            Poll::Pending
        })
        .await
    }
}

impl Drop for EventFlag {
    fn drop(&mut self) {
        let _ = self.target.remove_event_listener_with_callback(self.event, self.listener.as_ref().unchecked_ref());
    }
}

/// The caller's `AbortSignal`, watched for one call.
pub struct CancelSignal {
    signal: JsValue,
    abort: Option<EventFlag>,
}

impl CancelSignal {
    /// Watches `signal`; `None` if it is not an `AbortSignal`-like object
    /// (an `aborted` flag and `addEventListener`).
    pub fn watch(signal: &JsValue) -> Option<CancelSignal> {
        if !Self::is_signal(signal) {
            return None;
        }
        let abort = if Self::is_aborted(signal) {
            None
        } else {
            // A signal that refuses a listener could never stop the call.
            Some(EventFlag::listen(signal, "abort", || true)?)
        };
        Some(CancelSignal { signal: signal.clone(), abort })
    }

    /// Whether `value` looks like an `AbortSignal`: an `aborted` boolean and
    /// `addEventListener`.
    pub fn is_signal(value: &JsValue) -> bool {
        js::get(value, "addEventListener").is_function() && js::get(value, "aborted").as_bool().is_some()
    }

    fn is_aborted(signal: &JsValue) -> bool {
        js::get(signal, "aborted").as_bool() == Some(true)
    }

    pub fn fired(&self) -> bool {
        self.abort.as_ref().is_some_and(EventFlag::fired) || Self::is_aborted(&self.signal)
    }

    /// `signal.reason`, kept as the error's `cause`.
    pub fn reason(&self) -> Option<JsValue> {
        let reason = js::get(&self.signal, "reason");
        (!reason.is_undefined()).then_some(reason)
    }

    pub async fn wait(&self) {
        match &self.abort {
            Some(flag) => flag.wait().await,
            None if Self::is_aborted(&self.signal) => {}
            None => std::future::pending().await,
        }
    }
}
