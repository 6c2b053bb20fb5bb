//! The typed writer of signed payloads: RFC 8785 (JCS) bytes written
//! straight from a `Serialize` type, no JSON tree in between. Each
//! object's members are written to a scratch buffer and emitted in JCS
//! order (by the UTF-16 code units of their names); numbers must be
//! integers of magnitude below 2^53 (what keeps JCS identical everywhere),
//! so they print as their decimal digits. A new field of a payload type is
//! written by adding it to the type; nothing here changes.

use serde::ser::{self, Serialize};

use super::envelope::MAX_SAFE_INTEGER;
use crate::domain::history::jcs_str;

/// Why a value cannot be written as JCS.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct JcsError(String);

impl ser::Error for JcsError {
    fn custom<T: std::fmt::Display>(msg: T) -> JcsError {
        JcsError(msg.to_string())
    }
}

/// The JCS bytes of `v`.
pub fn to_vec<T: Serialize + ?Sized>(v: &T) -> Result<Vec<u8>, JcsError> {
    let mut out = Vec::with_capacity(1 << 16);
    v.serialize(&mut Writer { out: &mut out })?;
    Ok(out)
}

struct Writer<'a> {
    out: &'a mut Vec<u8>,
}

fn int(out: &mut Vec<u8>, neg: bool, mag: u64) -> Result<(), JcsError> {
    if mag > MAX_SAFE_INTEGER {
        return Err(JcsError(format!(
            "{}{mag} is not an integer below 2^53",
            if neg { "-" } else { "" }
        )));
    }
    // Below 2^53, so it fits an i64; minus zero is written 0.
    let v = mag as i64;
    crate::domain::history::push_int(out, if neg { -v } else { v });
    Ok(())
}

/// An object being written: its members' values in `buf`, by name.
struct Object<'a> {
    out: &'a mut Vec<u8>,
    buf: Vec<u8>,
    members: Vec<(String, usize, usize)>,
    key: Option<String>,
}

impl Object<'_> {
    fn value<T: Serialize + ?Sized>(&mut self, key: String, v: &T) -> Result<(), JcsError> {
        let start = self.buf.len();
        v.serialize(&mut Writer { out: &mut self.buf })?;
        self.members.push((key, start, self.buf.len()));
        Ok(())
    }

    fn finish(mut self) -> Result<(), JcsError> {
        if self.members.iter().all(|(k, ..)| k.is_ascii()) {
            self.members.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        } else {
            self.members
                .sort_unstable_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
        }
        if self.members.windows(2).any(|w| w[0].0 == w[1].0) {
            return Err(JcsError("an object has a duplicate member".into()));
        }
        self.out.push(b'{');
        for (i, (k, s, e)) in self.members.iter().enumerate() {
            if i > 0 {
                self.out.push(b',');
            }
            jcs_str(self.out, k);
            self.out.push(b':');
            self.out.extend_from_slice(&self.buf[*s..*e]);
        }
        self.out.push(b'}');
        Ok(())
    }
}

/// An array being written.
struct Array<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
}

impl Array<'_> {
    fn element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), JcsError> {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        v.serialize(&mut Writer { out: self.out })
    }
}

fn unsupported<T>(what: &str) -> Result<T, JcsError> {
    Err(JcsError(format!("{what} cannot be written as JCS here")))
}

impl<'a, 'b> ser::Serializer for &'b mut Writer<'a> {
    type Ok = ();
    type Error = JcsError;
    type SerializeSeq = Array<'b>;
    type SerializeTuple = Array<'b>;
    type SerializeTupleStruct = Array<'b>;
    type SerializeTupleVariant = ser::Impossible<(), JcsError>;
    type SerializeMap = Object<'b>;
    type SerializeStruct = Object<'b>;
    type SerializeStructVariant = ser::Impossible<(), JcsError>;

