//! Client configuration: the documented defaults and the checks every value
//! from the caller goes through. Each error message names its field.

use super::error::Error;

pub const DEFAULT_BASE_URL: &str = "https://api.airstore.ai/api/v1";
pub const DEFAULT_TIMEOUT_MS: f64 = 60_000.0;
pub const DEFAULT_MAX_RETRIES: u32 = 2;
pub const DEFAULT_POLL_TIMEOUT_MS: f64 = 300_000.0;
pub const DEFAULT_POLL_INTERVAL_MS: f64 = 2_000.0;

pub type Headers = Vec<(String, String)>;

/// The API key. Overwritten when dropped (the client freed), so it does not
/// linger in wasm memory; never shown by `Debug`.
#[derive(Clone, PartialEq)]
pub struct ApiKey(String);

impl ApiKey {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for ApiKey {
    fn from(key: String) -> Self {
        ApiKey(key)
    }
}

impl From<&str> for ApiKey {
    fn from(key: &str) -> Self {
        ApiKey(key.to_string())
    }
}

impl Drop for ApiKey {
    fn drop(&mut self) {
        let mut bytes = std::mem::take(&mut self.0).into_bytes();
        bytes.iter_mut().for_each(|b| *b = 0);
        std::hint::black_box(&bytes);
    }
}

impl core::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("[redacted]")
    }
}

/// A validated client configuration.
#[derive(Clone, PartialEq)]
pub struct ClientConfig {
    /// `None` for a keyless client (browsers): no `Authorization` is sent
    /// and `createSession` is refused before any request.
    pub api_key: Option<ApiKey>,
    pub base_url: String,
    pub timeout_ms: f64,
    pub max_retries: u32,
    pub default_headers: Headers,
}

// Hand-written so the key never shows in logs or panics.
impl core::fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ClientConfig")
            .field("api_key", &self.api_key)
            .field("base_url", &self.base_url)
            .field("timeout_ms", &self.timeout_ms)
            .field("max_retries", &self.max_retries)
            .finish_non_exhaustive()
    }
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            api_key: None,
            base_url: DEFAULT_BASE_URL.to_string(),
            timeout_ms: DEFAULT_TIMEOUT_MS,
            max_retries: DEFAULT_MAX_RETRIES,
            default_headers: Vec::new(),
        }
    }
}

/// Per-call overrides (`RequestOptions` less the signal, which is the
/// platform's business).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RequestOverrides {
    pub timeout_ms: Option<f64>,
    pub max_retries: Option<u32>,
    pub headers: Headers,
}

/// Checks that `raw` is an absolute `http:` or `https:` URL with a host and
/// no spaces, control characters or credentials. Returns the part after the
/// scheme.
pub fn http_url<'a, H, C>(field: &str, raw: &'a str) -> Result<&'a str, Error<H, C>> {
    let bad = |why: &str| Error::invalid(field, &format!("must be an http(s) URL{why}"));
    let lower = raw.get(..8).unwrap_or(raw).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        raw.get(8..)
    } else if lower.starts_with("http://") {
        raw.get(7..)
    } else {
        None
    };
    let rest = rest.ok_or_else(|| bad(", starting with https:// or http://"))?;
    if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad(" without spaces or control characters"));
    }
    // ASCII delimiters are looked for byte by byte: `str::contains(char)`
    // brought about 10 KB into the wasm (its searcher, and a panic path that
    // formats chars with the Unicode printable tables).
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.is_empty() {
        return Err(bad(" with a host"));
    }
    if authority.bytes().any(|b| b == b'@') {
        return Err(bad(" without credentials"));
    }
    Ok(rest)
}

/// Checks a base URL and strips trailing slashes. Besides being an http(s)
/// URL it must have no query or fragment: paths are appended to it.
pub fn base_url<H, C>(field: &str, raw: &str) -> Result<String, Error<H, C>> {
    http_url(field, raw)?;
    if raw.bytes().any(|b| b == b'?' || b == b'#') {
        return Err(Error::invalid(field, "must be an http(s) URL without a query or fragment"));
    }
    Ok(raw.trim_end_matches('/').to_string())
}

/// Whether a URL authority (`host[:port]`) names this machine: `localhost`,
/// an IPv4 address in 127.0.0.0/8 or `[::1]`. Browsers treat these as
/// secure, so an https page may call them over http.
pub fn is_loopback(authority: &str) -> bool {
    let host = if authority.starts_with('[') {
        authority.split_inclusive(']').next().unwrap_or("")
    } else {
        authority.split(':').next().unwrap_or("")
    };
    let octets: Vec<&str> = host.split('.').collect();
    let ipv4_loopback = octets.len() == 4
        && octets.first() == Some(&"127")
        && octets.iter().all(|o| !o.is_empty() && o.len() <= 3 && o.bytes().all(|b| b.is_ascii_digit()) && o.parse::<u16>().is_ok_and(|n| n <= 255));
    host.eq_ignore_ascii_case("localhost") || host == "[::1]" || ipv4_loopback
}

/// A duration in milliseconds: a finite number, zero or more.
pub fn millis<H, C>(field: &str, value: f64) -> Result<f64, Error<H, C>> {
    if value.is_finite() && value >= 0.0 {
        Ok(value + 0.0) // turns -0 into 0
    } else {
        Err(Error::invalid(field, "must be a finite number of milliseconds, zero or more"))
    }
}

