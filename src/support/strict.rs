//! One strict pass: a serde deserializer adapter that reads a closed
//! format straight into its types while enforcing, in the same pass, what
//! the documented formats demand beyond serde's derived readers:
//!
//! - no object has a duplicate key (struct fields are tracked in a bit
//!   mask, other objects by their keys);
//! - every field of a struct is present, optional ones included
//!   (nullable fields are written as `null`, never left out);
//! - a struct is written as a JSON object, never as the array of its
//!   values;
//! - every number is an integer of magnitude at most 2^53 − 1 (no
//!   fraction, no exponent): what keeps JCS identical everywhere.
//!
//! No JSON DOM is built. Unknown fields are refused by the types
//! themselves (`#[serde(deny_unknown_fields)]`). A type whose objects
//! have fields that depend on a tag (an event) reads them with
//! [`OPEN_STRUCT`] as its struct name and checks their presence itself.

use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor,
};

/// Largest integer magnitude a signed payload may hold: 2^53 − 1.
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// The struct name that asks for duplicate-key checks without the
/// all-fields-present check (the type checks presence itself).
pub const OPEN_STRUCT: &str = "panelist::open_struct";

/// Reads `T` from JSON bytes in one strict pass (see the module).
pub fn from_slice<'de, T: de::Deserialize<'de>>(bytes: &'de [u8]) -> Result<T, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let t = T::deserialize(Strict(&mut de))?;
    de.end()?;
    Ok(t)
}

struct Strict<D>(D);

struct Wrap<V> {
    v: V,
    fields: Option<(&'static str, &'static [&'static str])>,
}

impl<V> Wrap<V> {
    fn plain(v: V) -> Wrap<V> {
        Wrap { v, fields: None }
    }
}

macro_rules! forward {
    ($($m:ident),*) => {$(
        fn $m<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
            self.0.$m(Wrap::plain(v))
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Strict<D> {
    type Error = D::Error;

    forward!(
        deserialize_any,
        deserialize_bool,
        deserialize_i8,
        deserialize_i16,
        deserialize_i32,
        deserialize_i64,
        deserialize_i128,
        deserialize_u8,
        deserialize_u16,
        deserialize_u32,
        deserialize_u64,
        deserialize_u128,
        deserialize_f32,
        deserialize_f64,
        deserialize_char,
        deserialize_str,
        deserialize_string,
        deserialize_bytes,
        deserialize_byte_buf,
        deserialize_option,
        deserialize_unit,
        deserialize_seq,
        deserialize_map,
        deserialize_identifier,
        deserialize_ignored_any
    );

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_unit_struct(name, Wrap::plain(v))
    }
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_newtype_struct(name, Wrap::plain(v))
    }
    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, v: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple(len, Wrap::plain(v))
    }
    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple_struct(name, len, Wrap::plain(v))
    }
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, D::Error> {
        let w = Wrap {
            v,
            fields: Some((name, fields)),
        };
        self.0.deserialize_struct(name, fields, w)
    }
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_enum(name, variants, Wrap::plain(v))
    }
    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

fn bounded<E: de::Error>(ok: bool, n: impl std::fmt::Display) -> Result<(), E> {
    if ok {
        Ok(())
    } else {
        Err(E::custom(format!("{n} is not an integer below 2^53")))
    }
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Wrap<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        self.v.expecting(f)
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<V::Value, E> {
        self.v.visit_bool(b)
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<V::Value, E> {
        bounded(n.unsigned_abs() <= MAX_SAFE_INTEGER, n)?;
        self.v.visit_i64(n)
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<V::Value, E> {
        bounded(n <= MAX_SAFE_INTEGER, n)?;
        self.v.visit_u64(n)
    }
    fn visit_i128<E: de::Error>(self, n: i128) -> Result<V::Value, E> {
        bounded(n.unsigned_abs() <= u128::from(MAX_SAFE_INTEGER), n)?;
        self.v.visit_i128(n)
    }
    fn visit_u128<E: de::Error>(self, n: u128) -> Result<V::Value, E> {
        bounded(n <= u128::from(MAX_SAFE_INTEGER), n)?;
        self.v.visit_u128(n)
    }
    fn visit_f64<E: de::Error>(self, n: f64) -> Result<V::Value, E> {
        bounded::<E>(false, n)?;
        self.v.visit_f64(n)
    }
    fn visit_char<E: de::Error>(self, c: char) -> Result<V::Value, E> {
        self.v.visit_char(c)
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<V::Value, E> {
        self.v.visit_str(s)
    }
    fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<V::Value, E> {
        self.v.visit_borrowed_str(s)
    }
    fn visit_string<E: de::Error>(self, s: String) -> Result<V::Value, E> {
        self.v.visit_string(s)
    }
    fn visit_bytes<E: de::Error>(self, b: &[u8]) -> Result<V::Value, E> {
        self.v.visit_bytes(b)
    }
    fn visit_borrowed_bytes<E: de::Error>(self, b: &'de [u8]) -> Result<V::Value, E> {
        self.v.visit_borrowed_bytes(b)
    }
    fn visit_byte_buf<E: de::Error>(self, b: Vec<u8>) -> Result<V::Value, E> {
        self.v.visit_byte_buf(b)
    }
    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.v.visit_none()
    }
    fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<V::Value, D2::Error> {
        self.v.visit_some(Strict(d))
    }
    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.v.visit_unit()
    }
    fn visit_newtype_struct<D2: Deserializer<'de>>(self, d: D2) -> Result<V::Value, D2::Error> {
        self.v.visit_newtype_struct(Strict(d))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        if self.fields.is_some() {
            return Err(de::Error::custom("an array where the format has an object"));
        }
        self.v.visit_seq(Seq(seq))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        let fields = self
            .fields
            .filter(|(name, f)| *name != OPEN_STRUCT && f.len() <= 64)
            .map(|(_, f)| f);
        let mut m = Map {
            map,
            keys: Keys {
                fields: self.fields.map(|(_, f)| f).filter(|f| f.len() <= 64),
                mask: 0,
                other: Vec::new(),
            },
        };
        let value = self.v.visit_map(&mut m)?;
        if let Some(fields) = fields {
            let all = if fields.len() == 64 {
                u64::MAX
            } else {
                (1u64 << fields.len()) - 1
            };
            if m.keys.mask & all != all {
                let missing = (0..fields.len())
                    .find(|i| m.keys.mask & (1 << i) == 0)
                    .map_or("?", |i| fields[i]);
                return Err(de::Error::missing_field(missing));
            }
        }
        Ok(value)
    }
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        self.v.visit_enum(Enum(data))
    }
}

