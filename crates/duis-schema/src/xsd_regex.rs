//! Translation of XSD 1.0 regular expressions (XML Schema Part 2, appendix
//! F) into the syntax of the `regex` crate.
//!
//! XSD expressions are implicitly anchored, have no `^`/`$` anchors (both are
//! ordinary characters), no lazy quantifiers or back-references, and a few
//! escapes of their own (`\i`, `\c`, and `\s`/`\w`/`.` with XML meanings).
//! Character class subtraction `[a-z-[aeiou]]` becomes the `regex` crate's
//! `[[a-z]--[aeiou]]`. Unicode block escapes (`\p{IsBasicLatin}`) are not
//! supported and reported as errors.

use std::fmt::Write;

/// Why an XSD pattern could not be translated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("XSD pattern {pattern:?}: {reason} at character {position}")]
pub struct PatternError {
    /// The pattern.
    pub pattern: String,
    /// What is wrong.
    pub reason: &'static str,
    /// Character offset.
    pub position: usize,
}

const NAME_START: &str = r"\x{3A}A-Z\x{5F}a-z\x{C0}-\x{D6}\x{D8}-\x{F6}\x{F8}-\x{2FF}\x{370}-\x{37D}\x{37F}-\x{1FFF}\x{200C}-\x{200D}\x{2070}-\x{218F}\x{2C00}-\x{2FEF}\x{3001}-\x{D7FF}\x{F900}-\x{FDCF}\x{FDF0}-\x{FFFD}\x{10000}-\x{EFFFF}";
const NAME_EXTRA: &str = r"\x{2D}\x{2E}0-9\x{B7}\x{300}-\x{36F}\x{203F}-\x{2040}";
const SPACE: &str = r"\x{20}\x{9}\x{A}\x{D}";

struct Parser<'a> {
    src: &'a str,
    chars: Vec<char>,
    pos: usize,
}

/// Translate an XSD pattern into an anchored `regex` crate pattern.
pub fn translate(pattern: &str) -> Result<String, PatternError> {
    let mut p = Parser {
        src: pattern,
        chars: pattern.chars().collect(),
        pos: 0,
    };
    let mut out = String::with_capacity(pattern.len() * 2 + 8);
    out.push_str(r"\A(?:");
    p.reg_exp(&mut out, 0)?;
    if p.pos != p.chars.len() {
        return Err(p.err("unbalanced parenthesis"));
    }
    out.push_str(r")\z");
    Ok(out)
}

fn lit(out: &mut String, c: char) {
    // Infallible for String.
    let _ = write!(out, r"\x{{{:X}}}", c as u32);
}

