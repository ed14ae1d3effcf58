//! The JSON this crate reads and writes is the JSON `#[cw_serde]` reads and writes: every
//! value written is byte-identical to serde's text, every serde text reads back to the same
//! value, and any text this crate accepts serde accepts with the same meaning.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Binary, Decimal, Timestamp, Uint128};
use cw_ics_json::{from_slice, json_enum, json_struct, to_vec, JsonError};
use proptest::prelude::*;

#[cw_serde]
#[derive(Copy, Eq)]
enum Policy {
    AdminOnly,
    Permissionless,
}
json_enum!(Policy {
    AdminOnly = "admin_only",
    Permissionless = "permissionless"
});

#[cw_serde]
enum Key {
    Ed25519(Binary),
}
json_enum!(Key { Ed25519 = "ed25519" (Binary) });

#[cw_serde]
struct Inner {
    key: Key,
    power: u64,
    note: Option<String>,
}
json_struct!(Inner { key, power, note });

#[cw_serde]
struct Outer {
    name: String,
    small: u32,
    flag: bool,
    amount: Uint128,
    fraction: Decimal,
    at: Timestamp,
    owner: Addr,
    policy: Policy,
    maybe: Option<u64>,
    items: Vec<Inner>,
    ids: Option<Vec<u64>>,
}
json_struct!(Outer {
    name,
    small,
    flag,
    amount,
    fraction,
    at,
    owner,
    policy,
    maybe,
    items,
    ids
});

#[cw_serde]
enum Msg {
    Update(Outer),
    Bond { validator: String, amount: Uint128 },
    Tick {},
}
json_enum!(Msg {
    Update = "update" (Outer),
    Bond = "bond" { validator, amount },
    Tick = "tick" {},
});

#[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq, Clone)]
#[serde(deny_unknown_fields)]
struct Renamed {
    #[serde(rename = "type")]
    kind: String,
    #[serde(rename = "slashPacketData")]
    data: Option<u64>,
}
json_struct!(Renamed { kind = "type", data = "slashPacketData" });

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z_]{0,8}",
        any::<String>(),
        Just("quote\" back\\ nl\n tab\t ctl\u{1} del\u{7f} é 🦀".to_string()),
    ]
}

fn inner() -> impl Strategy<Value = Inner> {
    (
        proptest::collection::vec(any::<u8>(), 0..40),
        any::<u64>(),
        proptest::option::of(text()),
    )
        .prop_map(|(key, power, note)| Inner {
            key: Key::Ed25519(Binary::new(key)),
            power,
            note,
        })
}

prop_compose! {
    fn outer()(
        name in text(),
        small in any::<u32>(),
        flag in any::<bool>(),
        amount in any::<u128>(),
        fraction in any::<u64>(),
        at in any::<u64>(),
        owner in text(),
        policy in prop_oneof![Just(Policy::AdminOnly), Just(Policy::Permissionless)],
        maybe in proptest::option::of(any::<u64>()),
        items in proptest::collection::vec(inner(), 0..4),
        ids in proptest::option::of(proptest::collection::vec(any::<u64>(), 0..4)),
    ) -> Outer {
        Outer {
            name,
            small,
            flag,
            amount: Uint128::new(amount),
            fraction: Decimal::new(Uint128::new(u128::from(fraction))),
            at: Timestamp::from_nanos(at),
            owner: Addr::unchecked(owner),
            policy,
            maybe,
            items,
            ids,
        }
    }
}

fn msg() -> impl Strategy<Value = Msg> {
    prop_oneof![
        outer().prop_map(Msg::Update),
        (text(), any::<u128>()).prop_map(|(validator, amount)| Msg::Bond {
            validator,
            amount: Uint128::new(amount)
        }),
        Just(Msg::Tick {}),
    ]
}

/// Byte edits that keep most texts close to valid: drop, duplicate or replace one byte, or
/// splice in a JSON fragment.
fn mutate(text: &[u8], at: usize, edit: u8, byte: u8) -> Vec<u8> {
    const FRAGMENTS: &[&[u8]] = &[
        b"null",
        b" ",
        b"\"x\":1,",
        b",",
        b"{",
        b"}",
        b"[",
        b"]",
        b"-",
        b"0",
        b"1.5",
        b"\\u",
        b"\"",
        b"e5",
        b"\"tick\":{}",
        b"true",
    ];
    let mut out = text.to_vec();
    if out.is_empty() {
        return out;
    }
    let at = at % out.len();
    match edit % 4 {
        0 => {
            out.remove(at);
        }
        1 => out.insert(at, out[at]),
        2 => out[at] = byte,
        _ => {
            let fragment = FRAGMENTS[usize::from(byte) % FRAGMENTS.len()];
            out.splice(at..at, fragment.iter().copied());
        }
    }
    out
}

proptest! {
    #[test]
    fn writes_what_serde_writes_and_reads_it_back(msg in msg()) {
        let serde_text = serde_json::to_vec(&msg).unwrap();
        prop_assert_eq!(String::from_utf8(to_vec(&msg)).unwrap(), String::from_utf8(serde_text.clone()).unwrap());
        prop_assert_eq!(from_slice::<Msg>(&serde_text).unwrap(), msg);
    }

    #[test]
    fn accepts_only_what_serde_accepts_with_the_same_meaning(
        msg in msg(),
        edits in proptest::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..4),
    ) {
        let mut text = serde_json::to_vec(&msg).unwrap();
        for (at, edit, byte) in edits {
            text = mutate(&text, at, edit, byte);
        }
        if let Ok(ours) = from_slice::<Msg>(&text) {
            let theirs: Msg = serde_json::from_slice(&text)
                .map_err(|error| TestCaseError::fail(format!("serde refused {:?}: {error}", String::from_utf8_lossy(&text))))?;
            prop_assert_eq!(ours, theirs);
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let _ = from_slice::<Msg>(&bytes);
        let _ = from_slice::<Outer>(&bytes);
    }
}