/// A retry count: a whole number, zero or more.
pub fn retries<H, C>(field: &str, value: f64) -> Result<u32, Error<H, C>> {
    if value.is_finite() && value >= 0.0 && value.fract() == 0.0 && value <= f64::from(u32::MAX) {
        Ok(value as u32)
    } else {
        Err(Error::invalid(field, "must be a whole number, zero or more"))
    }
}

/// Headers that belong to the connection, which fetch manages itself
/// (Node's fetch refuses them, browsers drop them silently).
const CONNECTION_HEADERS: [&str; 9] = ["connection", "content-length", "expect", "host", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade"];

/// A header name must be an HTTP token that fetch lets a caller set, and its
/// value must be Latin-1 text without control characters (tab aside); fetch
/// would otherwise fail deep inside a call, after a retry.
pub fn header<H, C>(field: &str, name: &str, value: &str) -> Result<(), Error<H, C>> {
    let token = |c: char| c.is_ascii_alphanumeric() || (c.is_ascii() && b"!#$%&'*+-.^_`|~".contains(&(c as u8)));
    if name.is_empty() || !name.chars().all(token) {
        return Err(Error::invalid(field, "has a header name that is not a valid HTTP token"));
    }
    if CONNECTION_HEADERS.iter().any(|h| h.eq_ignore_ascii_case(name)) {
        return Err(Error::invalid(&format!("{field}[\"{name}\"]"), "is a connection header that fetch sets itself"));
    }
    if value.chars().any(|c| (c.is_control() && c != '\t') || c as u32 > 0xff) {
        return Err(Error::invalid(&format!("{field}[\"{name}\"]"), "must be a header value without control characters or characters beyond Latin-1"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    type E = Error<(), ()>;

    #[test]
    fn base_url_trims_trailing_slashes_and_keeps_the_path() {
        assert_eq!(base_url::<(), ()>("baseURL", "http://127.0.0.1:9/api/v1///").unwrap(), "http://127.0.0.1:9/api/v1");
        assert_eq!(base_url::<(), ()>("baseURL", "HTTPS://x.example").unwrap(), "HTTPS://x.example");
    }

    #[test]
    fn base_url_refuses_what_is_not_http() {
        for bad in ["", "ftp://x", "javascript:alert(1)", "https://", "https:///path", "//x.y", "https://a b", "https://u:p@x", "https://x/?q", "https://x/#f", "api.airstore.ai"] {
            let e: E = base_url("baseURL", bad).unwrap_err();
            assert!(e.message.starts_with("baseURL must be an http(s) URL"), "{bad}: {}", e.message);
        }
    }

    #[test]
    fn http_urls_may_carry_a_query_but_not_another_scheme() {
        assert!(http_url::<(), ()>("session.authorize_url", "https://accounts.google.com/o/oauth2/v2/auth?state=x#f").is_ok());
        for bad in ["javascript:alert(1)", "data:text/html,x", "file:///etc/passwd", "https://?x", "http://u@h/"] {
            assert!(http_url::<(), ()>("session.authorize_url", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn numbers_are_checked_and_named() {
        assert_eq!(millis::<(), ()>("timeout", -0.0).unwrap().to_bits(), 0.0f64.to_bits());
        for bad in [-1.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let e: E = millis("pollOpts.interval", bad).unwrap_err();
            assert!(e.message.starts_with("pollOpts.interval must be"), "{}", e.message);
        }
        assert_eq!(retries::<(), ()>("maxRetries", 3.0).unwrap(), 3);
        for bad in [-1.0, 1.5, f64::NAN, f64::INFINITY, 1e10] {
            let e: E = retries("maxRetries", bad).unwrap_err();
            assert!(e.message.starts_with("maxRetries must be a whole number"));
        }
    }

    #[test]
    fn headers_are_checked() {
        assert!(header::<(), ()>("headers", "X-Trace", "abc").is_ok());
        assert!(header::<(), ()>("headers", "bad name", "abc").is_err());
        assert!(header::<(), ()>("headers", "", "abc").is_err());
        let e: E = header("defaultHeaders", "X-A", "a\r\nInjected: 1").unwrap_err();
        assert_eq!(e.message, "defaultHeaders[\"X-A\"] must be a header value without control characters or characters beyond Latin-1");
        assert!(header::<(), ()>("headers", "X-A", "a\tb").is_ok());
        for bad in ["\u{1}", "\u{7f}", "\0", "é€"] {
            assert!(header::<(), ()>("headers", "X-A", bad).is_err(), "{bad:?}");
        }
        for name in ["Expect", "connection", "Transfer-Encoding", "keep-alive", "upgrade", "Host"] {
            let e: E = header("options.headers", name, "x").unwrap_err();
            assert!(e.message.ends_with("is a connection header that fetch sets itself"), "{}", e.message);
        }
    }

    #[test]
    fn loopback_is_exactly_this_machine() {
        for yes in ["localhost", "localhost:8787", "127.0.0.1", "127.0.0.1:9", "127.1.2.3", "[::1]", "[::1]:80"] {
            assert!(is_loopback(yes), "{yes}");
        }
        for no in ["127.evil.example", "127.0.0.1.nip.io", "localhost.evil.example", "127.0.0.256", "128.0.0.1", "[::2]", "example.com", ""] {
            assert!(!is_loopback(no), "{no}");
        }
    }

    #[test]
    fn debug_never_shows_the_key() {
        let c = ClientConfig { api_key: Some("org_secret".into()), ..Default::default() };
        assert!(!format!("{c:?}").contains("org_secret"));
    }
}
