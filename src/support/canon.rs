//! A reader of canonical JSON: bytes exactly as RFC 8785 (JCS) writes
//! them, for the payload formats that hold only strings, booleans, `null`,
//! arrays, objects and integers of magnitude at most 2^53 − 1.
//!
//! Reading canonical bytes is a single forward pass with nothing to
//! undo: no white space anywhere, every object's keys in strictly
//! increasing order of their UTF-16 code units (so no key twice), strings
//! escaped only as JCS escapes them (`\"`, `\\`, `\b`, `\f`, `\n`, `\r`,
//! `\t`, and `\u00xx` in lower-case hex for the other control
//! characters), integers as their shortest decimal digits (no `-0`, no
//! leading zero, no fraction or exponent). A reader built on it gets, in
//! the same pass, what a general parser needs several for: duplicate keys
//! refused, numbers bounded, and — because canonical form is unique — a
//! value's bytes in the document are the JCS bytes of that value, so a
//! sub-object can be hashed as it stands.
//!
//! The reader only says *that* and *where* the bytes depart from this; a
//! caller that must explain a refusal in the format's words reads the
//! bytes again with the general strict reader.

use std::borrow::Cow;

use super::strict::MAX_SAFE_INTEGER;

/// Where the bytes stop being canonical JSON of the expected shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// Byte offset into the document.
    pub at: usize,
    pub what: &'static str,
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at byte {}", self.what, self.at)
    }
}

pub type Result<T> = std::result::Result<T, Error>;

/// A forward reader over one canonical JSON document.
pub struct Reader<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
}

/// Bytes that end the plain run of a string: `"`, `\` and the controls.
static STOP: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 0x20 {
        t[c] = true;
        c += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t
};