/// The keys seen in one object.
struct Keys {
    fields: Option<&'static [&'static str]>,
    mask: u64,
    other: Vec<String>,
}

impl Keys {
    fn see<E: de::Error>(&mut self, k: &str) -> Result<(), E> {
        if let Some(i) = self.fields.and_then(|f| f.iter().position(|f| *f == k)) {
            let bit = 1u64 << i;
            if self.mask & bit != 0 {
                return Err(E::custom(format!("duplicate key \"{k}\"")));
            }
            self.mask |= bit;
            return Ok(());
        }
        if self.other.iter().any(|o| o == k) {
            return Err(E::custom(format!("duplicate key \"{k}\"")));
        }
        self.other.push(k.to_string());
        Ok(())
    }
}

struct Seq<A>(A);

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Seq<A> {
    type Error = A::Error;
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, A::Error> {
        self.0.next_element_seed(StrictSeed(seed))
    }
    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

struct Map<A> {
    map: A,
    keys: Keys,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Map<A> {
    type Error = A::Error;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        self.map.next_key_seed(KeySeed {
            seed,
            keys: &mut self.keys,
        })
    }
    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        self.map.next_value_seed(StrictSeed(seed))
    }
    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}

struct StrictSeed<S>(S);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for StrictSeed<S> {
    type Value = S::Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        self.0.deserialize(Strict(d))
    }
}

/// Reads a key through its own seed, noting it first.
struct KeySeed<'k, S> {
    seed: S,
    keys: &'k mut Keys,
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for KeySeed<'_, S> {
    type Value = S::Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        self.seed.deserialize(KeyDe { d, keys: self.keys })
    }
}

struct KeyDe<'k, D> {
    d: D,
    keys: &'k mut Keys,
}

macro_rules! forward_key {
    ($($m:ident),*) => {$(
        fn $m<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
            self.d.$m(KeyVisitor { v, keys: self.keys })
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for KeyDe<'_, D> {
    type Error = D::Error;
    forward_key!(
        deserialize_any,
        deserialize_str,
        deserialize_string,
        deserialize_identifier
    );
    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char bytes byte_buf option unit
        unit_struct newtype_struct seq tuple tuple_struct map struct enum ignored_any
    }
}

struct KeyVisitor<'k, V> {
    v: V,
    keys: &'k mut Keys,
}

