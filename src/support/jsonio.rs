//! Strict JSON reading: duplicate object keys are an error (two parsers
//! could otherwise read one file two ways), with line and column.
//!
//! For the files other programs must read the same way — signed files, key
//! files, rosters — [`from_str_closed`] also refuses what serde's derived
//! readers tolerate but the documented format does not: an array written
//! where an object belongs (serde reads a struct from a sequence of its
//! field values), and, with `all_fields`, an optional field left out.

use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, SeqAccess, Visitor};

struct NoDup;

impl<'de> de::Deserialize<'de> for NoDup {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<NoDup, D::Error> {
        d.deserialize_any(NoDupVisitor)
    }
}

struct NoDupVisitor;

impl<'de> Visitor<'de> for NoDupVisitor {
    type Value = NoDup;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<NoDup, E> {
        Ok(NoDup)
    }
    fn visit_i64<E>(self, _: i64) -> Result<NoDup, E> {
        Ok(NoDup)
    }
    fn visit_u64<E>(self, _: u64) -> Result<NoDup, E> {
        Ok(NoDup)
    }
    fn visit_f64<E>(self, _: f64) -> Result<NoDup, E> {
        Ok(NoDup)
    }
    fn visit_str<E>(self, _: &str) -> Result<NoDup, E> {
        Ok(NoDup)
    }
    fn visit_unit<E>(self) -> Result<NoDup, E> {
        Ok(NoDup)
    }
    fn visit_none<E>(self) -> Result<NoDup, E> {
        Ok(NoDup)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<NoDup, A::Error> {
        while seq.next_element::<NoDup>()?.is_some() {}
        Ok(NoDup)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<NoDup, A::Error> {
        // Objects here are small (events have under ten keys): a linear
        // scan beats hashing; switch to a set for large ones.
        let mut seen: Vec<String> = Vec::new();
        let mut set: Option<std::collections::HashSet<String>> = None;
        while let Some(k) = map.next_key::<String>()? {
            let dup = match &mut set {
                Some(s) => !s.insert(k.clone()),
                None => {
                    let d = seen.contains(&k);
                    if !d {
                        seen.push(k.clone());
                        if seen.len() > 32 {
                            set = Some(seen.drain(..).collect());
                        }
                    }
                    d
                }
            };
            if dup {
                return Err(de::Error::custom(format!("duplicate key \"{k}\"")));
            }
            map.next_value::<NoDup>()?;
        }
        Ok(NoDup)
    }
}

/// Fails on syntax errors and duplicate keys.
pub fn check(text: &str) -> Result<(), serde_json::Error> {
    serde_json::from_str::<NoDup>(text).map(|_| ())
}

/// A parse error that says where: the JSON path of the offending value
/// (`applications[0].priority`) and serde_json's line and column.
#[derive(Debug)]
pub struct PathError {
    pub path: String,
    pub inner: serde_json::Error,
}

impl std::fmt::Display for PathError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() || self.path == "." {
            write!(f, "{}", self.inner)
        } else {
            write!(f, "{}: {}", self.path, self.inner)
        }
    }
}

impl std::error::Error for PathError {}

