//! The rules for the values a caller passes, as plain string and number
//! checks: each failure is an `AirstoreError` whose message names the field.
//! The bindings read the caller's JS values (types, getters, proxies) and
//! hand the strings and numbers here; a Rust caller uses the same rules.
//! Every check runs in time linear in its input.

use super::error::Error;
use super::text::concat;

/// The longest string accepted (UTF-16 units in JS, bytes here): every
/// string is copied into wasm memory.
pub const MAX_STRING: usize = 65_536;
pub const MAX_SESSION_ID: usize = 1_024;

pub const MISSING_API_KEY: &str = "API key is required. Pass it via the `apiKey` option or set the AIRSTORE_API_KEY environment variable.";
/// The providers Airstore connects through OAuth (others are still sent: the server decides).
pub const INTEGRATION_TYPES: &str = "gmail, gdrive, github, notion, linear, slack";

fn invalid<H, C>(field: &str, why: &str) -> Error<H, C> {
    Error::invalid(field, why)
}

/// Headers that belong to the connection, which fetch manages itself (Node's
/// fetch refuses them, browsers drop them silently).
const CONNECTION_HEADERS: [&str; 9] = ["connection", "content-length", "expect", "host", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade"];

/// A C0 or C1 control character (tab aside when `tab_ok`).
fn is_control(c: char, tab_ok: bool) -> bool {
    (c < ' ' && !(tab_ok && c == '\t')) || ('\u{7f}'..='\u{9f}').contains(&c)
}

/// Unicode White_Space or a control character.
fn is_space_or_control(c: char) -> bool {
    c <= ' '
        || ('\u{7f}'..='\u{a0}').contains(&c)
        || matches!(c, '\u{1680}' | '\u{2000}'..='\u{200a}' | '\u{2028}' | '\u{2029}' | '\u{202f}' | '\u{205f}' | '\u{3000}')
}

/// A string of `utf16_len` UTF-16 units (the length JS reports) within `max`.
/// The bindings check this before copying a JS string into wasm memory.
pub fn length<H, C>(field: &str, utf16_len: usize, max: usize) -> Result<(), Error<H, C>> {
    if utf16_len > max {
        return Err(invalid(field, &concat(&["is too long (at most ", &super::text::decimal(max as u64), " characters)"])));
    }
    Ok(())
}

/// A string within the length limit, counted as JS counts it.
pub fn text<H, C>(field: &str, value: &str, max: usize) -> Result<(), Error<H, C>> {
    length(field, value.encode_utf16().count(), max)
}

/// The API key: no line breaks, control characters or characters beyond
/// Latin-1 (it goes into a header).
pub fn api_key<H, C>(key: &str) -> Result<(), Error<H, C>> {
    if key.chars().any(|c| is_control(c, false) || c > '\u{ff}') {
        return Err(invalid("options.apiKey", "must not contain line breaks, control characters or characters beyond Latin-1"));
    }
    Ok(())
}

/// An absolute http: or https: URL with a host and no spaces, control
/// characters or credentials; returns the part after the scheme.
pub fn http_url<'a, H, C>(field: &str, raw: &'a str) -> Result<&'a str, Error<H, C>> {
    let scheme_len = ["https://", "http://"].iter().find(|s| raw.get(..s.len()).is_some_and(|p| p.eq_ignore_ascii_case(s))).map(|s| s.len());
    let Some(scheme_len) = scheme_len else {
        return Err(invalid(field, "must be an http(s) URL, starting with https:// or http://"));
    };
    if raw.chars().any(is_space_or_control) {
        return Err(invalid(field, "must be an http(s) URL without spaces or control characters"));
    }
    let rest = raw.get(scheme_len..).unwrap_or("");
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.is_empty() {
        return Err(invalid(field, "must be an http(s) URL with a host"));
    }
    if authority.contains('@') {
        return Err(invalid(field, "must be an http(s) URL without credentials"));
    }
    Ok(rest)
}

/// A base URL: an http(s) URL without query or fragment (paths are
/// appended), trailing slashes stripped.
pub fn base_url<H, C>(field: &str, raw: &str) -> Result<String, Error<H, C>> {
    http_url(field, raw)?;
    if raw.contains(['?', '#']) {
        return Err(invalid(field, "must be an http(s) URL without a query or fragment"));
    }
    Ok(raw.trim_end_matches('/').to_string())
}

/// The authority (`host[:port]`) of an http(s) URL.
pub fn authority(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.split(['/', '?', '#']).next().unwrap_or("")
}

/// Whether a URL authority (`host[:port]`) names this machine: localhost,
/// 127.0.0.0/8 or `[::1]`. Browsers treat these as secure, so an https page
/// may call them over http.
pub fn is_loopback(authority: &str) -> bool {
    let host = if authority.starts_with('[') {
        authority.split_inclusive(']').next().unwrap_or(authority)
    } else {
        authority.split(':').next().unwrap_or(authority)
    };
    let octets: Vec<&str> = host.split('.').collect();
    let ipv4 = octets.len() == 4
        && octets.first() == Some(&"127")
        && octets.iter().all(|o| (1..=3).contains(&o.len()) && o.bytes().all(|b| b.is_ascii_digit()) && super::text::whole_number(o).is_some_and(|n| n <= 255));
    host.eq_ignore_ascii_case("localhost") || host == "[::1]" || ipv4
}

/// Whether `url` is plain http to a host other than this machine.
pub fn is_plain_http_elsewhere(url: &str) -> bool {
    url.get(..7).is_some_and(|s| s.eq_ignore_ascii_case("http://")) && !is_loopback(authority(url))
}