impl<'de, V: Visitor<'de>> Visitor<'de> for KeyVisitor<'_, V> {
    type Value = V::Value;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        self.v.expecting(f)
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<V::Value, E> {
        self.keys.see(s)?;
        self.v.visit_str(s)
    }
    fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<V::Value, E> {
        self.keys.see(s)?;
        self.v.visit_borrowed_str(s)
    }
    fn visit_string<E: de::Error>(self, s: String) -> Result<V::Value, E> {
        self.keys.see(&s)?;
        self.v.visit_string(s)
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<V::Value, E> {
        self.v.visit_u64(n)
    }
    fn visit_bytes<E: de::Error>(self, b: &[u8]) -> Result<V::Value, E> {
        self.v.visit_bytes(b)
    }
}

struct Enum<A>(A);

impl<'de, A: EnumAccess<'de>> EnumAccess<'de> for Enum<A> {
    type Error = A::Error;
    type Variant = Variant<A::Variant>;
    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, Self::Variant), A::Error> {
        let (v, variant) = self.0.variant_seed(seed)?;
        Ok((v, Variant(variant)))
    }
}

struct Variant<A>(A);

impl<'de, A: VariantAccess<'de>> VariantAccess<'de> for Variant<A> {
    type Error = A::Error;
    fn unit_variant(self) -> Result<(), A::Error> {
        self.0.unit_variant()
    }
    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<S::Value, A::Error> {
        self.0.newtype_variant_seed(StrictSeed(seed))
    }
    fn tuple_variant<V: Visitor<'de>>(self, len: usize, v: V) -> Result<V::Value, A::Error> {
        self.0.tuple_variant(len, Wrap::plain(v))
    }
    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, A::Error> {
        self.0.struct_variant(
            fields,
            Wrap {
                v,
                fields: Some(("", fields)),
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::{Deserialize, Serialize};
    use std::collections::BTreeMap;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Pair {
        a: i64,
        b: Option<Inner>,
        m: BTreeMap<String, i64>,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        x: String,
    }

    fn read(s: &str) -> Result<Pair, String> {
        from_slice::<Pair>(s.as_bytes()).map_err(|e| e.to_string())
    }

    #[test]
    fn one_pass_refuses_what_the_formats_refuse() {
        let ok = read(r#"{"a": -9007199254740991, "b": {"x": "y"}, "m": {"k": 1}}"#).expect("ok");
        assert_eq!(ok.a, -9007199254740991);
        assert_eq!(read(r#"{"a": 1, "b": null, "m": {}}"#).expect("ok").b, None);
        let e = read(r#"{"a": 1, "a": 2, "b": null, "m": {}}"#).unwrap_err();
        assert!(e.starts_with("duplicate key \"a\" at line 1"), "{e}");
        let e = read(r#"{"a": 1, "b": null, "m": {"k": 1, "k": 2}}"#).unwrap_err();
        assert!(e.starts_with("duplicate key \"k\""), "{e}");
        let e = read(r#"{"a": 1, "m": {}}"#).unwrap_err();
        assert!(e.starts_with("missing field `b`"), "{e}");
        let e = read(r#"{"a": 1, "b": ["y"], "m": {}}"#).unwrap_err();
        assert!(
            e.starts_with("an array where the format has an object"),
            "{e}"
        );
        let e = read(r#"[1, null, {}]"#).unwrap_err();
        assert!(
            e.starts_with("an array where the format has an object"),
            "{e}"
        );
        let e = read(r#"{"a": 9007199254740992, "b": null, "m": {}}"#).unwrap_err();
        assert!(
            e.starts_with("9007199254740992 is not an integer below 2^53"),
            "{e}"
        );
        let e = read(r#"{"a": 1, "b": null, "m": {"k": 1.5}}"#).unwrap_err();
        assert!(e.contains("is not an integer below 2^53"), "{e}");
        let e = read(r#"{"a": 1, "b": null, "m": {}, "c": 1}"#).unwrap_err();
        assert!(e.starts_with("unknown field `c`"), "{e}");
        let e = read(r#"{"a": 1, "b": null, "m": {}} x"#).unwrap_err();
        assert!(e.starts_with("trailing characters"), "{e}");
        // Any value: duplicates at every depth, numbers everywhere.
        let v = from_slice::<serde_json::Value>(br#"[{"x": {"k": 1, "k": 1}}]"#);
        assert!(v.is_err());
        assert!(from_slice::<serde_json::Value>(br#"{"a": 1, "b": {"a": 2}}"#).is_ok());
        assert!(from_slice::<serde_json::Value>(b"[1e3]").is_err());
    }
}
