//! Reading answers: the envelope, the error table, `x-request-id`.
//!
//! The platform parses the body (in JS, `JSON.parse` costs no wasm bytes) and
//! exposes it through [`Body`]; this module decides what the answer means.

use super::error::{status_message, Error};
use super::text::{concat, decimal};
use super::types::{OAuthSession, SessionState, SessionStatus};

/// What is found at a path of object members in a JSON body.
#[derive(Debug, Clone, PartialEq)]
pub enum Field {
    Missing,
    Null,
    String(String),
    Object,
    /// A number, boolean or array: the name of its type, for messages.
    Other(&'static str),
}

/// A response body as the platform read it.
pub trait Body {
    /// Whether the body was empty (zero bytes).
    fn is_empty(&self) -> bool;
    /// Whether the body parsed as JSON.
    fn is_json(&self) -> bool;
    /// The value at `path` (object members from the top). `Missing` when the
    /// body is not JSON or a step is not an object.
    fn field(&self, path: &[&str]) -> Field;
    /// Which of `words` the value at `path` is, if it is a string equal to
    /// one of them. A platform may compare without copying the string out.
    fn word(&self, path: &[&str], words: &[&str]) -> Option<usize> {
        match self.field(path) {
            Field::String(s) => words.iter().position(|w| *w == s),
            _ => None,
        }
    }
}

/// Case-insensitive header lookup on the platform's headers type.
pub trait HeaderMap {
    fn get(&self, name: &str) -> Option<String>;
}

/// One answer from the server, body already read.
#[derive(Debug, Clone)]
pub struct Response<H, B> {
    pub status: u16,
    pub headers: H,
    pub body: B,
}

/// `lastResponse` on every result: the status, headers and request id.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseMeta<H> {
    pub status_code: u16,
    pub headers: H,
    pub request_id: Option<String>,
}

/// The most of a body this client reads (1 MiB): the API's answers are a few
/// hundred bytes, and a Worker has 128 MB in all.
pub const MAX_BODY_BYTES: usize = 1 << 20;
/// The longest `APIError` message kept from a body (characters); longer ones
/// are cut and end with `…`.
pub const MAX_MESSAGE_CHARS: usize = 1_000;

/// `message`, cut to [`MAX_MESSAGE_CHARS`].
pub fn shorten(message: String) -> String {
    match message.char_indices().nth(MAX_MESSAGE_CHARS) {
        Some((at, _)) => concat(&[message.get(..at).unwrap_or(""), "…"]),
        None => message,
    }
}

pub fn is_success(status: u16) -> bool {
    (200..300).contains(&status)
}

/// The `APIError` for a non-2xx answer: the body's `error`, else `message`,
/// else `Request failed with status N`.
pub fn api_error<H: HeaderMap, B: Body, C>(response: Response<H, B>) -> Error<H, C> {
    let text = |path: &[&str]| match response.body.field(path) {
        Field::String(s) if !s.is_empty() => Some(shorten(s)),
        _ => None,
    };
    let message = text(&["error"]).or_else(|| text(&["message"])).unwrap_or_else(|| status_message(response.status));
    let request_id = response.headers.get("x-request-id");
    Error::api(response.status, message, response.headers, request_id)
}

/// Unwraps a 2xx answer into a result and its `lastResponse`.
pub fn decode<T, H: HeaderMap, B: Body, C>(
    response: Response<H, B>,
    read: fn(&Data<'_, B>) -> Result<T, String>,
) -> Result<(T, ResponseMeta<H>), Error<H, C>> {
    if !is_success(response.status) {
        return Err(api_error(response));
    }
    let status = response.status;
    if !response.body.is_json() {
        let what = if response.body.is_empty() { "an empty body" } else { "a body that is not JSON" };
        return Err(Error::airstore(concat(&["Airstore answered ", &decimal(status.into()), " with ", what, "; expected a JSON envelope"])));
    }
    // The gateway wraps results as {"success":true,"data":{...}}; a bare
    // object is taken as it is.
    let prefix: &[&str] = if response.body.field(&["data"]) == Field::Object { &["data"] } else { &[] };
    let data = Data { body: &response.body, prefix };
    let value = read(&data).map_err(|why| Error::airstore(concat(&["Airstore answered ", &decimal(status.into()), " with an unexpected response: ", &why])))?;
    let request_id = response.headers.get("x-request-id");
    Ok((value, ResponseMeta { status_code: status, headers: response.headers, request_id }))
}

/// The unwrapped `data` object of an answer.
pub struct Data<'a, B> {
    body: &'a B,
    prefix: &'static [&'static str],
}