/// A duration: a finite number of milliseconds, zero or more (-0 reads as 0).
pub fn millis<H, C>(field: &str, n: f64) -> Result<f64, Error<H, C>> {
    if !n.is_finite() || n < 0.0 {
        return Err(invalid(field, "must be a finite number of milliseconds, zero or more"));
    }
    Ok(n + 0.0)
}

/// A retry count: a whole number, zero or more.
pub fn retries<H, C>(field: &str, n: f64) -> Result<u32, Error<H, C>> {
    if !(n.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&n)) {
        return Err(invalid(field, "must be a whole number, zero or more"));
    }
    Ok(n as u32)
}

/// One header of a `Record<string, string>`: `field` names the record,
/// `item` the member (`field["Name"]`).
pub fn header<H, C>(field: &str, item: &str, name: &str, value: &str) -> Result<(), Error<H, C>> {
    text(field, name, MAX_STRING)?;
    text(item, value, MAX_STRING)?;
    let token = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    if name.is_empty() || !name.bytes().all(token) {
        return Err(invalid(field, "has a header name that is not a valid HTTP token"));
    }
    if CONNECTION_HEADERS.iter().any(|h| h.eq_ignore_ascii_case(name)) {
        return Err(invalid(item, "is a connection header that fetch sets itself"));
    }
    if value.chars().any(|c| is_control(c, true) || c > '\u{ff}') {
        return Err(invalid(item, "must be a header value without control characters or characters beyond Latin-1"));
    }
    Ok(())
}

/// A keyless client never sends Authorization, whatever its headers say.
pub fn no_authorization<H, C>(field: &str, headers: &[(String, String)]) -> Result<(), Error<H, C>> {
    if headers.iter().any(|(name, _)| name.eq_ignore_ascii_case("authorization")) {
        return Err(invalid(field, "must not set Authorization on a keyless client"));
    }
    Ok(())
}

/// A session id: non-empty, within its limit (the request builder refuses
/// `.` and `..`).
pub fn session_id<H, C>(field: &str, id: &str) -> Result<(), Error<H, C>> {
    if id.is_empty() {
        return Err(invalid(field, "must be a non-empty string"));
    }
    text(field, id, MAX_SESSION_ID)
}

#[cfg(test)]
mod tests {
    use super::*;
    type E = Error<(), ()>;

    fn message<T: core::fmt::Debug>(r: Result<T, E>) -> String {
        r.unwrap_err().message
    }

    #[test]
    fn base_urls() {
        assert_eq!(base_url::<(), ()>("f", "HTTPS://a.example/api/v1///").unwrap(), "HTTPS://a.example/api/v1");
        assert_eq!(message(base_url("f", "ftp://x")), "f must be an http(s) URL, starting with https:// or http://");
        assert_eq!(message(base_url("f", "https://a b")), "f must be an http(s) URL without spaces or control characters");
        assert_eq!(message(base_url("f", "https:///x")), "f must be an http(s) URL with a host");
        assert_eq!(message(base_url("f", "https://u:p@x")), "f must be an http(s) URL without credentials");
        assert_eq!(message(base_url("f", "https://x/?q")), "f must be an http(s) URL without a query or fragment");
        // Linear: 65k slashes.
        let slashes = concat(&["https://x", &"/".repeat(65_000)]);
        assert_eq!(base_url::<(), ()>("f", &slashes).unwrap(), "https://x");
    }

    #[test]
    fn loopback_hosts() {
        for yes in ["localhost", "LOCALHOST:80", "127.0.0.1", "127.1.2.3:9", "[::1]", "[::1]:8787"] {
            assert!(is_loopback(yes), "{yes}");
        }
        for no in ["example.com", "127.0.0.256", "128.0.0.1", "127.0.0", "[::2]", "localhost.evil"] {
            assert!(!is_loopback(no), "{no}");
        }
        assert!(is_plain_http_elsewhere("http://example.com/x"));
        assert!(!is_plain_http_elsewhere("http://127.0.0.1:9/x"));
        assert!(!is_plain_http_elsewhere("https://example.com/x"));
    }

    #[test]
    fn numbers_and_headers() {
        assert_eq!(millis::<(), ()>("t", -0.0).unwrap().to_bits(), 0.0f64.to_bits());
        for bad in [-1.0, f64::NAN, f64::INFINITY] {
            assert!(millis::<(), ()>("t", bad).is_err());
        }
        assert_eq!(retries::<(), ()>("r", 3.0).unwrap(), 3);
        for bad in [-1.0, 1.5, f64::NAN, f64::INFINITY, 4_294_967_296.0] {
            assert!(retries::<(), ()>("r", bad).is_err(), "{bad}");
        }
        assert!(header::<(), ()>("h", "h[\"X\"]", "X-Trace", "a\tb").is_ok());
        assert_eq!(message(header("h", "i", "X Y", "v")), "h has a header name that is not a valid HTTP token");
        assert_eq!(message(header("h", "i", "Host", "v")), "i is a connection header that fetch sets itself");
        assert_eq!(message(header("h", "i", "X", "a\nb")), "i must be a header value without control characters or characters beyond Latin-1");
        assert_eq!(message(header("h", "i", "X", "€")), "i must be a header value without control characters or characters beyond Latin-1");
        assert!(api_key::<(), ()>("org_é").is_ok());
        assert!(api_key::<(), ()>("org\n").is_err());
        assert!(no_authorization::<(), ()>("f", &[("AUTHORIZATION".into(), "x".into())]).is_err());
    }
}
