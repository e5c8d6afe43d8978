//! The platform layer in a real JS engine (Node, via wasm-bindgen-test):
//! fetch, the timer that covers the whole exchange, AbortSignal watching and
//! body reading. `fetch` is replaced by JS stubs where a server would be
//! needed to misbehave; the stubs are installed on `globalThis` after load,
//! which also proves the global is looked up at call time.
#![cfg(target_arch = "wasm32")]

use airstore_wasm::core::client::{Platform, TransportError};
use airstore_wasm::core::request::{HttpRequest, Method};
use airstore_wasm::core::response::{Body, Field, HeaderMap};
use airstore_wasm::core::{SessionState, SessionStatus};
use airstore_wasm::platform::{sleep_ms, to_js, CancelSignal, JsBody, WebPlatform};
use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

fn js(body: &str) -> JsValue {
    Function::new_no_args(body).call0(&JsValue::UNDEFINED).unwrap()
}

fn get(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &key.into()).unwrap()
}

fn request(url: &str) -> HttpRequest {
    HttpRequest { method: Method::Get, url: url.into(), headers: vec![("Accept".into(), "application/json".into())], body: None }
}

/// Replaces `globalThis.fetch` for one test; the original comes back on drop.
struct FetchStub;
impl FetchStub {
    fn install(body: &str) -> FetchStub {
        js(&format!("globalThis.__realFetch ??= globalThis.fetch; globalThis.__calls = []; globalThis.fetch = {body};"));
        FetchStub
    }
}
impl Drop for FetchStub {
    fn drop(&mut self) {
        js("globalThis.fetch = globalThis.__realFetch;");
    }
}

#[wasm_bindgen_test]
async fn reads_status_headers_and_json_body() {
    let platform = WebPlatform::new(None);
    let url = r#"data:application/json,{"success":true,"data":{"status":"complete","n":1,"zero":0,"no":false,"a":[],"z":null}}"#;
    let answer = platform.send(&request(url), 5_000.0).await.unwrap_or_else(|_| panic!("data: URL fetch failed"));
    assert_eq!(answer.status, 200);
    assert_eq!(answer.headers.get("content-type").as_deref(), Some("application/json"));
    assert_eq!(answer.body.field(&["data", "status"]), Field::String("complete".into()));
    assert_eq!(answer.body.field(&["data", "n"]), Field::Other("a number"));
    assert_eq!(answer.body.field(&["data", "zero"]), Field::Other("a number"), "0 is a value, not a missing field");
    assert_eq!(answer.body.field(&["data", "no"]), Field::Other("a boolean"));
    assert_eq!(answer.body.field(&["data", "a"]), Field::Other("an array"));
    assert_eq!(answer.body.field(&["data", "z"]), Field::Null);
    assert_eq!(answer.body.field(&["data", "missing"]), Field::Missing);
    assert_eq!(answer.body.field(&["data", "status", "deeper"]), Field::Missing);
}

