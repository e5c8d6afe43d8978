//! Building the two requests of the OAuth resource (CONTRACT section 4).

use super::config::{ClientConfig, Headers};
#[cfg(test)]
use super::config::ApiKey;
use super::error::{messages, Error};
use super::json;
use super::text::concat;
use super::types::CreateSessionParams;
use std::borrow::Cow;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// One HTTP request, ready for the platform to send.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpRequest {
    pub method: Method,
    pub url: String,
    pub headers: Headers,
    pub body: Option<String>,
}

// The header values include `Authorization: Bearer <key>`: overwritten when
// the request is dropped, as the key itself is (config::ApiKey).
impl Drop for HttpRequest {
    fn drop(&mut self) {
        for (_, value) in &mut self.headers {
            let mut bytes = std::mem::take(value).into_bytes();
            bytes.iter_mut().for_each(|b| *b = 0);
            std::hint::black_box(&bytes);
        }
    }
}

impl HttpRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// `POST /oauth/sessions` with the key and a JSON body whose absent fields
/// are omitted. A keyless client is refused here, before anything is sent.
pub fn create_session<H, C>(config: &ClientConfig, params: &CreateSessionParams, extra: &Headers) -> Result<HttpRequest, Error<H, C>> {
    let key = config.api_key.as_ref().ok_or_else(|| Error::airstore(messages::KEYLESS_CREATE))?.expose();
    let body = json::object(&[
        ("integration_type", Some(params.integration_type.as_str())),
        ("workspace_id", params.workspace_id.as_deref()),
        ("return_to", params.return_to.as_deref()),
    ]);
    let mut headers = vec![
        ("Accept".to_string(), "application/json".to_string()),
        ("Content-Type".to_string(), "application/json".to_string()),
        ("Authorization".to_string(), concat(&["Bearer ", key])),
    ];
    identify(&mut headers, config);
    merge(&mut headers, &config.default_headers);
    merge(&mut headers, extra);
    Ok(HttpRequest { method: Method::Post, url: concat(&[&config.base_url, "/oauth/sessions"]), headers, body: Some(body) })
}

/// `GET /oauth/sessions/{id}`. The id is one percent-encoded path segment,
/// so no id can reach another endpoint.
pub fn get_session<H, C>(config: &ClientConfig, session_id: &str, extra: &Headers) -> Result<HttpRequest, Error<H, C>> {
    let segment = path_segment(session_id)?;
    Ok(HttpRequest { method: Method::Get, url: concat(&[&sessions_url(config), &segment]), headers: get_session_headers(config, extra), body: None })
}

/// What every `GET /oauth/sessions/{id}` URL starts with (the encoded id
/// follows); the JS bindings keep it as a JS string for the client's life.
pub fn sessions_url(config: &ClientConfig) -> String {
    concat(&[&config.base_url, "/oauth/sessions/"])
}

/// The headers of `GET /oauth/sessions/{id}`. No `Content-Type` (there is
/// no body): a keyless GET from a browser stays a CORS simple request.
pub fn get_session_headers(config: &ClientConfig, extra: &Headers) -> Headers {
    let mut headers = vec![("Accept".to_string(), "application/json".to_string())];
    if let Some(key) = &config.api_key {
        headers.push(("Authorization".to_string(), concat(&["Bearer ", key.expose()])));
    }
    identify(&mut headers, config);
    merge(&mut headers, &config.default_headers);
    merge(&mut headers, extra);
    headers
}

/// `User-Agent`, where the platform sends one (see [`ClientConfig::user_agent`]).
fn identify(headers: &mut Headers, config: &ClientConfig) {
    if let Some(agent) = config.user_agent {
        headers.push(("User-Agent".to_string(), agent.to_string()));
    }
}

