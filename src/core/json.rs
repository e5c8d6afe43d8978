//! The one piece of JSON the client writes: the `createSession` body.
//! Writing it by hand keeps a JSON serializer out of the wasm binary.

/// Appends `s` to `out` as a JSON string literal (RFC 8259 escaping).
pub fn push_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                let n = c as usize;
                out.push_str("\\u00");
                out.push(char::from(HEX.get(n >> 4).copied().unwrap_or(b'0')));
                out.push(char::from(HEX.get(n & 0xf).copied().unwrap_or(b'0')));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Builds a JSON object from string members, leaving out absent ones
/// (the gateway wants absent fields omitted, not `null`).
pub fn object(members: &[(&str, Option<&str>)]) -> String {
    let mut out = String::from("{");
    for (name, value) in members {
        if let Some(value) = value {
            if out.len() > 1 {
                out.push(',');
            }
            push_string(&mut out, name);
            out.push(':');
            push_string(&mut out, value);
        }
    }
    out.push('}');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_any_string_through_a_real_json_parser() {
        let samples = ["plain", "quote \" and \\ backslash", "ctl \u{0}\u{1f}\n\r\t", "ünïcödé 🚀 \u{2028}", ""];
        for s in samples {
            let body = object(&[("k", Some(s))]);
            let v: serde_json::Value = serde_json::from_str(&body).unwrap();
            assert_eq!(v["k"], s, "{body}");
        }
    }

    #[test]
    fn omits_absent_members() {
        assert_eq!(object(&[("a", Some("1")), ("b", None), ("c", Some("3"))]), r#"{"a":"1","c":"3"}"#);
        assert_eq!(object(&[("a", None)]), "{}");
    }
}
