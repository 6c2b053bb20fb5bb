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
        let mut seen = std::collections::HashSet::new();
        while let Some(k) = map.next_key::<String>()? {
            if !seen.insert(k.clone()) {
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
    let typed: T = serde_path_to_error::deserialize(raw.clone()).map_err(|e| PathError {
        path: e.path().to_string(),
        inner: e.into_inner(),
    })?;
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
}