#[test]
fn renamed_fields_use_their_wire_names() {
    let value = Renamed {
        kind: "CONSUMER_PACKET_TYPE_VSCM".to_string(),
        data: None,
    };
    let text = serde_json::to_vec(&value).unwrap();
    assert_eq!(to_vec(&value), text);
    assert_eq!(from_slice::<Renamed>(&text).unwrap(), value);
    assert_eq!(
        from_slice::<Renamed>(br#"{"type":"x"}"#).unwrap(),
        Renamed {
            kind: "x".to_string(),
            data: None
        }
    );
}

#[test]
fn unknown_fields_are_skipped_as_serde_skips_them() {
    let text = r#"{"bond":{"x":{"a":[1,-2.5e+3,{"b":null}],"c":"\"}"},"validator":"a","y":[],"amount":"1","z":true}}"#;
    let expected = Msg::Bond {
        validator: "a".to_string(),
        amount: Uint128::new(1),
    };
    assert_eq!(from_slice::<Msg>(text.as_bytes()).unwrap(), expected);
    assert_eq!(serde_json::from_str::<Msg>(text).unwrap(), expected);
    for bad in [
        r#"{"tick":{"x":01}}"#,
        r#"{"tick":{"x":[1,]}}"#,
        r#"{"tick":{"x":{"a"}}}"#,
        r#"{"tick":{"x":1.}}"#,
    ] {
        assert!(from_slice::<Msg>(bad.as_bytes()).is_err(), "accepted {bad}");
        assert!(
            serde_json::from_str::<Msg>(bad).is_err(),
            "serde accepted {bad}"
        );
    }
    let nested = |depth: usize| {
        format!(
            r#"{{"tick":{{"x":{}{}}}}}"#,
            "[".repeat(depth),
            "]".repeat(depth)
        )
    };
    assert_eq!(
        from_slice::<Msg>(nested(128).as_bytes()).unwrap(),
        Msg::Tick {}
    );
    // serde_json skips without a limit; this reader keeps its own bound on the work.
    assert!(from_slice::<Msg>(nested(129).as_bytes()).is_err());
}

#[test]
fn whitespace_escapes_and_surrogate_pairs_are_read() {
    let text = " {\r\n\t\"bond\" : { \"amount\" : \"5\" , \"validator\" : \"a\\u00e9\\ud83e\\udd80\\n\\/\" } } \n";
    let expected = Msg::Bond {
        validator: "aé🦀\n/".to_string(),
        amount: Uint128::new(5),
    };
    assert_eq!(from_slice::<Msg>(text.as_bytes()).unwrap(), expected);
    assert_eq!(serde_json::from_str::<Msg>(text).unwrap(), expected);
}

#[test]
fn refusals_name_what_is_wrong() {
    let cases: &[(&str, JsonError)] = &[
        (
            r#"{"bond":{"validator":"a"}}"#,
            JsonError::MissingField("amount"),
        ),
        (
            r#"{"bond":{"validator":"a","validator":"b","amount":"1"}}"#,
            JsonError::DuplicateField("validator"),
        ),
        (
            r#"{"unbond":{}}"#,
            JsonError::UnknownVariant("unbond".to_string()),
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(
            &from_slice::<Msg>(text.as_bytes()).unwrap_err(),
            expected,
            "{text}"
        );
        assert!(
            serde_json::from_str::<Msg>(text).is_err(),
            "serde accepted {text}"
        );
    }
    for text in [
        r#"{"tick":{}} x"#,
        r#"{"tick":{},"bond":{}}"#,
        r#""tick""#,
        r#"{"tick":[]}"#,
        r#"{"bond":{"validator":"a","amount":5}}"#,
        r#"{"bond":{"validator":"a","amount":"-1"}}"#,
        r#"{"bond":{"validator":"\ud83e","amount":"1"}}"#,
        "{\"bond\":{\"validator\":\"\u{1}\",\"amount\":\"1\"}}",
    ] {
        assert!(
            from_slice::<Msg>(text.as_bytes()).is_err(),
            "accepted {text}"
        );
    }
}

#[test]
fn integers_are_refused_as_serde_refuses_them() {
    #[cw_serde]
    struct Numbers {
        big: u64,
        small: u32,
    }
    json_struct!(Numbers { big, small });
    for text in [
        r#"{"big":18446744073709551616,"small":1}"#,
        r#"{"big":1,"small":4294967296}"#,
        r#"{"big":01,"small":1}"#,
        r#"{"big":1.0,"small":1}"#,
        r#"{"big":1e3,"small":1}"#,
        r#"{"big":-1,"small":1}"#,
        r#"{"big":"1","small":1}"#,
    ] {
        assert!(
            from_slice::<Numbers>(text.as_bytes()).is_err(),
            "accepted {text}"
        );
        assert!(
            serde_json::from_str::<Numbers>(text).is_err(),
            "serde accepted {text}"
        );
    }
    let max = r#"{"big":18446744073709551615,"small":4294967295}"#;
    assert_eq!(
        from_slice::<Numbers>(max.as_bytes()).unwrap(),
        serde_json::from_str::<Numbers>(max).unwrap()
    );
}
