//! Small text helpers for the messages and headers the core builds. They
//! stand in for `format!`, `str::parse` and the `char` pattern searches,
//! which bring the standard library's formatting and Unicode machinery
//! into the wasm (docs/size.md): the core only ever needs ASCII delimiters
//! and whole numbers.

/// The parts, one after the other.
pub fn concat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        out.push_str(part);
    }
    out
}

/// `n` in decimal.
pub fn decimal(n: u64) -> String {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = n;
    loop {
        at -= 1;
        if let Some(d) = digits.get_mut(at) {
            *d = b'0' + (rest % 10) as u8;
        }
        rest /= 10;
        if rest == 0 || at == 0 {
            break;
        }
    }
    digits.get(at..).map(|d| d.iter().map(|&b| char::from(b)).collect()).unwrap_or_default()
}

/// `s` split at the first `delimiter` (an ASCII byte), without it.
pub fn split_at_byte(s: &str, delimiter: u8) -> Option<(&str, &str)> {
    let at = s.bytes().position(|b| b == delimiter)?;
    Some((s.get(..at)?, s.get(at + 1..)?))
}

/// The pieces of `s` between `delimiter`s (an ASCII byte).
pub fn pieces(s: &str, delimiter: u8) -> impl Iterator<Item = &str> {
    let mut rest = Some(s);
    std::iter::from_fn(move || {
        let now = rest?;
        match split_at_byte(now, delimiter) {
            Some((piece, after)) => {
                rest = Some(after);
                Some(piece)
            }
            None => {
                rest = None;
                Some(now)
            }
        }
    })
}

/// A whole number of at most 15 ASCII digits, with an optional sign (as
/// `str::parse::<i64>` reads it, short of overflow).
pub fn whole_number(s: &str) -> Option<i64> {
    let (negative, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, s.get(1..)?),
        Some(b'+') => (false, s.get(1..)?),
        _ => (false, s),
    };
    if digits.is_empty() || digits.len() > 15 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = digits.bytes().fold(0, |n, b| n * 10 + i64::from(b - b'0'));
    Some(if negative { -n } else { n })
}

/// `s` without the whitespace a Latin-1 header value can carry at either
/// end (what `str::trim` strips, within Latin-1: tab, line feed, vertical
/// tab, form feed, carriage return, space, NEL, no-break space).
pub fn trim_space(s: &str) -> &str {
    let space = |c: char| matches!(c, '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{85}' | '\u{a0}');
    s.trim_matches(space)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_and_pieces() {
        for n in [0u64, 7, 10, 404, 65_535, u64::MAX] {
            assert_eq!(decimal(n), n.to_string());
        }
        assert_eq!(concat(&["a", "", "bc"]), "abc");
        assert_eq!(split_at_byte("a:b:c", b':'), Some(("a", "b:c")));
        assert_eq!(split_at_byte("abc", b':'), None);
        assert_eq!(pieces("08:49:37", b':').collect::<Vec<_>>(), ["08", "49", "37"]);
        assert_eq!(pieces("", b':').collect::<Vec<_>>(), [""]);
        assert_eq!(pieces("a::", b':').collect::<Vec<_>>(), ["a", "", ""]);
        assert_eq!(whole_number("0042"), Some(42));
        assert_eq!(whole_number("+06"), Some(6));
        assert_eq!(whole_number("-1994"), Some(-1994));
        assert_eq!(trim_space("\u{a0}\t0 \u{85}"), "0");
        for bad in ["", "-", "+", "1.5", " 1", "1234567890123456"] {
            assert_eq!(whole_number(bad), None, "{bad}");
        }
    }
}