#[wasm_bindgen_test]
fn body_ignores_inherited_names() {
    let body = JsBody::new(Some(js(r#"return JSON.parse('{"data":{"a":"b"}}')"#)), false);
    assert_eq!(body.field(&["data", "a"]), Field::String("b".into()));
    assert_eq!(body.field(&["data", "__proto__"]), Field::Missing);
    assert_eq!(body.field(&["data", "constructor"]), Field::Missing);
    assert_eq!(body.field(&["data", "toString"]), Field::Missing);
}

#[wasm_bindgen_test]
async fn bodies_that_are_not_json_or_empty_are_told_apart() {
    let _stub = FetchStub::install("(url) => Promise.resolve(new Response(url.endsWith('empty') ? '' : '<html>502</html>', { status: 502 }))");
    let platform = WebPlatform::new(None);
    let html = platform.send(&request("http://127.0.0.1:9/html"), 1_000.0).await.unwrap_or_else(|_| panic!("stub fetch failed"));
    assert_eq!(html.status, 502);
    assert!(!html.body.is_json() && !html.body.is_empty());
    let empty = platform.send(&request("http://127.0.0.1:9/empty"), 1_000.0).await.unwrap_or_else(|_| panic!("stub fetch failed"));
    assert!(!empty.body.is_json() && empty.body.is_empty());
}

#[wasm_bindgen_test]
async fn a_redirect_is_not_followed() {
    let _stub = FetchStub::install("() => Promise.resolve({ status: 0, type: 'opaqueredirect', headers: new Headers(), text: () => Promise.resolve('') })");
    let result = WebPlatform::new(None).send(&request("http://127.0.0.1:9/x"), 1_000.0).await;
    assert!(matches!(result, Err(TransportError::Unreadable { .. })));
}

#[wasm_bindgen_test]
async fn sends_method_headers_body_and_manual_redirects_through_the_global_fetch() {
    let _stub = FetchStub::install(
        "(url, init) => { globalThis.__calls.push({ url, init }); return Promise.resolve(new Response('{}', { status: 201 })); }",
    );
    let platform = WebPlatform::new(None);
    let mut req = request("http://127.0.0.1:9/api/v1/oauth/sessions");
    req.method = Method::Post;
    req.body = Some(r#"{"integration_type":"gmail"}"#.into());
    let answer = platform.send(&req, 1_000.0).await.unwrap_or_else(|_| panic!("stub fetch failed"));
    assert_eq!(answer.status, 201);
    let call = get(&js("return globalThis.__calls"), "0");
    let init = get(&call, "init");
    assert_eq!(get(&call, "url").as_string().unwrap(), "http://127.0.0.1:9/api/v1/oauth/sessions");
    assert_eq!(get(&init, "method").as_string().unwrap(), "POST");
    assert_eq!(get(&init, "redirect").as_string().unwrap(), "manual");
    assert_eq!(get(&init, "body").as_string().unwrap(), r#"{"integration_type":"gmail"}"#);
    let headers = get(&init, "headers");
    let accept: Function = get(&headers, "get").into();
    assert_eq!(accept.call1(&headers, &"accept".into()).unwrap().as_string().unwrap(), "application/json");
    assert!(get(&init, "signal").is_object(), "the exchange can be aborted");
}

#[wasm_bindgen_test]
async fn a_hung_exchange_times_out_and_is_aborted() {
    let _stub = FetchStub::install("(url, init) => { globalThis.__calls.push(init.signal); return new Promise(() => {}); }");
    let platform = WebPlatform::new(None);
    let started = js_sys::Date::now();
    let result = platform.send(&request("http://127.0.0.1:9/x"), 50.0).await;
    let elapsed = js_sys::Date::now() - started;
    assert!(matches!(result, Err(TransportError::TimedOut)));
    assert!((45.0..1_000.0).contains(&elapsed), "{elapsed}");
    let signal = get(&js("return globalThis.__calls"), "0");
    assert_eq!(get(&signal, "aborted").as_bool(), Some(true), "the fetch must be aborted");
}

#[wasm_bindgen_test]
async fn a_stalled_body_is_covered_by_the_same_timer() {
    let _stub = FetchStub::install("() => Promise.resolve(new Response(new ReadableStream({ start() {} }), { status: 200 }))");
    let result = WebPlatform::new(None).send(&request("http://127.0.0.1:9/x"), 30.0).await;
    assert!(matches!(result, Err(TransportError::TimedOut)));
}

#[wasm_bindgen_test]
async fn a_body_over_the_cap_is_refused_as_it_streams_and_by_its_length() {
    let detail = |r: Result<_, TransportError<JsValue>>| match r {
        Err(TransportError::Unreadable { detail }) => detail,
        _ => panic!("expected an unreadable answer"),
    };
    // 2 MiB sent in 64 KiB chunks with no Content-Length: refused once past 1 MiB.
    let _stub = FetchStub::install(
        "() => { let n = 0; const chunk = new Uint8Array(65536).fill(120);
           return Promise.resolve(new Response(new ReadableStream({ pull(c) { n++ < 32 ? c.enqueue(chunk) : c.close(); } }), { status: 500 })); }",
    );
    let platform = WebPlatform::new(None);
    assert_eq!(detail(platform.send(&request("http://127.0.0.1:9/x"), 5_000.0).await), "the response body is larger than 1048576 bytes, the most this client reads");
    drop(_stub);
    let _stub = FetchStub::install("() => Promise.resolve(new Response('{}', { status: 200, headers: { 'content-length': '5000000' } }))");
    assert_eq!(detail(platform.send(&request("http://127.0.0.1:9/x"), 5_000.0).await), "the response body is larger than 1048576 bytes, the most this client reads");
}

#[wasm_bindgen_test]
async fn the_driver_that_ships_runs_a_call_over_fetch() {
    use airstore_wasm::core::{client, ClientConfig, RequestOverrides};
    let _stub = FetchStub::install(
        r#"(url, init) => { globalThis.__calls.push(url);
             return Promise.resolve(globalThis.__calls.length === 1
               ? new Response('busy', { status: 503, headers: { 'retry-after-ms': '5' } })
               : new Response('{"success":true,"data":{"status":"complete","connection_id":"conn_1"}}', { status: 200, headers: { 'x-request-id': 'req_9' } })); }"#,
    );
    let config = ClientConfig { base_url: "http://127.0.0.1:9/api/v1".into(), ..ClientConfig::default() };
    let (status, meta) = client::get_session(&WebPlatform::new(None), &config, "a/b", &RequestOverrides::default())
        .await
        .unwrap_or_else(|e| panic!("{}", e.message));
    assert_eq!(status.connection_id.as_deref(), Some("conn_1"));
    assert_eq!((meta.status_code, meta.request_id.as_deref()), (200, Some("req_9")));
    let calls = js("return globalThis.__calls");
    assert_eq!(get(&calls, "length").as_f64(), Some(2.0), "the 503 was retried");
    assert_eq!(get(&calls, "0").as_string().as_deref(), Some("http://127.0.0.1:9/api/v1/oauth/sessions/a%2Fb"));
}

#[wasm_bindgen_test]
async fn a_failed_fetch_is_a_network_error_that_names_the_cause() {
    let _stub = FetchStub::install(
        "() => Promise.reject(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }))",
    );
    match WebPlatform::new(None).send(&request("http://127.0.0.1:9/x"), 1_000.0).await {
        Err(TransportError::Network { detail, cause }) => {
            assert_eq!(detail, "fetch failed (ECONNREFUSED)");
            assert!(cause.is_some());
        }
        _ => panic!("expected a network error"),
    }
}

#[wasm_bindgen_test]
async fn a_fetch_that_throws_synchronously_is_a_network_error() {
    let _stub = FetchStub::install("() => { throw new TypeError('Invalid URL'); }");
    let result = WebPlatform::new(None).send(&request("http://127.0.0.1:9/x"), 1_000.0).await;
    assert!(matches!(result, Err(TransportError::Network { .. })));
}

/// A signal-like object that counts its listeners.
fn counting_signal() -> JsValue {
    js("const listeners = new Set();
        const s = { aborted: false, reason: undefined, listeners,
          addEventListener(t, f) { if (t === 'abort') listeners.add(f); },
          removeEventListener(t, f) { listeners.delete(f); },
          abort(r) { s.aborted = true; s.reason = r; for (const f of [...listeners]) f(); } };
        return s;")
}

#[wasm_bindgen_test]
async fn cancelling_aborts_the_exchange_and_leaves_no_listener() {
    let _stub = FetchStub::install("(url, init) => { globalThis.__calls.push(init.signal); return new Promise(() => {}); }");
    let signal = counting_signal();
    let watcher = CancelSignal::watch(&signal).unwrap();
    assert_eq!(get(&get(&signal, "listeners"), "size").as_f64(), Some(1.0));
    let platform = WebPlatform::new(Some(watcher));
    let abort: Function = get(&signal, "abort").into();
    let s2 = signal.clone();
    let later = Closure::once_into_js(move || {
        abort.call1(&s2, &JsValue::from_str("user left")).unwrap();
    });
    let set_timeout: Function = get(&js_sys::global(), "setTimeout").into();
    set_timeout.call2(&JsValue::UNDEFINED, &later, &JsValue::from(20)).unwrap();
    match platform.send(&request("http://127.0.0.1:9/x"), 10_000.0).await {
        Err(TransportError::Cancelled { reason }) => assert_eq!(reason.and_then(|r| r.as_string()).as_deref(), Some("user left")),
        _ => panic!("expected a cancellation"),
    }
    assert_eq!(get(&get(&js("return globalThis.__calls"), "0"), "aborted").as_bool(), Some(true));
    drop(platform);
    assert_eq!(get(&get(&signal, "listeners"), "size").as_f64(), Some(0.0), "listener left on the caller's signal");
}

#[wasm_bindgen_test]
async fn an_already_aborted_signal_sends_nothing() {
    let _stub = FetchStub::install("() => { globalThis.__calls.push(1); return new Promise(() => {}); }");
    let signal = js("const c = new AbortController(); c.abort('gone'); return c.signal;");
    let platform = WebPlatform::new(CancelSignal::watch(&signal));
    assert!(matches!(platform.send(&request("http://x/"), 1_000.0).await, Err(TransportError::Cancelled { .. })));
    assert!(matches!(platform.sleep(10_000.0).await, Err(TransportError::Cancelled { .. })));
    assert_eq!(get(&js("return globalThis.__calls"), "length").as_f64(), Some(0.0));
}

#[wasm_bindgen_test]
fn not_a_signal_is_refused() {
    assert!(CancelSignal::watch(&JsValue::from_str("signal")).is_none());
    assert!(CancelSignal::watch(&js("return { aborted: false }")).is_none());
}

#[wasm_bindgen_test]
async fn sleep_waits_at_least_the_time_asked() {
    let started = js_sys::Date::now();
    sleep_ms(30.0).await;
    assert!(js_sys::Date::now() - started >= 29.0);
    let started = js_sys::Date::now();
    sleep_ms(0.0).await;
    assert!(js_sys::Date::now() - started < 500.0);
}

#[wasm_bindgen_test]
fn results_become_plain_objects_with_the_documented_fields() {
    let status = SessionStatus { status: SessionState::Complete, error: None, connection_id: Some("conn_1".into()) };
    let object = to_js(&status).unwrap();
    assert_eq!(get(&object, "status").as_string().as_deref(), Some("complete"));
    assert_eq!(get(&object, "connection_id").as_string().as_deref(), Some("conn_1"));
    assert!(!Reflect::has(&object, &"error".into()).unwrap(), "an absent field is left out, not null");
}