impl Parser<'_> {
    fn err(&self, reason: &'static str) -> PatternError {
        PatternError {
            pattern: self.src.to_owned(),
            reason,
            position: self.pos,
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek2(&self) -> Option<char> {
        self.chars.get(self.pos + 1).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += 1;
        Some(c)
    }

    fn reg_exp(&mut self, out: &mut String, depth: usize) -> Result<(), PatternError> {
        if depth > 64 {
            return Err(self.err("nesting too deep"));
        }
        loop {
            self.branch(out, depth)?;
            if self.peek() == Some('|') {
                self.pos += 1;
                out.push('|');
            } else {
                return Ok(());
            }
        }
    }

    fn branch(&mut self, out: &mut String, depth: usize) -> Result<(), PatternError> {
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                return Ok(());
            }
            self.atom(out, depth)?;
            self.quantifier(out)?;
        }
        Ok(())
    }

    fn quantifier(&mut self, out: &mut String) -> Result<(), PatternError> {
        match self.peek() {
            Some(c @ ('?' | '*' | '+')) => {
                self.pos += 1;
                out.push(c);
            }
            Some('{') => {
                self.pos += 1;
                let lo = self.number()?;
                let mut hi = Some(lo);
                if self.peek() == Some(',') {
                    self.pos += 1;
                    hi = if self.peek() == Some('}') {
                        None
                    } else {
                        Some(self.number()?)
                    };
                }
                if self.bump() != Some('}') {
                    return Err(self.err("expected '}'"));
                }
                if let Some(h) = hi
                    && h < lo
                {
                    return Err(self.err("quantifier range is reversed"));
                }
                match hi {
                    Some(h) if h == lo => {
                        let _ = write!(out, "{{{lo}}}");
                    }
                    Some(h) => {
                        let _ = write!(out, "{{{lo},{h}}}");
                    }
                    None => {
                        let _ = write!(out, "{{{lo},}}");
                    }
                }
            }
            _ => return Ok(()),
        }
        // XSD has no lazy or possessive quantifiers and no stacked ones.
        if matches!(self.peek(), Some('?' | '*' | '+' | '{')) {
            return Err(self.err("quantifier follows quantifier"));
        }
        Ok(())
    }

    fn number(&mut self) -> Result<u32, PatternError> {
        let start = self.pos;
        let mut v: u32 = 0;
        while let Some(d) = self.peek().and_then(|c| c.to_digit(10)) {
            v = v
                .checked_mul(10)
                .and_then(|v| v.checked_add(d))
                .ok_or_else(|| self.err("quantifier too large"))?;
            self.pos += 1;
        }
        if self.pos == start {
            return Err(self.err("expected a number"));
        }
        if v > 1000 {
            return Err(self.err("quantifier too large"));
        }
        Ok(v)
    }

    fn atom(&mut self, out: &mut String, depth: usize) -> Result<(), PatternError> {
        let Some(c) = self.bump() else {
            return Err(self.err("unexpected end"));
        };
        match c {
            '(' => {
                out.push_str("(?:");
                self.reg_exp(out, depth + 1)?;
                if self.bump() != Some(')') {
                    return Err(self.err("expected ')'"));
                }
                out.push(')');
            }
            '[' => {
                let class = self.char_class_expr(depth)?;
                out.push_str(&class);
            }
            '.' => out.push_str(r"[^\x{A}\x{D}]"),
            '\\' => {
                let class = self.escape()?;
                out.push_str(&class);
            }
            '?' | '*' | '+' | '{' | '}' | ')' | ']' => {
                return Err(self.err("unescaped metacharacter"));
            }
            c => lit(out, c),
        }
        Ok(())
    }

    /// After a backslash: a single character (as a literal) or a class.
    fn escape(&mut self) -> Result<String, PatternError> {
        let Some(c) = self.bump() else {
            return Err(self.err("dangling backslash"));
        };
        let mut out = String::new();
        match c {
            'n' => lit(&mut out, '\n'),
            'r' => lit(&mut out, '\r'),
            't' => lit(&mut out, '\t'),
            '\\' | '|' | '.' | '?' | '*' | '+' | '(' | ')' | '{' | '}' | '-' | '[' | ']' | '^' => {
                lit(&mut out, c)
            }
            's' => out = format!("[{SPACE}]"),
            'S' => out = format!("[^{SPACE}]"),
            'i' => out = format!("[{NAME_START}]"),
            'I' => out = format!("[^{NAME_START}]"),
            'c' => out = format!("[{NAME_START}{NAME_EXTRA}]"),
            'C' => out = format!("[^{NAME_START}{NAME_EXTRA}]"),
            'd' => out.push_str(r"\p{Nd}"),
            'D' => out.push_str(r"\P{Nd}"),
            'w' => out.push_str(r"[^\p{P}\p{Z}\p{C}]"),
            'W' => out.push_str(r"[\p{P}\p{Z}\p{C}]"),
            'p' | 'P' => {
                if self.bump() != Some('{') {
                    return Err(self.err("expected '{' after \\p"));
                }
                let start = self.pos;
                while self.peek().is_some_and(|c| c != '}') {
                    self.pos += 1;
                }
                let name: String = self.chars[start..self.pos].iter().collect();
                if self.bump() != Some('}') {
                    return Err(self.err("unterminated \\p{...}"));
                }
                const CATEGORIES: &[&str] = &[
                    "L", "Lu", "Ll", "Lt", "Lm", "Lo", "M", "Mn", "Mc", "Me", "N", "Nd", "Nl",
                    "No", "P", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Z", "Zs", "Zl", "Zp",
                    "S", "Sm", "Sc", "Sk", "So", "C", "Cc", "Cf", "Co", "Cn",
                ];
                if name.starts_with("Is") {
                    return Err(self.err("Unicode block escapes are not supported"));
                }
                if !CATEGORIES.contains(&name.as_str()) {
                    return Err(self.err("unknown Unicode category"));
                }
                let _ = write!(out, r"\{c}{{{name}}}");
            }
            _ => return Err(self.err("unknown escape")),
        }
        Ok(out)
    }

    /// After '[': a character class expression up to and including ']'.
    fn char_class_expr(&mut self, depth: usize) -> Result<String, PatternError> {
        if depth > 64 {
            return Err(self.err("nesting too deep"));
        }
        let negated = if self.peek() == Some('^') {
            self.pos += 1;
            true
        } else {
            false
        };
        let mut items = String::new();
        let mut first = true;
        let mut subtraction = None;
        loop {
            let Some(c) = self.peek() else {
                return Err(self.err("unterminated character class"));
            };
            match c {
                ']' => {
                    if first {
                        return Err(self.err("empty character class"));
                    }
                    self.pos += 1;
                    break;
                }
                '-' if self.peek2() == Some('[') => {
                    if first {
                        return Err(self.err("subtraction without a group"));
                    }
                    self.pos += 2;
                    subtraction = Some(self.char_class_expr(depth + 1)?);
                    if self.bump() != Some(']') {
                        return Err(self.err("subtraction must end the class"));
                    }
                    break;
                }
                '[' => return Err(self.err("unescaped '[' in character class")),
                '\\' => {
                    self.pos += 1;
                    let save = self.pos;
                    let single = self.single_char_escape();
                    match single {
                        Some(ch) => self.range_from(ch, &mut items)?,
                        None => {
                            self.pos = save;
                            let class = self.escape()?;
                            items.push_str(&class);
                        }
                    }
                }
                '-' => {
                    // A literal '-' is allowed first or last in a group.
                    self.pos += 1;
                    if !(first || self.peek() == Some(']')) {
                        return Err(self.err("'-' must be escaped here"));
                    }
                    lit(&mut items, '-');
                }
                c => {
                    self.pos += 1;
                    self.range_from(c, &mut items)?;
                }
            }
            first = false;
        }
        let base = if negated {
            format!("[^{items}]")
        } else {
            format!("[{items}]")
        };
        Ok(match subtraction {
            Some(sub) => format!("[{base}--{sub}]"),
            None => base,
        })
    }

    /// A single-character escape after '\' (position after the backslash).
    fn single_char_escape(&mut self) -> Option<char> {
        let c = self.peek()?;
        let ch = match c {
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            '\\' | '|' | '.' | '?' | '*' | '+' | '(' | ')' | '{' | '}' | '-' | '[' | ']' | '^' => c,
            _ => return None,
        };
        self.pos += 1;
        Some(ch)
    }

    /// `c` was a single character; it may start a range `c-d`.
    fn range_from(&mut self, c: char, items: &mut String) -> Result<(), PatternError> {
        if self.peek() == Some('-') && !matches!(self.peek2(), Some('[') | Some(']') | None) {
            self.pos += 1;
            let end = match self.bump() {
                Some('\\') => self
                    .single_char_escape()
                    .ok_or_else(|| self.err("range end must be a single character"))?,
                Some('[') => return Err(self.err("unescaped '[' in character class")),
                Some(d) => d,
                None => return Err(self.err("unterminated range")),
            };
            if end < c {
                return Err(self.err("character range is reversed"));
            }
            lit(items, c);
            items.push('-');
            lit(items, end);
        } else {
            lit(items, c);
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::translate;

    fn matches(p: &str, s: &str) -> bool {
        let re = regex::Regex::new(&translate(p).unwrap()).unwrap();
        re.is_match(s)
    }

    #[test]
    fn anchored_and_literal_metacharacters() {
        assert!(matches("[0-9]{4}", "2024"));
        assert!(!matches("[0-9]{4}", "20245"));
        assert!(!matches("[0-9]{4}", "x2024"));
        assert!(matches("a^b$", "a^b$"));
        assert!(matches("[ -~]+", "hello world~"));
        assert!(!matches("[ -~]+", "tab\there"));
        assert!(matches("a|b", "b"));
        assert!(!matches("a|b", "ab"));
    }

    #[test]
    fn xml_escapes() {
        assert!(matches(r"\i\c*", "_a-1.b"));
        assert!(!matches(r"\i\c*", "1a"));
        assert!(matches(r"\s", "\r"));
        assert!(!matches(r"\s", "\u{a0}"));
        assert!(matches(".", "x"));
        assert!(!matches(".", "\r"));
        assert!(matches(r"\d+", "١٢")); // Arabic-Indic digits are Nd
        assert!(matches(r"\p{Lu}\P{Lu}", "Ab"));
    }

    #[test]
    fn class_subtraction_and_dashes() {
        assert!(matches("[a-z-[aeiou]]+", "bcd"));
        assert!(!matches("[a-z-[aeiou]]+", "bad"));
        assert!(matches("[-a]+", "-a"));
        assert!(matches("[a-]+", "a-"));
        assert!(matches(r"[\-\[\]]+", "-[]"));
        assert!(matches("[^0-9]", "x"));
        assert!(!matches("[^0-9]", "5"));
    }

    #[test]
    fn rejects_non_xsd_syntax() {
        for bad in [
            "a??",
            "a{2",
            "(a",
            "a)",
            "[a",
            r"\p{IsBasicLatin}",
            r"\x",
            "[]",
            "*a",
        ] {
            assert!(translate(bad).is_err(), "{bad}");
        }
    }
}
