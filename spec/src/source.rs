//! Source files and byte spans.

use std::ops::Range;

/// A byte range into a [`SourceFile`]'s text.
pub type Span = Range<usize>;

/// A workflow definition's text and the path it is shown under in diagnostics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    path: String,
    text: String,
    /// The byte offset where each line starts: `line_col` is a binary
    /// search, not a scan, however many times it is asked.
    line_starts: Vec<usize>,
}

impl SourceFile {
    /// Wraps `text` read from `path`. A leading UTF-8 byte-order mark is
    /// dropped, so spans and columns count from the first real character.
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> Self {
        let mut text = text.into();
        if text.starts_with('\u{feff}') {
            text.drain(..'\u{feff}'.len_utf8());
        }
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceFile {
            path: path.into(),
            text,
            line_starts,
        }
    }

    /// The path as the user wrote it (relative paths stay relative).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The text, without a byte-order mark.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        // The last line that starts at or before `offset`.
        let line = self.line_starts.partition_point(|&start| start <= offset);
        let line_start = self.line_starts[line - 1];
        let col = self.text[line_start..offset]
            .trim_end_matches('\r')
            .chars()
            .count()
            + 1;
        (line, col)
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_and_ignores_bom_and_crlf() {
        let file = SourceFile::new("x.toml", "\u{feff}a = 1\r\nbé = 2\n");
        assert_eq!(file.line_col(0), (1, 1));
        let b = file.text().find('b').unwrap();
        assert_eq!(file.line_col(b), (2, 1));
        let two = file.text().find('2').unwrap();
        assert_eq!(file.line_col(two), (2, 6));
    }
}