impl<B: Body> Data<'_, B> {
    fn get(&self, name: &str) -> Field {
        match self.prefix {
            [] => self.body.field(&[name]),
            _ => self.body.field(&["data", name]),
        }
    }

    /// Which of `words` the member is (see [`Body::word`]).
    pub fn word(&self, name: &str, words: &[&str]) -> Option<usize> {
        match self.prefix {
            [] => self.body.word(&[name], words),
            _ => self.body.word(&["data", name], words),
        }
    }

    fn describe(&self, name: &str) -> String {
        concat(&[if self.prefix.is_empty() { "" } else { "data." }, name])
    }

    /// A member that must be a string.
    pub fn string(&self, name: &str) -> Result<String, String> {
        match self.get(name) {
            Field::String(s) => Ok(s),
            Field::Missing => Err(concat(&[&self.describe(name), " is missing"])),
            other => Err(not_a_string(&self.describe(name), &other)),
        }
    }

    /// A member that may be absent or null, else must be a string.
    pub fn optional_string(&self, name: &str) -> Result<Option<String>, String> {
        match self.get(name) {
            Field::String(s) => Ok(Some(s)),
            Field::Missing | Field::Null => Ok(None),
            other => Err(not_a_string(&self.describe(name), &other)),
        }
    }
}

fn not_a_string(name: &str, field: &Field) -> String {
    concat(&[name, " is ", type_name(field), ", not a string"])
}

fn type_name(field: &Field) -> &'static str {
    match field {
        Field::Missing => "missing",
        Field::Null => "null",
        Field::String(_) => "a string",
        Field::Object => "an object",
        Field::Other(t) => t,
    }
}

/// `data` of `POST /oauth/sessions`.
pub fn read_session<B: Body>(data: &Data<'_, B>) -> Result<OAuthSession, String> {
    Ok(OAuthSession { session_id: data.string("session_id")?, authorize_url: data.string("authorize_url")? })
}

/// `data` of `GET /oauth/sessions/{id}`.
pub fn read_status<B: Body>(data: &Data<'_, B>) -> Result<SessionStatus, String> {
    let Some(status) = data.word("status", &SessionState::NAMES).and_then(|i| SessionState::ALL.get(i).copied()) else {
        let raw = data.string("status")?;
        return Err(concat(&[&data.describe("status"), " is '", &raw, "', not one of pending, complete, error"]));
    };
    Ok(SessionStatus { status, error: data.optional_string("error")?, connection_id: data.optional_string("connection_id")? })
}

#[cfg(test)]
pub mod testing {
    //! A [`Body`] and [`HeaderMap`] over serde_json for host tests.
    use super::*;

    #[derive(Debug, Clone)]
    pub struct JsonBody(pub String);

    impl Body for JsonBody {
        fn is_empty(&self) -> bool {
            self.0.is_empty()
        }
        fn is_json(&self) -> bool {
            serde_json::from_str::<serde_json::Value>(&self.0).is_ok()
        }
        fn field(&self, path: &[&str]) -> Field {
            let Ok(mut v) = serde_json::from_str::<serde_json::Value>(&self.0) else { return Field::Missing };
            for step in path {
                match v.get(step) {
                    Some(next) => v = next.clone(),
                    None => return Field::Missing,
                }
            }
            match v {
                serde_json::Value::Null => Field::Null,
                serde_json::Value::String(s) => Field::String(s),
                serde_json::Value::Object(_) => Field::Object,
                serde_json::Value::Array(_) => Field::Other("an array"),
                serde_json::Value::Number(_) => Field::Other("a number"),
                serde_json::Value::Bool(_) => Field::Other("a boolean"),
            }
        }
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct TestHeaders(pub Vec<(String, String)>);

    impl HeaderMap for TestHeaders {
        fn get(&self, name: &str) -> Option<String> {
            self.0.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone())
        }
    }

