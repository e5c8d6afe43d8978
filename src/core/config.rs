//! Client configuration: the documented defaults and the checked values
//! (the rules are in [`super::check`]).

pub const DEFAULT_BASE_URL: &str = "https://api.airstore.ai/api/v1";
pub const DEFAULT_TIMEOUT_MS: f64 = 60_000.0;
pub const DEFAULT_MAX_RETRIES: u32 = 2;
pub const DEFAULT_POLL_TIMEOUT_MS: f64 = 300_000.0;
pub const DEFAULT_POLL_INTERVAL_MS: f64 = 2_000.0;
/// What every request outside a browser sends as `User-Agent`, so the
/// gateway's operators see which client calls them.
pub const USER_AGENT: &str = concat!("airstore-wasm/", env!("CARGO_PKG_VERSION"));

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
    /// Sent as `User-Agent` when set: [`USER_AGENT`] in Node, Deno, Bun and
    /// workerd; never in browsers, where it would force a CORS preflight on
    /// the keyless GET.
    pub user_agent: Option<&'static str>,
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
            user_agent: None,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_key() {
        let c = ClientConfig { api_key: Some("org_secret".into()), ..Default::default() };
        assert!(!format!("{c:?}").contains("org_secret"));
    }
}