/// Parses `text` as `T` with the path of any bad value in the error.
pub fn from_str_path<T: DeserializeOwned>(text: &str) -> Result<T, PathError> {
    // The plain parse is the fast path; the path is tracked only to explain
    // a failure.
    if let Ok(v) = serde_json::from_str(text) {
        return Ok(v);
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let v = serde_path_to_error::deserialize(&mut de).map_err(|e| PathError {
        path: e.path().to_string(),
        inner: e.into_inner(),
    })?;
    de.end().map_err(|e| PathError {
        path: String::new(),
        inner: e,
    })?;
    Ok(v)
}

/// Parses `text` as `T`, refusing duplicate keys.
pub fn from_str_strict<T: DeserializeOwned>(text: &str) -> Result<T, PathError> {
    check(text).map_err(|e| PathError {
        path: String::new(),
        inner: e,
    })?;
    from_str_path(text)
}

/// Parses `text` as `T` (strictly, as [`from_str_strict`]) and checks that
/// the text has the shape `T` writes: every object of the format written
/// as a JSON object, never as an array of its values.
pub fn from_str_closed<T: DeserializeOwned + serde::Serialize>(text: &str) -> Result<T, PathError> {
    let typed: T = from_str_strict(text)?;
    let raw: serde_json::Value = serde_json::from_str(text).map_err(|e| PathError {
        path: String::new(),
        inner: e,
    })?;
    check_shape(&typed, &raw, false)?;
    Ok(typed)
}

/// Reads `T` from an already parsed value with the path of any bad value,
/// and checks its shape as [`from_str_closed`] does; with `all_fields`
/// every field `T` writes must be present (optional ones included).
pub fn from_value_closed<T: DeserializeOwned + serde::Serialize>(
    raw: &serde_json::Value,
    all_fields: bool,
) -> Result<T, PathError> {
    // Read in place first; clone and track the path only to explain a
    // failure (payloads run to megabytes).
    let typed: T = match T::deserialize(raw) {
        Ok(t) => t,
        Err(_) => serde_path_to_error::deserialize(raw.clone()).map_err(|e| PathError {
            path: e.path().to_string(),
            inner: e.into_inner(),
        })?,
    };
    check_shape(&typed, raw, all_fields)?;
    Ok(typed)
}

fn check_shape<T: serde::Serialize>(
    typed: &T,
    raw: &serde_json::Value,
    all_fields: bool,
) -> Result<(), PathError> {
    let back = serde_json::to_value(typed).map_err(|e| PathError {
        path: String::new(),
        inner: e,
    })?;
    match shape_difference(&back, raw, all_fields) {
        None => Ok(()),
        Some((path, msg)) => Err(PathError {
            path,
            inner: de::Error::custom(msg),
        }),
    }
}

/// The first place where `got` (as read) departs from the shape of
/// `expected` (the typed value written back): an array or other value
/// where `expected` has an object, or — with `all_fields` — a field of
/// `expected` that `got` lacks. Returns the path and what is wrong.
pub fn shape_difference(
    expected: &serde_json::Value,
    got: &serde_json::Value,
    all_fields: bool,
) -> Option<(String, String)> {
    use serde_json::Value;
    fn kind(v: &Value) -> &'static str {
        match v {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }
    fn walk(e: &Value, g: &Value, all: bool, path: &mut String) -> Option<(String, String)> {
        match (e, g) {
            (Value::Object(em), Value::Object(gm)) => {
                for (k, ev) in em {
                    match gm.get(k) {
                        Some(gv) => {
                            let len = path.len();
                            if !path.is_empty() {
                                path.push('.');
                            }
                            path.push_str(k);
                            let r = walk(ev, gv, all, path);
                            path.truncate(len);
                            if r.is_some() {
                                return r;
                            }
                        }
                        None if all => {
                            return Some((path.clone(), format!("missing field `{k}`")));
                        }
                        None => {}
                    }
                }
                None
            }
            (Value::Object(_), other) => Some((
                path.clone(),
                format!("{} where the format has an object", kind(other)),
            )),
            (Value::Array(ea), Value::Array(ga)) => {
                for (i, (ev, gv)) in ea.iter().zip(ga).enumerate() {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    let r = walk(ev, gv, all, path);
                    path.truncate(len);
                    if r.is_some() {
                        return r;
                    }
                }
                None
            }
            _ => None,
        }
    }
    walk(expected, got, all_fields, &mut String::new())
}

/// Pretty JSON that is safe to show on a terminal and to `cat`: as
/// serde_json writes it, but every character that must not reach a
/// terminal as itself (C1 controls, DEL, bidi and invisible characters —
/// `domain::text::is_dangerous`; serde_json already escapes C0) is written
/// as a `\uXXXX` escape. The JSON means exactly the same.
pub fn to_string_pretty_inert<T: serde::Serialize + ?Sized>(
    value: &T,
) -> Result<String, serde_json::Error> {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(
        &mut out,
        InertFormatter(serde_json::ser::PrettyFormatter::new()),
    );
    value.serialize(&mut ser)?;
    // The formatter writes only whole UTF-8 fragments and ASCII escapes.
    String::from_utf8(out).map_err(|e| de::Error::custom(e.to_string()))
}

struct InertFormatter<'a>(serde_json::ser::PrettyFormatter<'a>);