/// The first index at or after `j` whose byte ends a string's plain run
/// (see [`STOP`]), or `b.len()`. Eight bytes at a time: a word holds such
/// a byte when one of its bytes is below 0x20 or equals `"` or `\\`.
fn plain_end(b: &[u8], mut j: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Some byte of x is zero (the classic test; exact about whether any
    // byte is, which is all this needs).
    let has_zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    while let Some(chunk) = b.get(j..j + 8) {
        let w = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
        // A byte below 0x20: its top three bits are zero.
        let control = has_zero(w & 0xe0e0_e0e0_e0e0_e0e0);
        let quote = has_zero(w ^ (ONES * u64::from(b'"')));
        let backslash = has_zero(w ^ (ONES * u64::from(b'\\')));
        if control | quote | backslash != 0 {
            break;
        }
        j += 8;
    }
    while j < b.len() && !STOP[b[j] as usize] {
        j += 1;
    }
    j
}

impl<'a> Reader<'a> {
    /// A reader over `s` (text, so its bytes are UTF-8 already).
    pub fn new(s: &'a str) -> Reader<'a> {
        Reader {
            s,
            b: s.as_bytes(),
            i: 0,
        }
    }

    /// The current byte offset.
    pub fn at(&self) -> usize {
        self.i
    }

    /// The document's bytes from `from` up to the current offset.
    pub fn since(&self, from: usize) -> &'a [u8] {
        &self.b[from..self.i]
    }

    fn fail<T>(&self, what: &'static str) -> Result<T> {
        Err(Error { at: self.i, what })
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn eat(&mut self, c: u8, what: &'static str) -> Result<()> {
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else {
            self.fail(what)
        }
    }

    /// The document ends here.
    pub fn end(&self) -> Result<()> {
        if self.i == self.b.len() {
            Ok(())
        } else {
            self.fail("bytes after the document")
        }
    }

    /// `{`: an object starts.
    pub fn object(&mut self) -> Result<Keys<'a>> {
        self.eat(b'{', "expected an object")?;
        Ok(Keys {
            first: true,
            last: None,
        })
    }

    /// `[`: an array starts.
    pub fn array(&mut self) -> Result<Items> {
        self.eat(b'[', "expected an array")?;
        Ok(Items { first: true })
    }

    /// The next key of the object `k` (with its `:` read), or `None` at
    /// its end (`}` read). Keys must come in strictly increasing JCS order.
    pub fn key(&mut self, k: &mut Keys<'a>) -> Result<Option<Cow<'a, str>>> {
        match self.peek() {
            Some(b'}') => {
                self.i += 1;
                return Ok(None);
            }
            Some(b',') if !k.first => self.i += 1,
            _ if k.first => {}
            _ => return self.fail("expected ',' or '}'"),
        }
        let at = self.i;
        let key = self.string()?;
        if let Some(last) = &k.last
            && !jcs_less(last, &key)
        {
            return Err(Error {
                at,
                what: "object keys not in strictly increasing order (a duplicate key, or not canonical)",
            });
        }
        self.eat(b':', "expected ':'")?;
        k.first = false;
        k.last = Some(key.clone());
        Ok(Some(key))
    }

    /// The next key of `k`, which must be `name`.
    pub fn field(&mut self, k: &mut Keys<'a>, name: &'static str) -> Result<()> {
        let at = self.i;
        match self.key(k)? {
            Some(key) if key == name => Ok(()),
            _ => Err(Error {
                at,
                what: "not the field the format has here",
            }),
        }
    }

    /// The object `k` ends here.
    pub fn close(&mut self, k: &mut Keys<'a>) -> Result<()> {
        let at = self.i;
        match self.key(k)? {
            None => Ok(()),
            Some(_) => Err(Error {
                at,
                what: "a field the format does not have",
            }),
        }
    }

    /// Whether the array `it` has another item (its `,` read), or ends
    /// (`]` read).
    pub fn item(&mut self, it: &mut Items) -> Result<bool> {
        match self.peek() {
            Some(b']') => {
                self.i += 1;
                Ok(false)
            }
            Some(b',') if !it.first => {
                self.i += 1;
                Ok(true)
            }
            _ if it.first => {
                it.first = false;
                Ok(true)
            }
            _ => self.fail("expected ',' or ']'"),
        }
    }

    /// A string, borrowed when it has no escape.
    pub fn string(&mut self) -> Result<Cow<'a, str>> {
        self.eat(b'"', "expected a string")?;
        let start = self.i;
        let j = plain_end(self.b, start);
        if self.b.get(j) == Some(&b'"') {
            self.i = j + 1;
            // Both ends are ASCII quotes of valid UTF-8 text: char
            // boundaries.
            return Ok(Cow::Borrowed(&self.s[start..j]));
        }
        let mut out = String::with_capacity(j - start + 16);
        out.push_str(&self.s[start..j]);
        self.i = j;
        loop {
            let run = self.i;
            self.i = plain_end(self.b, self.i);
            out.push_str(&self.s[run..self.i]);
            match self.peek() {
                Some(b'"') => {
                    self.i += 1;
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => {
                    self.i += 1;
                    let c = match self.peek() {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            let h = self.b.get(self.i + 1..self.i + 5);
                            let c = match h {
                                Some([b'0', b'0', a @ (b'0' | b'1'), d]) => {
                                    let lo = match d {
                                        b'0'..=b'9' => d - b'0',
                                        b'a'..=b'f' => d - b'a' + 10,
                                        _ => return self.fail("a \\u escape JCS does not write"),
                                    };
                                    ((a - b'0') << 4) | lo
                                }
                                _ => return self.fail("a \\u escape JCS does not write"),
                            };
                            // JCS writes these five with their short escapes.
                            if matches!(c, 0x08 | 0x09 | 0x0a | 0x0c | 0x0d) {
                                return self.fail("a \\u escape JCS does not write");
                            }
                            self.i += 4;
                            c as char
                        }
                        _ => return self.fail("an escape JCS does not write"),
                    };
                    self.i += 1;
                    out.push(c);
                }
                Some(_) => return self.fail("a raw control character in a string"),
                None => return self.fail("an unterminated string"),
            }
        }
    }

    /// An integer of magnitude at most 2^53 − 1, written canonically.
    pub fn int(&mut self) -> Result<i64> {
        let start = self.i;
        let neg = self.peek() == Some(b'-');
        if neg {
            self.i += 1;
        }
        let digits = self.i;
        let mut mag: u64 = 0;
        while let Some(d @ b'0'..=b'9') = self.peek() {
            if self.i - digits >= 16 {
                return self.fail("an integer of 2^53 or more");
            }
            mag = mag * 10 + u64::from(d - b'0');
            self.i += 1;
        }
        let n = self.i - digits;
        if n == 0 {
            return self.fail("expected an integer");
        }
        if n > 1 && self.b[digits] == b'0' {
            return Err(Error {
                at: start,
                what: "an integer with a leading zero",
            });
        }
        if neg && mag == 0 {
            return Err(Error {
                at: start,
                what: "-0 (JCS writes 0)",
            });
        }
        if matches!(self.peek(), Some(b'.' | b'e' | b'E')) {
            return self.fail("a number that is not an integer");
        }
        if mag > MAX_SAFE_INTEGER {
            return Err(Error {
                at: start,
                what: "an integer of 2^53 or more",
            });
        }
        Ok(if neg { -(mag as i64) } else { mag as i64 })
    }

    /// An integer that must be at least zero.
    pub fn uint(&mut self) -> Result<u64> {
        let at = self.i;
        let n = self.int()?;
        u64::try_from(n).map_err(|_| Error {
            at,
            what: "a negative number where the format has a count",
        })
    }

    fn word(&mut self, w: &'static [u8]) -> bool {
        if self.b[self.i..].starts_with(w) {
            self.i += w.len();
            true
        } else {
            false
        }
    }

    /// `true` or `false`.
    pub fn bool(&mut self) -> Result<bool> {
        if self.word(b"true") {
            Ok(true)
        } else if self.word(b"false") {
            Ok(false)
        } else {
            self.fail("expected true or false")
        }
    }

    /// `null`, read if it is next.
    pub fn null(&mut self) -> bool {
        self.word(b"null")
    }

    /// Whether the next value is a string.
    pub fn at_string(&self) -> bool {
        self.peek() == Some(b'"')
    }
}

/// The state of an object being read: its last key.
pub struct Keys<'a> {
    first: bool,
    last: Option<Cow<'a, str>>,
}

