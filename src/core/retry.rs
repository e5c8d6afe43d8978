//! When to retry and how long to wait (CONTRACT section 3).

use super::response::HeaderMap;
use super::text::{pieces, split_at_byte, trim_space, whole_number};

/// Answers worth another attempt: request timeout, conflict, rate limit and
/// server errors. Everything else is final.
pub const RETRYABLE_STATUSES: [u16; 7] = [408, 409, 429, 500, 502, 503, 504];
pub const BASE_BACKOFF_MS: f64 = 500.0;
pub const MAX_BACKOFF_MS: f64 = 8_000.0;
/// The most of a server's `retry-after` that is honoured.
pub const MAX_RETRY_AFTER_MS: f64 = 60_000.0;

pub fn is_retryable_status(status: u16) -> bool {
    RETRYABLE_STATUSES.contains(&status)
}

/// Exponential backoff before retry `n` (1-based): 500 ms * 2^(n-1) plus up
/// to 50 % jitter, capped at 8 s. `random` is in [0, 1).
pub fn backoff_ms(n: u32, random: f64) -> f64 {
    let exponent = n.saturating_sub(1).min(16) as i32;
    let base = BASE_BACKOFF_MS * 2f64.powi(exponent);
    (base + base * 0.5 * random.clamp(0.0, 1.0)).min(MAX_BACKOFF_MS)
}

/// The delay the server asks for, if any: `retry-after-ms` (milliseconds),
/// else `retry-after` as a number (seconds; taken as milliseconds when above
/// 1000 or fractional) or as an HTTP date. Negative or unreadable values are
/// ignored; at most [`MAX_RETRY_AFTER_MS`] is used.
pub fn retry_after_ms<H: HeaderMap>(headers: &H, now_ms: f64) -> Option<f64> {
    let from_ms = headers.get("retry-after-ms").and_then(|v| parse_decimal(&v)).filter(|ms| *ms >= 0.0);
    let asked = from_ms.or_else(|| {
        let v = headers.get("retry-after")?;
        match parse_decimal(&v) {
            Some(n) if n > 1000.0 || n.fract() != 0.0 => Some(n),
            Some(n) => Some(n * 1000.0),
            None => parse_http_date(&v).map(|at| (at - now_ms).max(0.0)),
        }
    })?;
    (asked >= 0.0).then_some(asked.min(MAX_RETRY_AFTER_MS))
}

/// The wait before retry `n`: what the server asked for, else backoff.
pub fn delay_ms<H: HeaderMap>(n: u32, headers: Option<&H>, now_ms: f64, random: f64) -> f64 {
    headers.and_then(|h| retry_after_ms(h, now_ms)).unwrap_or_else(|| backoff_ms(n, random))
}

/// A plain decimal number (`-12`, `1.5`); no exponents, no float parser.
fn parse_decimal(s: &str) -> Option<f64> {
    let s = trim_space(s);
    let (negative, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (whole, fraction) = split_at_byte(s, b'.').unwrap_or((s, ""));
    if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !digits(fraction) || whole.len() > 15 {
        return None;
    }
    let mut value = whole.bytes().fold(0.0, |acc, b| acc * 10.0 + f64::from(b - b'0'));
    let mut scale = 0.1;
    for b in fraction.bytes().take(9) {
        value += f64::from(b - b'0') * scale;
        scale /= 10.0;
    }
    Some(if negative { -value } else { value })
}

/// An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) as milliseconds since
/// the epoch.
fn parse_http_date(s: &str) -> Option<f64> {
    let mut parts = trim_space(s).split_ascii_whitespace();
    let _weekday = parts.next()?;
    let day = whole_number(parts.next()?)?;
    let month_name = parts.next()?;
    let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"].iter().position(|m| *m == month_name)? as i64 + 1;
    let year = whole_number(parts.next()?)?;
    let mut hms = pieces(parts.next()?, b':').map(whole_number);
    let (h, m, sec) = (hms.next()??, hms.next()??, hms.next()??);
    if parts.next()? != "GMT" || !(1..=31).contains(&day) || h > 23 || m > 59 || sec > 60 {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(((days * 86_400 + h * 3600 + m * 60 + sec) * 1000) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::response::testing::TestHeaders;

    fn headers(pairs: &[(&str, &str)]) -> TestHeaders {
        TestHeaders(pairs.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect())
    }

    #[test]
    fn retryable_statuses_are_exactly_the_contract() {
        for s in 100..600 {
            assert_eq!(is_retryable_status(s), [408, 409, 429, 500, 502, 503, 504].contains(&s), "{s}");
        }
    }

    #[test]
    fn backoff_doubles_with_half_jitter_and_caps_at_8s() {
        assert_eq!(backoff_ms(1, 0.0), 500.0);
        assert_eq!(backoff_ms(1, 0.5), 625.0);
        assert!(backoff_ms(1, 0.999_999) < 750.0);
        assert_eq!(backoff_ms(2, 0.0), 1000.0);
        assert_eq!(backoff_ms(3, 0.5), 2500.0);
        assert_eq!(backoff_ms(5, 0.0), 8000.0);
        assert_eq!(backoff_ms(40, 0.9), 8000.0);
    }

    #[test]
    fn retry_after_forms() {
        let now = 1_000_000_000_000.0;
        let cases: [(&[(&str, &str)], Option<f64>); 12] = [
            (&[("retry-after-ms", "250")], Some(250.0)),
            (&[("retry-after-ms", "250"), ("retry-after", "9")], Some(250.0)),
            (&[("retry-after", "2")], Some(2000.0)),
            (&[("retry-after", "1500")], Some(1500.0)),
            (&[("retry-after", "0.5")], Some(0.5)),
            (&[("retry-after", "-3")], None),
            (&[("retry-after-ms", "-3")], None),
            (&[("retry-after-ms", "-3"), ("retry-after", "1")], Some(1000.0)),
            (&[("retry-after", "86400")], Some(60_000.0)),
            (&[("retry-after", "soon")], None),
            (&[("retry-after", "Sun, 09 Sep 2001 01:46:42 GMT")], Some(2000.0)),
            (&[("retry-after", "Sat, 08 Sep 2001 01:46:40 GMT")], Some(0.0)),
        ];
        for (h, want) in cases {
            assert_eq!(retry_after_ms(&headers(h), now), want, "{h:?}");
        }
    }

    #[test]
    fn delay_prefers_the_server_else_backoff() {
        assert_eq!(delay_ms(2, Some(&headers(&[("retry-after-ms", "10")])), 0.0, 0.0), 10.0);
        assert_eq!(delay_ms::<TestHeaders>(2, None, 0.0, 0.0), 1000.0);
        assert_eq!(delay_ms(1, Some(&headers(&[("retry-after", "x")])), 0.0, 0.0), 500.0);
    }
}