    fn serialize_bool(self, v: bool) -> Result<(), JcsError> {
        self.out
            .extend_from_slice(if v { b"true" } else { b"false" });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<(), JcsError> {
        self.serialize_i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result<(), JcsError> {
        self.serialize_i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result<(), JcsError> {
        self.serialize_i64(v.into())
    }
    fn serialize_i64(self, v: i64) -> Result<(), JcsError> {
        int(self.out, v < 0, v.unsigned_abs())
    }
    fn serialize_u8(self, v: u8) -> Result<(), JcsError> {
        self.serialize_u64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result<(), JcsError> {
        self.serialize_u64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result<(), JcsError> {
        self.serialize_u64(v.into())
    }
    fn serialize_u64(self, v: u64) -> Result<(), JcsError> {
        int(self.out, false, v)
    }
    fn serialize_f32(self, _: f32) -> Result<(), JcsError> {
        unsupported("a fraction")
    }
    fn serialize_f64(self, _: f64) -> Result<(), JcsError> {
        unsupported("a fraction")
    }
    fn serialize_char(self, v: char) -> Result<(), JcsError> {
        jcs_str(self.out, v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<(), JcsError> {
        jcs_str(self.out, v);
        Ok(())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), JcsError> {
        unsupported("bytes")
    }
    fn serialize_none(self) -> Result<(), JcsError> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<(), JcsError> {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), JcsError> {
        self.serialize_none()
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), JcsError> {
        self.serialize_none()
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), JcsError> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        v: &T,
    ) -> Result<(), JcsError> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        v: &T,
    ) -> Result<(), JcsError> {
        let mut o = ser::Serializer::serialize_map(self, Some(1))?;
        o.value(variant.to_string(), v)?;
        o.finish()
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Array<'b>, JcsError> {
        self.out.push(b'[');
        Ok(Array {
            out: self.out,
            first: true,
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Array<'b>, JcsError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Array<'b>, JcsError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, JcsError> {
        unsupported("a tuple variant")
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Object<'b>, JcsError> {
        Ok(Object {
            out: self.out,
            buf: Vec::new(),
            members: Vec::with_capacity(len.unwrap_or(8)),
            key: None,
        })
    }
    fn serialize_struct(self, _: &'static str, len: usize) -> Result<Object<'b>, JcsError> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, JcsError> {
        unsupported("a struct variant")
    }
}

impl ser::SerializeSeq for Array<'_> {
    type Ok = ();
    type Error = JcsError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), JcsError> {
        self.element(v)
    }
    fn end(self) -> Result<(), JcsError> {
        self.out.push(b']');
        Ok(())
    }
}

impl ser::SerializeTuple for Array<'_> {
    type Ok = ();
    type Error = JcsError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), JcsError> {
        self.element(v)
    }
    fn end(self) -> Result<(), JcsError> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleStruct for Array<'_> {
    type Ok = ();
    type Error = JcsError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), JcsError> {
        self.element(v)
    }
    fn end(self) -> Result<(), JcsError> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeMap for Object<'_> {
    type Ok = ();
    type Error = JcsError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, k: &T) -> Result<(), JcsError> {
        self.key = Some(k.serialize(KeyWriter)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), JcsError> {
        let key = self
            .key
            .take()
            .ok_or_else(|| JcsError("a map value without its key".into()))?;
        self.value(key, v)
    }
    fn end(self) -> Result<(), JcsError> {
        self.finish()
    }
}

impl ser::SerializeStruct for Object<'_> {
    type Ok = ();
    type Error = JcsError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        v: &T,
    ) -> Result<(), JcsError> {
        self.value(key.to_string(), v)
    }
    fn end(self) -> Result<(), JcsError> {
        self.finish()
    }
}

/// Object member names: strings only.
struct KeyWriter;

impl ser::Serializer for KeyWriter {
    type Ok = String;
    type Error = JcsError;
    type SerializeSeq = ser::Impossible<String, JcsError>;
    type SerializeTuple = ser::Impossible<String, JcsError>;
    type SerializeTupleStruct = ser::Impossible<String, JcsError>;
    type SerializeTupleVariant = ser::Impossible<String, JcsError>;
    type SerializeMap = ser::Impossible<String, JcsError>;
    type SerializeStruct = ser::Impossible<String, JcsError>;
    type SerializeStructVariant = ser::Impossible<String, JcsError>;

    fn serialize_str(self, v: &str) -> Result<String, JcsError> {
        Ok(v.to_string())
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<String, JcsError> {
        Ok(variant.to_string())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        v: &T,
    ) -> Result<String, JcsError> {
        v.serialize(self)
    }
    fn serialize_bool(self, _: bool) -> Result<String, JcsError> {
        unsupported("a key that is not a string")
    }
    fn serialize_i8(self, _: i8) -> Result<String, JcsError> {
        unsupported("a key that is not a string")
    }
    fn serialize_i16(self, _: i16) -> Result<String, JcsError> {
        unsupported("a key that is not a string")
    }
    fn serialize_i32(self, _: i32) -> Result<String, JcsError> {
        unsupported("a key that is not a string")
    }
    fn serialize_i64(self, _: i64) -> Result<String, JcsError> {
        unsupported("a key that is not a string")
    }
    fn serialize_u8(self, _: u8) -> Result<String, JcsError> {
        unsupported("a key that is not a string")
    }
    fn serialize_u16(self, _: u16) -> Result<String, JcsError> {
        unsupported("a key that is not a string")
    }
    fn serialize_u32(self, _: u32) -> Result<String, JcsError> {
        unsupported("a key that is not a string")
    }
    fn serialize_u64(self, _: u64) -> Result<String, JcsError> {
        unsupported("a key that is not a string")
    }
    fn serialize_f32(self, _: f32) -> Result<String, JcsError> {
        unsupported("a key that is not a string")
    }
    fn serialize_f64(self, _: f64) -> Result<String, JcsError> {
        unsupported("a key that is not a string")
    }
    fn serialize_char(self, v: char) -> Result<String, JcsError> {
        Ok(v.to_string())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<String, JcsError> {
        unsupported("a key that is not a string")
    }
    fn serialize_none(self) -> Result<String, JcsError> {
        unsupported("a key that is not a string")
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<String, JcsError> {
        unsupported("a key that is not a string")
    }
    fn serialize_unit(self) -> Result<String, JcsError> {
        unsupported("a key that is not a string")
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<String, JcsError> {
        unsupported("a key that is not a string")
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<String, JcsError> {
        unsupported("a key that is not a string")
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, JcsError> {
        unsupported("a key that is not a string")
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, JcsError> {
        unsupported("a key that is not a string")
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, JcsError> {
        unsupported("a key that is not a string")
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, JcsError> {
        unsupported("a key that is not a string")
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, JcsError> {
        unsupported("a key that is not a string")
    }
    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, JcsError> {
        unsupported("a key that is not a string")
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, JcsError> {
        unsupported("a key that is not a string")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_typed_writer_writes_what_the_tree_writer_writes() {
        let v = serde_json::json!({
            "b": [1, -2, null, true, {"z": "中", "a": "\u{1}\"\\\u{7f}"}],
            "a": {"\u{e000}": 1, "\u{10000}": 2, "x": -9007199254740991_i64},
            "": "",
        });
        assert_eq!(
            to_vec(&v).expect("jcs"),
            crate::crypto::envelope::canonical(&v).expect("jcs")
        );
        let e = to_vec(&serde_json::json!({"n": 9007199254740992_u64})).unwrap_err();
        assert!(e.to_string().contains("below 2^53"), "{e}");
        assert!(to_vec(&serde_json::json!([1.5])).is_err());
    }
}
