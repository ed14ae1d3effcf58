//! Declaring a type's JSON form. The field and variant lists repeat the type's declaration:
//! a field left out of the list does not compile (the struct literal and the destructuring
//! both name every field), and the tests compare each type with its serde form.

/// `FromJson` and `ToJson` for a struct, in the form `#[cw_serde]` gives it: an object with
/// every field (`null` for `None`), a repeated key refused, an unknown key skipped, a
/// left-out `Option` field read as `None`. `field = "name"` renames a field; a leading
/// `deny_unknown_fields` refuses unknown keys, as that serde attribute does.
///
/// ```
/// use cw_ics_json::{from_slice, json_struct, to_vec};
///
/// #[derive(Debug, PartialEq)]
/// struct Bond { validator: String, amount: Option<u64> }
/// json_struct!(Bond { validator, amount });
///
/// let bond: Bond = from_slice(br#"{"validator":"alice"}"#).unwrap();
/// assert_eq!(bond, Bond { validator: "alice".into(), amount: None });
/// assert_eq!(to_vec(&bond), br#"{"validator":"alice","amount":null}"#);
/// ```
///
/// A field left out of the list does not compile:
///
/// ```compile_fail
/// struct Bond { validator: String, amount: Option<u64> }
/// cw_ics_json::json_struct!(Bond { validator });
/// ```
#[macro_export]
macro_rules! json_struct {
    (deny_unknown_fields $ty:ident { $($field:ident $(= $name:literal)?),* $(,)? }) => {
        $crate::__json_struct!(true, $ty { $($field $(= $name)?),* });
    };
    ($ty:ident { $($field:ident $(= $name:literal)?),* $(,)? }) => {
        $crate::__json_struct!(false, $ty { $($field $(= $name)?),* });
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __json_struct {
    ($strict:literal, $ty:ident { $($field:ident $(= $name:literal)?),* }) => {
        impl $crate::FromJson for $ty {
            fn read_json(
                reader: &mut $crate::Reader<'_>,
            ) -> ::core::result::Result<Self, $crate::JsonError> {
                $crate::__read_fields!(reader, $strict, $ty, [$($field $(= $name)?),*])
            }
        }

        impl $crate::ToJson for $ty {
            fn write_json(&self, writer: &mut $crate::Writer) {
                let $ty { $($field),* } = self;
                $crate::__write_fields!(writer, [$($field $(= $name)?),*]);
            }
        }
    };
}

/// `FromJson` and `ToJson` for an enum whose variants all carry content, externally tagged
/// as serde does: `{"name": content}`. A variant is `Variant = "name" (Type)` (newtype) or
/// `Variant = "name" { fields }` (struct, possibly empty).
///
/// ```
/// use cw_ics_json::{from_slice, json_enum, to_vec};
///
/// #[derive(Debug, PartialEq)]
/// enum Msg { Bond { validator: String }, Tick {}, Raw(u64) }
/// json_enum!(Msg { Bond = "bond" { validator }, Tick = "tick" {}, Raw = "raw" (u64) });
///
/// assert_eq!(from_slice::<Msg>(br#"{"tick":{}}"#).unwrap(), Msg::Tick {});
/// assert_eq!(to_vec(&Msg::Raw(7)), br#"{"raw":7}"#);
/// ```
///
/// Neither does a variant left out:
///
/// ```compile_fail
/// enum Msg { Tick {}, Raw(u64) }
/// cw_ics_json::json_enum!(Msg { Tick = "tick" {} });
/// ```
#[macro_export]
macro_rules! json_enum {
    ($ty:ident {
        $($variant:ident = $name:literal
            $(($inner:ty))?
            $({ $($field:ident $(= $fname:literal)?),* $(,)? })?
        ),* $(,)?
    }) => {
        impl $crate::FromJson for $ty {
            fn read_json(
                reader: &mut $crate::Reader<'_>,
            ) -> ::core::result::Result<Self, $crate::JsonError> {
                let index = reader.variant(&[$($name),*])?;
                let mut slot = 0usize;
                $(
                    if index == slot {
                        let value = $crate::__read_variant!(
                            reader, $ty, $variant, [$($inner)?], [$($($field $(= $fname)?),*)?]
                        )?;
                        reader.end_variant()?;
                        return ::core::result::Result::Ok(value);
                    }
                    slot += 1;
                )*
                let _ = slot;
                ::core::result::Result::Err(reader.error("a known variant"))
            }
        }

        impl $crate::ToJson for $ty {
            fn write_json(&self, writer: &mut $crate::Writer) {
                // A match, so a variant missing from the list does not compile.
                match self {
                    $(
                        $crate::__variant_pattern!(
                            $ty, $variant, content, [$($inner)?], [$($($field)*)?]
                        ) => {
                            writer.begin_object();
                            writer.key($name);
                            $crate::__variant_content!(
                                writer, content, [$($inner)?], [$($($field $(= $fname)?),*)?]
                            );
                            writer.end_object();
                        }
                    )*
                }
            }
        }
    };
}

/// `FromJson` and `ToJson` for an enum of unit variants, written as the variant's name.
#[macro_export]
macro_rules! json_unit_enum {
    ($ty:ident { $($variant:ident = $name:literal),* $(,)? }) => {
        impl $crate::FromJson for $ty {
            fn read_json(
                reader: &mut $crate::Reader<'_>,
            ) -> ::core::result::Result<Self, $crate::JsonError> {
                let index = reader.unit_variant(&[$($name),*])?;
                let mut slot = 0usize;
                $(
                    if index == slot {
                        return ::core::result::Result::Ok($ty::$variant);
                    }
                    slot += 1;
                )*
                let _ = slot;
                ::core::result::Result::Err(reader.error("a known variant"))
            }
        }

        impl $crate::ToJson for $ty {
            fn write_json(&self, writer: &mut $crate::Writer) {
                writer.string(match self {
                    $($ty::$variant => $name,)*
                });
            }
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __json_name {
    ($field:ident) => {
        stringify!($field)
    };
    ($field:ident = $name:literal) => {
        $name
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __read_fields {
    ($reader:ident, $strict:literal, $($path:ident)::+, [$($field:ident $(= $name:literal)?),*]) => {{
        $(let mut $field = ::core::option::Option::None;)*
        $reader.fields(
            &[$($crate::__json_name!($field $(= $name)?)),*],
            $strict,
            &mut [$(&mut $field as &mut dyn $crate::Slot),*],
        )?;
        // `fields` left every slot filled: one match moves the values out, with no error
        // path per field.
        match ($($field,)*) {
            ($(::core::option::Option::Some($field),)*) => {
                ::core::result::Result::Ok($($path)::+ { $($field,)* })
            }
            #[allow(unreachable_patterns)]
            _ => ::core::result::Result::Err($reader.error("every field")),
        }
    }};
}

#[doc(hidden)]
#[macro_export]
macro_rules! __write_fields {
    ($writer:ident, [$($field:ident $(= $name:literal)?),*]) => {
        $writer.begin_object();
        $(
            $writer.key($crate::__json_name!($field $(= $name)?));
            $crate::ToJson::write_json($field, $writer);
        )*
        $writer.end_object();
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __read_variant {
    ($reader:ident, $ty:ident, $variant:ident, [], [$($field:ident $(= $name:literal)?),*]) => {
        $crate::__read_fields!($reader, false, $ty::$variant, [$($field $(= $name)?),*])
    };
    ($reader:ident, $ty:ident, $variant:ident, [$inner:ty], []) => {
        <$inner as $crate::FromJson>::read_json($reader).map($ty::$variant)
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __variant_pattern {
    ($ty:ident, $variant:ident, $content:ident, [], [$($field:ident)*]) => {
        $ty::$variant { $($field),* }
    };
    ($ty:ident, $variant:ident, $content:ident, [$inner:ty], []) => {
        $ty::$variant($content)
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __variant_content {
    ($writer:ident, $content:ident, [], [$($field:ident $(= $name:literal)?),*]) => {
        $crate::__write_fields!($writer, [$($field $(= $name)?),*]);
    };
    ($writer:ident, $content:ident, [$inner:ty], []) => {
        $crate::ToJson::write_json($content, $writer);
    };
}