/// The state of an array being read.
pub struct Items {
    first: bool,
}

/// Whether `a` sorts before `b` in JCS order: by UTF-16 code units.
pub fn jcs_less(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return a < b;
    }
    a.encode_utf16().lt(b.encode_utf16())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_end_agrees_with_the_table_at_every_place() {
        // Every byte value at every offset of a 20-byte run, from every
        // start: the word-at-a-time scan stops where the byte table does.
        for v in 0u8..=255 {
            for at in 0..20 {
                let mut b = vec![b'a'; 20];
                b[at] = v;
                for start in 0..20 {
                    let slow = (start..b.len())
                        .find(|&j| STOP[b[j] as usize])
                        .unwrap_or(b.len());
                    assert_eq!(
                        plain_end(&b, start),
                        slow,
                        "byte {v:#x} at {at} from {start}"
                    );
                }
            }
        }
    }

    fn one(s: &str) -> Result<Vec<String>> {
        // A flat object of strings and integers, for the lexical rules.
        let mut r = Reader::new(s);
        let mut k = r.object()?;
        let mut out = Vec::new();
        while let Some(key) = r.key(&mut k)? {
            let v = if r.at_string() {
                r.string()?.into_owned()
            } else if r.null() {
                "null".into()
            } else if matches!(r.peek(), Some(b't' | b'f')) {
                r.bool()?.to_string()
            } else {
                r.int()?.to_string()
            };
            out.push(format!("{key}={v}"));
        }
        r.end()?;
        Ok(out)
    }

    #[test]
    fn canonical_documents_read() {
        assert_eq!(
            one(r#"{"a":1,"b":"x\n\u001fy","c":-5,"d":null,"e":true}"#).unwrap(),
            ["a=1", "b=x\n\u{1f}y", "c=-5", "d=null", "e=true"]
        );
        assert_eq!(one("{}").unwrap(), Vec::<String>::new());
        assert_eq!(
            one(r#"{"n":9007199254740991}"#).unwrap(),
            ["n=9007199254740991"]
        );
        assert_eq!(
            one(r#"{"n":-9007199254740991}"#).unwrap(),
            ["n=-9007199254740991"]
        );
        // Raw non-ASCII, DEL and U+2028 are JCS's own way of writing them.
        assert_eq!(
            one("{\"s\":\"创新\u{7f}\u{2028}\"}").unwrap(),
            ["s=创新\u{7f}\u{2028}"]
        );
    }

    #[test]
    fn every_departure_from_canonical_form_is_refused() {
        for bad in [
            r#"{ "a":1}"#,
            r#"{"a" :1}"#,
            r#"{"a": 1}"#,
            r#"{"a":1 }"#,
            r#"{"a":1} "#,
            r#"{"b":1,"a":2}"#,
            r#"{"a":1,"a":2}"#,
            r#"{"a":01}"#,
            r#"{"a":-0}"#,
            r#"{"a":1.0}"#,
            r#"{"a":1e2}"#,
            r#"{"a":+1}"#,
            r#"{"a":9007199254740992}"#,
            r#"{"a":-9007199254740992}"#,
            r#"{"a":12345678901234567890}"#,
            r#"{"a":"\/"}"#,
            r#"{"a":"\u0041"}"#,
            r#"{"a":"\u000A"}"#,
            r#"{"a":"\u000a"}"#,
            r#"{"a":"\u0020"}"#,
            r#"{"a":"\x"}"#,
            "{\"a\":\"\u{1}\"}",
            r#"{"a":"unterminated}"#,
            r#"{"a":tru}"#,
            r#"{"a":1,}"#,
            r#"{,"a":1}"#,
            r#"{"a":1}{}"#,
        ] {
            assert!(one(bad).is_err(), "accepted: {bad}");
        }
    }

    #[test]
    fn keys_sort_by_utf16_code_units() {
        // U+FF61 is above the surrogates that encode U+1F600 in UTF-16,
        // though its UTF-8 bytes sort below.
        assert!(jcs_less("\u{1F600}", "\u{FF61}"));
        assert!(one("{\"\u{1F600}\":1,\"\u{FF61}\":2}").is_ok());
        assert!(one("{\"\u{FF61}\":1,\"\u{1F600}\":2}").is_err());
        assert!(jcs_less("a", "ab"));
        assert!(!jcs_less("ab", "ab"));
    }

    #[test]
    fn a_value_s_bytes_are_its_canonical_form() {
        let doc = r#"{"a":[{"x":1},{"y":"z"}]}"#;
        let mut r = Reader::new(doc);
        let mut k = r.object().unwrap();
        r.field(&mut k, "a").unwrap();
        let mut it = r.array().unwrap();
        let mut slices = Vec::new();
        while r.item(&mut it).unwrap() {
            let from = r.at();
            let mut o = r.object().unwrap();
            let key = r.key(&mut o).unwrap().unwrap().into_owned();
            if key == "x" {
                r.int().unwrap();
            } else {
                r.string().unwrap();
            }
            r.close(&mut o).unwrap();
            slices.push(std::str::from_utf8(r.since(from)).unwrap().to_string());
        }
        r.close(&mut k).unwrap();
        r.end().unwrap();
        assert_eq!(slices, [r#"{"x":1}"#, r#"{"y":"z"}"#]);
    }
}