impl serde_json::ser::Formatter for InertFormatter<'_> {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if crate::domain::text::is_dangerous(c) {
                w.write_all(&fragment.as_bytes()[start..i])?;
                // JSON escapes are UTF-16 code units: a surrogate pair
                // for a character beyond the Basic Multilingual Plane.
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    write!(w, "\\u{:04x}", u)?;
                }
                start = i + c.len_utf8();
            }
        }
        w.write_all(&fragment.as_bytes()[start..])
    }
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object_value(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_keys_are_refused_with_position() {
        let e = from_str_strict::<serde_json::Value>("{\"a\": 1,\n \"a\": 2}").unwrap_err();
        let m = e.to_string();
        assert!(
            m.contains("duplicate key \"a\"") && m.contains("line 2"),
            "{m}"
        );
        let nested = from_str_strict::<serde_json::Value>("[{\"x\": {\"k\":1, \"k\":1}}]");
        assert!(nested.is_err());
        assert!(from_str_strict::<serde_json::Value>("{\"a\": 1, \"b\": {\"a\": 2}}").is_ok());
    }

    #[derive(Debug, serde::Serialize, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Pair {
        a: u32,
        b: Option<Inner>,
    }

    #[derive(Debug, serde::Serialize, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        x: String,
    }

    #[test]
    fn arrays_in_place_of_objects_and_missing_fields_are_refused() {
        // serde alone reads a struct from the array of its field values.
        assert!(from_str_strict::<Pair>("[1, null]").is_ok());
        let e = from_str_closed::<Pair>("[1, null]").unwrap_err();
        assert_eq!(e.to_string(), "an array where the format has an object");
        let e = from_str_closed::<Pair>(r#"{"a": 1, "b": ["x"]}"#).unwrap_err();
        assert_eq!(e.to_string(), "b: an array where the format has an object");
        assert!(from_str_closed::<Pair>(r#"{"a": 1, "b": {"x": "y"}}"#).is_ok());
        // An optional field may be left out, unless every field is asked for.
        let v: serde_json::Value = serde_json::from_str(r#"{"a": 1}"#).unwrap();
        assert!(from_value_closed::<Pair>(&v, false).is_ok());
        let e = from_value_closed::<Pair>(&v, true).unwrap_err();
        assert_eq!(e.to_string(), "missing field `b`");
    }

    #[test]
    fn inert_json_escapes_what_a_terminal_would_obey_and_means_the_same() {
        let v =
            serde_json::json!({"k\u{202e}": ["a\u{1b}[2J\u{9b}\u{85}\u{7f}\u{200b}中", 1, null]});
        let s = to_string_pretty_inert(&v).expect("json");
        assert!(
            !s.chars()
                .any(|c| c != '\n' && (c.is_control() || crate::domain::text::is_dangerous(c))),
            "{s:?}"
        );
        assert!(
            s.contains("\\u202e") && s.contains("\\u009b") && s.contains("中"),
            "{s}"
        );
        let back: serde_json::Value = serde_json::from_str(&s).expect("parses");
        assert_eq!(back, v);
        assert_eq!(
            to_string_pretty_inert(&serde_json::json!({"a": [1]})).expect("json"),
            serde_json::to_string_pretty(&serde_json::json!({"a": [1]})).expect("json")
        );
    }
}
