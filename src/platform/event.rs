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
    listener: Closure<dyn FnMut(JsValue)>,
    flag: Rc<Flag>,
}

impl EventFlag {
    /// `accept` decides whether an occurrence of the event counts.
    fn listen(target: &JsValue, event: &'static str, accept: impl Fn() -> bool + 'static) -> Option<EventFlag> {
        EventFlag::listen_to(target, event, Rc::new(Flag::default()), move |_| accept())
    }

    /// Fires `flag` when `accept` takes the event (it is given the event).
    fn listen_to(target: &JsValue, event: &'static str, flag: Rc<Flag>, accept: impl Fn(&JsValue) -> bool + 'static) -> Option<EventFlag> {
        let in_listener = flag.clone();
        let listener = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
            if accept(&e) {
                in_listener.fire();
            }
        });
        let target: web_sys::EventTarget = target.clone().unchecked_into();
        target.add_event_listener_with_callback(event, listener.as_ref().unchecked_ref()).ok()?;
        Some(EventFlag { target, event, listener, flag })
    }

    pub fn fired(&self) -> bool {
        self.flag.fired.get()
    }

    pub async fn wait(&self) {
        self.flag.wait().await
    }
}

impl Flag {
    async fn wait(&self) {
        poll_fn(|cx| {
            if self.fired.get() {
                return Poll::Ready(());
            }
            if let Ok(mut waker) = self.waker.try_borrow_mut() {
                *waker = Some(cx.waker().clone());
            }
            Poll::Pending
        })
        .await
    }
}

/// The name of the channel (and of the storage key) the return page
/// signals on: same-origin by design, and the message carries nothing but
/// its type.
pub const RETURN_CHANNEL: &str = "airstore-oauth";
pub const RETURN_KEY: &str = "airstore-oauth-returned";
pub const RETURN_MESSAGE: &str = "airstore-oauth-returned";

/// What ends a browser wait early so the flow looks at once: the page shown
/// again, focus back, back from the back-forward cache, the network back,
/// and the return page's signal. Browsers throttle timers in hidden tabs
/// (once a minute after 5 minutes), and a completed session is deleted about
/// 30 s after completion: waiting out a throttled timer can lose it. Every
/// listener (and the channel) goes when this is dropped.
pub struct Wake {
    flag: Rc<Flag>,
    returned: Rc<Flag>,
    listeners: Vec<EventFlag>,
    channel: Option<JsValue>,
}

impl Wake {
    /// The wake-ups of this page; none outside browsers.
    pub fn page() -> Wake {
        let flag = Rc::new(Flag::default());
        let returned = Rc::new(Flag::default());
        let mut listeners = Vec::new();
        let document = js::global("document");
        let window = js::global("window");
        if js::get(&document, "addEventListener").is_function() {
            let doc = document.clone();
            let visible = move |_: &JsValue| js::get(&doc, "visibilityState").as_string().as_deref() == Some("visible");
            listeners.extend(EventFlag::listen_to(&document, "visibilitychange", flag.clone(), visible));
        }
        let mut channel = None;
        if js::get(&window, "addEventListener").is_function() {
            for event in ["focus", "pageshow", "online"] {
                listeners.extend(EventFlag::listen_to(&window, event, flag.clone(), |_| true));
            }
            // The return page's signal: a storage write, or the channel.
            let key = move |e: &JsValue| js::get(e, "key").as_string().as_deref() == Some(RETURN_KEY);
            listeners.extend(EventFlag::listen_to(&window, "storage", returned.clone(), key));
            if let Some(ch) = open_channel() {
                let is_return = |e: &JsValue| js::get(&js::get(e, "data"), "type").as_string().as_deref() == Some(RETURN_MESSAGE);
                listeners.extend(EventFlag::listen_to(&ch, "message", returned.clone(), is_return));
                channel = Some(ch);
            }
        }
        Wake { flag, returned, listeners, channel }
    }

    /// Whether the return page signalled since the last look (and forgets it).
    pub fn take_returned(&self) -> bool {
        self.returned.fired.replace(false)
    }

    /// Resolves when any of the events occurs (or a return signal came).
    pub async fn wait(&self) {
        super::race::race(self.flag.wait(), self.returned.wait()).await;
        self.flag.fired.set(false);
    }
}

impl Drop for Wake {
    fn drop(&mut self) {
        self.listeners.clear();
        if let Some(ch) = &self.channel {
            call0(ch, "close");
        }
    }
}

/// `new BroadcastChannel(RETURN_CHANNEL)`, where there is one.
fn open_channel() -> Option<JsValue> {
    let class = js::global("BroadcastChannel");
    let class: &js_sys::Function = class.dyn_ref()?;
    js_sys::Reflect::construct(class, &js_sys::Array::of1(&JsValue::from_str(RETURN_CHANNEL))).ok()
}

/// `target[method]()`, ignoring what it returns or throws.
fn call0(target: &JsValue, method: &str) {
    if let Ok(f) = js::get(target, method).dyn_into::<js_sys::Function>() {
        let _ = f.call0(target);
    }
}

/// The return page's side: tells the opener's flow (through the channel,
/// and a storage write as fallback) to check at once, then closes this
/// window where the browser allows it (a window a script opened).
pub fn signal_return() {
    if let Some(ch) = open_channel() {
        let message = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&message, &JsValue::from_str("type"), &JsValue::from_str(RETURN_MESSAGE));
        if let Ok(post) = js::get(&ch, "postMessage").dyn_into::<js_sys::Function>() {
            let _ = post.call1(&ch, &message);
        }
        call0(&ch, "close");
    }
    let storage = js::global("localStorage");
    if let Ok(set) = js::get(&storage, "setItem").dyn_into::<js_sys::Function>() {
        let _ = set.call2(&storage, &JsValue::from_str(RETURN_KEY), &JsValue::from_str(&super::show_ms(js_sys::Date::now())));
    }
    call0(&js::global("window"), "close");
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
