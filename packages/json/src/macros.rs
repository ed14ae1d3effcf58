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

/// `FromJson` and `ToJson` for an enum, externally tagged as serde does: a unit variant is its
/// name as a string, a variant with content is `{"name": content}`. A variant is
/// `Variant = "name"` (unit), `Variant = "name" (Type)` (newtype) or
/// `Variant = "name" { fields }` (struct, possibly empty).
///
/// ```
/// use cw_ics_json::{from_slice, json_enum, to_vec};
///
/// #[derive(Debug, PartialEq)]
/// enum Msg { Bond { validator: String }, Tick {}, Raw(u64), Halt }
/// json_enum!(Msg {
///     Bond = "bond" { validator },
///     Tick = "tick" {},
///     Raw = "raw" (u64),
///     Halt = "halt",
/// });
///
/// assert_eq!(from_slice::<Msg>(br#"{"tick":{}}"#).unwrap(), Msg::Tick {});
/// assert_eq!(from_slice::<Msg>(br#""halt""#).unwrap(), Msg::Halt);
/// assert_eq!(to_vec(&Msg::Raw(7)), br#"{"raw":7}"#);
/// ```
///
/// A variant left out of the list does not compile:
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
                let (index, in_object) = reader.any_variant(&[$($name),*])?;
                let mut slot = 0usize;
                $(
                    if index == slot {
                        return $crate::__read_variant!(
                            reader, in_object, $ty, $variant
                            $(, ($inner))? $(, { $($field $(= $fname)?),* })?
                        );
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
                            $ty, $variant, content
                            $(, ($inner))? $(, { $($field $(= $fname)?),* })?
                        ) => {
                            $crate::__write_variant!(
                                writer, $name, content
                                $(, ($inner))? $(, { $($field $(= $fname)?),* })?
                            );
                        }
                    )*
                }
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
    ($reader:ident, $in_object:ident, $ty:ident, $variant:ident) => {
        if $in_object {
            ::core::result::Result::Err($reader.error("a unit variant as a string"))
        } else {
            ::core::result::Result::Ok($ty::$variant)
        }
    };
    ($reader:ident, $in_object:ident, $ty:ident, $variant:ident, ($inner:ty)) => {
        $crate::__variant_content!($reader, $in_object, {
            <$inner as $crate::FromJson>::read_json($reader).map($ty::$variant)
        })
    };
    ($reader:ident, $in_object:ident, $ty:ident, $variant:ident,
        { $($field:ident $(= $name:literal)?),* $(,)? }) => {
        $crate::__variant_content!($reader, $in_object, {
            $crate::__read_fields!($reader, false, $ty::$variant, [$($field $(= $name)?),*])
        })
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __variant_content {
    ($reader:ident, $in_object:ident, $read:block) => {
        if $in_object {
            let value = $read?;
            $reader.end_variant()?;
            ::core::result::Result::Ok(value)
        } else {
            ::core::result::Result::Err($reader.error("an object naming the variant"))
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __variant_pattern {
    ($ty:ident, $variant:ident, $content:ident) => {
        $ty::$variant
    };
    ($ty:ident, $variant:ident, $content:ident, ($inner:ty)) => {
        $ty::$variant($content)
    };
    ($ty:ident, $variant:ident, $content:ident, { $($field:ident $(= $name:literal)?),* $(,)? }) => {
        $ty::$variant { $($field),* }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __write_variant {
    ($writer:ident, $name:literal, $content:ident) => {
        $writer.string($name);
    };
    ($writer:ident, $name:literal, $content:ident, ($inner:ty)) => {
        $writer.begin_object();
        $writer.key($name);
        $crate::ToJson::write_json($content, $writer);
        $writer.end_object();
    };
    ($writer:ident, $name:literal, $content:ident, { $($field:ident $(= $fname:literal)?),* $(,)? }) => {
        $writer.begin_object();
        $writer.key($name);
        $crate::__write_fields!($writer, [$($field $(= $fname)?),*]);
        $writer.end_object();
    };
}
