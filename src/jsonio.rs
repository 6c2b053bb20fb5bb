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

/// Parses `text` as `T`, refusing duplicate keys.
pub fn from_str_strict<T: DeserializeOwned>(text: &str) -> Result<T, serde_json::Error> {
    check(text)?;
    serde_json::from_str(text)
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