    pub fn response(status: u16, headers: &[(&str, &str)], body: &str) -> Response<TestHeaders, JsonBody> {
        Response {
            status,
            headers: TestHeaders(headers.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect()),
            body: JsonBody(body.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::*;
    use super::*;
    use crate::core::error::ErrorClass;

    type E = Error<TestHeaders, ()>;

    #[test]
    fn unwraps_the_envelope_and_keeps_the_request_id() {
        let r = response(201, &[("X-Request-Id", "req_1")], r#"{"success":true,"data":{"session_id":"s1","authorize_url":"https://p/a"}}"#);
        let (s, meta) = decode::<_, _, _, ()>(r, read_session).unwrap();
        assert_eq!(s, OAuthSession { session_id: "s1".into(), authorize_url: "https://p/a".into() });
        assert_eq!(meta.status_code, 201);
        assert_eq!(meta.request_id.as_deref(), Some("req_1"));
    }

    #[test]
    fn reads_statuses_and_omits_absent_fields() {
        let r = response(200, &[], r#"{"success":true,"data":{"status":"complete","connection_id":"conn_1","error":null}}"#);
        let (s, meta) = decode::<_, _, _, ()>(r, read_status).unwrap();
        assert_eq!(s, SessionStatus { status: SessionState::Complete, error: None, connection_id: Some("conn_1".into()) });
        assert_eq!(meta.request_id, None);
    }

    #[test]
    fn unexpected_shapes_are_airstore_errors_naming_the_field() {
        let cases = [
            (r#"{"success":true,"data":{"status":"done"}}"#, "data.status is 'done', not one of pending, complete, error"),
            (r#"{"success":true,"data":{"status":7}}"#, "data.status is a number, not a string"),
            (r#"{"success":true,"data":{"status":"complete","connection_id":[1]}}"#, "data.connection_id is an array, not a string"),
            (r#"{"success":true}"#, "status is missing"),
        ];
        for (body, why) in cases {
            let e: E = decode(response(200, &[], body), read_status).unwrap_err();
            assert_eq!(e.class, ErrorClass::AirstoreError);
            assert!(e.message.ends_with(why), "{} / {why}", e.message);
        }
        let e: E = decode(response(201, &[], r#"{"data":{"session_id":5,"authorize_url":"u"}}"#), read_session).unwrap_err();
        assert!(e.message.ends_with("data.session_id is a number, not a string"), "{}", e.message);
        let e: E = decode(response(200, &[], r#"{"success":true,"data":"#), read_status).unwrap_err();
        assert_eq!(e.message, "Airstore answered 200 with a body that is not JSON; expected a JSON envelope");
        let e: E = decode(response(200, &[], ""), read_status).unwrap_err();
        assert_eq!(e.message, "Airstore answered 200 with an empty body; expected a JSON envelope");
    }

    #[test]
    fn api_errors_take_error_then_message_then_the_status() {
        let e: E = decode(response(404, &[("x-request-id", "r")], r#"{"success":false,"error":"session not found"}"#), read_status).unwrap_err();
        assert_eq!((e.class, e.message.as_str(), e.status, e.request_id.as_deref()), (ErrorClass::NotFoundError, "session not found", Some(404), Some("r")));
        let e: E = decode(response(422, &[], r#"{"message":"bad"}"#), read_status).unwrap_err();
        assert_eq!((e.class, e.message.as_str()), (ErrorClass::UnprocessableEntityError, "bad"));
        let e: E = decode(response(502, &[], "<html>Bad gateway</html>"), read_status).unwrap_err();
        assert_eq!((e.class, e.message.as_str()), (ErrorClass::InternalServerError, "Request failed with status 502"));
        let long = "x".repeat(5_000);
        let e: E = decode(response(500, &[], &format!(r#"{{"error":"{long}"}}"#)), read_status).unwrap_err();
        assert_eq!(e.message.chars().count(), MAX_MESSAGE_CHARS + 1);
        assert!(e.message.ends_with('…'));
        let e: E = decode(response(400, &[], r#"{"error":{"code":1}}"#), read_status).unwrap_err();
        assert_eq!((e.class, e.message.as_str()), (ErrorClass::APIError, "Request failed with status 400"));
        assert!(e.headers.is_some());
    }
}
