//! The one rule for the text the store is given, on both databases.
//!
//! PostgreSQL cannot hold U+0000 in a `text` column (it answers "invalid
//! byte sequence for encoding UTF8: 0x00"), while SQLite stores it. So that
//! the two behave the same and no database's error text is what a caller
//! meets, the store checks every text before it reaches SQL:
//!
//! - **Names** (instance ids, event names, idempotency keys, actor ids,
//!   roles, owners, the state and cursor of a listing, consumer names) may
//!   not be empty and may hold no control character at all (U+0000 to
//!   U+001F, U+007F to U+009F): they are shown in logs, URLs and audit
//!   trails, where a newline or an escape sequence would forge or garble
//!   what a reader sees, and no process names anything with one.
//! - **JSON text** (a payload) may not hold U+0000; a JSON text never holds
//!   one legitimately (inside a string it is written `\u0000`).
//!
//! A text that breaks the rule is [`StoreError::BadText`], naming the field,
//! and nothing is read or written.

use crate::StoreError;

/// Whether `c` is refused in a name: the C0 and C1 control characters
/// and DEL (Unicode's general category `Cc`).
fn is_control(c: char) -> bool {
    c.is_control()
}

/// Checks a name against the store's rule for text (see the module): not
/// empty, no control character. `field` is how the error names it ("the
/// instance id", "the event name", …). Public as
/// [`check_name`](crate::check_name), for a service that refuses such a
/// name before it reaches the store (a token's subject, say).
pub fn name(field: &'static str, value: &str) -> Result<(), StoreError> {
    if value.is_empty() {
        return Err(StoreError::BadText {
            field,
            problem: "is empty".to_string(),
        });
    }
    match value.char_indices().find(|(_, c)| is_control(*c)) {
        Some((at, c)) => Err(StoreError::BadText {
            field,
            problem: format!(
                "holds the control character U+{:04X} at byte {at}: names the store keeps \
                 hold no control characters",
                u32::from(c)
            ),
        }),
        None => Ok(()),
    }
}

/// [`name`] for an optional value.
pub(crate) fn name_opt(field: &'static str, value: Option<&str>) -> Result<(), StoreError> {
    value.map_or(Ok(()), |v| name(field, v))
}

/// Checks a JSON text (a payload): no U+0000.
pub(crate) fn json(field: &'static str, value: &str) -> Result<(), StoreError> {
    match value.find('\0') {
        Some(at) => Err(StoreError::BadText {
            field,
            problem: format!(
                "holds U+0000 at byte {at}, which neither database stores (in a JSON string, \
                 write it \\u0000)"
            ),
        }),
        None => Ok(()),
    }
}

/// [`json`] for an optional value.
pub(crate) fn json_opt(field: &'static str, value: Option<&str>) -> Result<(), StoreError> {
    value.map_or(Ok(()), |v| json(field, v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_refuse_every_control_character_and_nothing_else() {
        for bad in [
            "a\0b",
            "a\nb",
            "\t",
            "x\u{1b}[31m",
            "\u{7f}",
            "\u{85}",
            "\u{9f}",
        ] {
            let e = name("the instance id", bad).unwrap_err();
            assert!(
                e.to_string()
                    .starts_with("the instance id holds the control character U+"),
                "{e}"
            );
        }
        assert_eq!(
            name("the event name", "").unwrap_err().to_string(),
            "the event name is empty"
        );
        for good in ["acme", "naïve", "東京", "a b", "a%00b", "\u{a0}", "🦀"] {
            name("the instance id", good).unwrap();
        }
        assert_eq!(
            name("the instance id", "nul\0x").unwrap_err().to_string(),
            "the instance id holds the control character U+0000 at byte 3: names the store \
             keeps hold no control characters"
        );
    }

    #[test]
    fn json_refuses_nul_only() {
        json("the payload", r#"{"text": "a\u0000b"}"#).unwrap();
        json("the payload", "{\"text\":\n\"tab\there\"}").unwrap();
        assert!(json("the payload", "{\"text\": \"a\0b\"}").is_err());
    }
}