/// Later headers replace earlier ones of the same name (case-insensitive).
fn merge(headers: &mut Headers, extra: &Headers) {
    for (name, value) in extra {
        headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        headers.push((name.clone(), value.clone()));
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters (an id
/// made only of those, the usual case, is returned as it is). `.` and `..`
/// are refused: URL parsers treat them (and their encodings `%2e`) as
/// dot-segments and would walk up the path.
pub fn path_segment<H, C>(id: &str) -> Result<Cow<'_, str>, Error<H, C>> {
    if id.is_empty() {
        return Err(Error::invalid("sessionId", "must be a non-empty string"));
    }
    if id == "." || id == ".." {
        return Err(Error::invalid("sessionId", "must be a session id, not a path segment like '.' or '..'"));
    }
    let unreserved = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
    if id.bytes().all(unreserved) {
        return Ok(Cow::Borrowed(id));
    }
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(id.len() * 3);
    for b in id.bytes() {
        if unreserved(b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0')));
            out.push(char::from(HEX.get(usize::from(b & 0xf)).copied().unwrap_or(b'0')));
        }
    }
    Ok(Cow::Owned(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    type E = Error<(), ()>;

    fn config(key: Option<&str>) -> ClientConfig {
        ClientConfig { api_key: key.map(ApiKey::from), base_url: "http://127.0.0.1:1/api/v1".into(), ..Default::default() }
    }

    #[test]
    fn create_session_sends_key_json_and_omits_absent_fields() {
        let p = CreateSessionParams { integration_type: "gmail".into(), workspace_id: Some("ws_abc123".into()), return_to: None };
        let r = create_session::<(), ()>(&config(Some("org_k")), &p, &vec![]).unwrap();
        assert_eq!(r.method, Method::Post);
        assert_eq!(r.url, "http://127.0.0.1:1/api/v1/oauth/sessions");
        assert_eq!(r.header("authorization"), Some("Bearer org_k"));
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert_eq!(r.body.as_deref(), Some(r#"{"integration_type":"gmail","workspace_id":"ws_abc123"}"#));
    }

    #[test]
    fn keyless_create_is_refused_before_sending() {
        let e: E = create_session(&config(None), &CreateSessionParams::default(), &vec![]).unwrap_err();
        assert_eq!(e.message, messages::KEYLESS_CREATE);
    }

    #[test]
    fn get_has_no_content_type_and_keyless_no_authorization() {
        let r = get_session::<(), ()>(&config(None), "abc", &vec![]).unwrap();
        assert_eq!(r.header("content-type"), None);
        assert_eq!(r.header("authorization"), None);
        assert_eq!(r.body, None);
        let r = get_session::<(), ()>(&config(Some("k")), "abc", &vec![]).unwrap();
        assert_eq!(r.header("authorization"), Some("Bearer k"));
        assert_eq!(r.header("user-agent"), None, "only where the platform says");
        let c = ClientConfig { user_agent: Some(crate::core::config::USER_AGENT), ..config(None) };
        let r = get_session::<(), ()>(&c, "abc", &vec![]).unwrap();
        assert_eq!(r.header("user-agent"), Some(concat!("airstore-wasm/", env!("CARGO_PKG_VERSION"))));
    }

    #[test]
    fn headers_merge_case_insensitively_with_request_last() {
        let mut c = config(Some("k"));
        c.default_headers = vec![("X-A".into(), "default".into()), ("x-b".into(), "default".into())];
        let r = get_session::<(), ()>(&c, "s", &vec![("x-a".into(), "request".into())]).unwrap();
        assert_eq!(r.header("X-A"), Some("request"));
        assert_eq!(r.header("X-B"), Some("default"));
        assert_eq!(r.headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case("x-a")).count(), 1);
    }

    #[test]
    fn session_id_is_one_encoded_segment() {
        let cases = [
            ("sess_abc123", "sess_abc123"),
            ("../workspaces", "..%2Fworkspaces"),
            ("a/b", "a%2Fb"),
            ("a?x=1#f", "a%3Fx%3D1%23f"),
            ("%2e%2e", "%252e%252e"),
            ("é", "%C3%A9"),
            ("a b", "a%20b"),
            ("...", "..."),
        ];
        for (id, want) in cases {
            assert_eq!(path_segment::<(), ()>(id).unwrap(), want, "{id}");
        }
        for bad in ["", ".", ".."] {
            let e: E = path_segment(bad).unwrap_err();
            assert!(e.message.starts_with("sessionId must"), "{}", e.message);
        }
    }
}
