//! Text in XML (the SVG) and HTML (the explorer): one escape for both.

/// Pushes `text` escaped for XML and HTML text and attribute values;
/// control characters, which XML 1.0 forbids, become spaces.
pub(crate) fn escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
}

/// `text` escaped, as a new string (see [`escape`]).
pub(crate) fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape(text, &mut out);
    out
}
