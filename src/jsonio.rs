//! Strict JSON reading: duplicate object keys are an error (two parsers
//! could otherwise read one file two ways), with line and column.

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
}
