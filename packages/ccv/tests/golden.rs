//! Pins the exact bytes of every packet and acknowledgement type. The expected strings were
//! written from the Go implementation's proto definitions and its JSON marshaller
//! (gogoproto jsonpb with OrigName and EmitDefaults), not produced by this crate.

use cw_ics_ccv::{
    AckResult, Acknowledgement, ConsensusAddress, ConsumerPacket, Infraction, PublicKey,
    SlashPacketData, SlashedValidator, ValidatorSetChangePacket, ValidatorUpdate,
    VscMaturedPacketData,
};

/// bytes 1..=32
const KEY_A: &str = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=";
/// 32 × 0xFF
const KEY_B: &str = "//////////////////////////////////////////8=";

fn key_a() -> PublicKey {
    PublicKey::ed25519((1u8..=32).collect::<Vec<u8>>()).unwrap()
}

fn key_b() -> PublicKey {
    PublicKey::ed25519(vec![0xFF; 32]).unwrap()
}

fn assert_bytes(actual: &[u8], expected: &str) {
    assert_eq!(std::str::from_utf8(actual).unwrap(), expected);
}

#[test]
fn vsc_packet_bytes() {
    let packet = ValidatorSetChangePacket {
        validator_updates: vec![
            ValidatorUpdate {
                pub_key: key_a(),
                power: 100,
            },
            ValidatorUpdate {
                pub_key: key_b(),
                power: 0,
            },
        ],
        valset_update_id: 7,
        slash_acks: vec!["cosmosvalcons14cskcth4y3ar0qkpxhh6y7drunxuvyy56jhafs".to_string()],
    };
    let expected = format!(
        concat!(
            r#"{{"validator_updates":[{{"pub_key":{{"ed25519":"{}"}},"power":"100"}},"#,
            r#"{{"pub_key":{{"ed25519":"{}"}},"power":"0"}}],"valset_update_id":"7","#,
            r#""slash_acks":["cosmosvalcons14cskcth4y3ar0qkpxhh6y7drunxuvyy56jhafs"]}}"#
        ),
        KEY_A, KEY_B
    );
    assert_bytes(&packet.encode().unwrap(), &expected);
    assert_eq!(
        ValidatorSetChangePacket::decode(expected.as_bytes()).unwrap(),
        packet
    );
}

#[test]
fn vsc_packet_with_no_changes_emits_empty_lists() {
    let packet = ValidatorSetChangePacket {
        validator_updates: vec![],
        valset_update_id: 18446744073709551615,
        slash_acks: vec![],
    };
    let expected =
        r#"{"validator_updates":[],"valset_update_id":"18446744073709551615","slash_acks":[]}"#;
    assert_bytes(&packet.encode().unwrap(), expected);
    assert_eq!(
        ValidatorSetChangePacket::decode(expected.as_bytes()).unwrap(),
        packet
    );
}

#[test]
fn downtime_slash_packet_bytes() {
    let packet = ConsumerPacket::Slash(SlashPacketData {
        validator: SlashedValidator {
            address: ConsensusAddress([0xAB; 20]),
            power: 1,
        },
        valset_update_id: 1,
        infraction: Infraction::Downtime,
    });
    let expected = concat!(
        r#"{"type":"CONSUMER_PACKET_TYPE_SLASH","slashPacketData":{"validator":"#,
        r#"{"address":"q6urq6urq6urq6urq6urq6urq6s=","power":"1"},"valset_update_id":"1","#,
        r#""infraction":"INFRACTION_TYPE_DOWNTIME"}}"#
    );
    assert_bytes(&packet.encode().unwrap(), expected);
    assert_eq!(ConsumerPacket::decode(expected.as_bytes()).unwrap(), packet);
}

#[test]
fn double_sign_slash_packet_bytes() {
    let packet = ConsumerPacket::Slash(SlashPacketData {
        validator: SlashedValidator {
            address: ConsensusAddress([0xAB; 20]),
            power: 9_000_000_000,
        },
        valset_update_id: 0,
        infraction: Infraction::DoubleSign,
    });
    let expected = concat!(
        r#"{"type":"CONSUMER_PACKET_TYPE_SLASH","slashPacketData":{"validator":"#,
        r#"{"address":"q6urq6urq6urq6urq6urq6urq6s=","power":"9000000000"},"valset_update_id":"0","#,
        r#""infraction":"INFRACTION_TYPE_DOUBLE_SIGN"}}"#
    );
    assert_bytes(&packet.encode().unwrap(), expected);
    assert_eq!(ConsumerPacket::decode(expected.as_bytes()).unwrap(), packet);
}

#[test]
fn vsc_matured_packet_bytes() {
    let packet = ConsumerPacket::VscMatured(VscMaturedPacketData {
        valset_update_id: 42,
    });
    let expected =
        r#"{"type":"CONSUMER_PACKET_TYPE_VSCM","vscMaturedPacketData":{"valset_update_id":"42"}}"#;
    assert_bytes(&packet.encode().unwrap(), expected);
    assert_eq!(ConsumerPacket::decode(expected.as_bytes()).unwrap(), packet);
}

#[test]
fn acknowledgement_bytes() {
    let cases = [
        (
            Acknowledgement::Result(AckResult::Success),
            r#"{"result":"AQ=="}"#,
        ),
        (
            Acknowledgement::Result(AckResult::SlashHandled),
            r#"{"result":"Ag=="}"#,
        ),
        (
            Acknowledgement::Result(AckResult::SlashBounced),
            r#"{"result":"Aw=="}"#,
        ),
        (
            Acknowledgement::error("unknown validator"),
            r#"{"error":"unknown validator"}"#,
        ),
    ];
    for (ack, expected) in cases {
        assert_bytes(&ack.encode().unwrap(), expected);
        assert_eq!(Acknowledgement::decode(expected.as_bytes()).unwrap(), ack);
    }
}

#[test]
fn consensus_address_of_an_ed25519_key_is_its_truncated_sha256() {
    let address = key_a().consensus_address();
    assert_eq!(
        address.to_string(),
        "AE216C2EF5247A3782C135EFA279A3E4CDC61094"
    );
    assert_eq!(
        address.to_bech32("cosmosvalcons").unwrap(),
        "cosmosvalcons14cskcth4y3ar0qkpxhh6y7drunxuvyy56jhafs"
    );
    let (prefix, parsed) =
        ConsensusAddress::from_bech32("cosmosvalcons14cskcth4y3ar0qkpxhh6y7drunxuvyy56jhafs")
            .unwrap();
    assert_eq!(prefix, "cosmosvalcons");
    assert_eq!(parsed, address);
}
