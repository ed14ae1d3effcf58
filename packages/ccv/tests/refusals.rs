//! One test per decoding rule: each malformed input is refused, and says which rule it broke.
//! Rules serde checks come back as `PacketError::Malformed` with serde's message (naming the
//! field, variant or rule); rules checked after reading have their own variant.

use cosmwasm_std::{IbcChannel, IbcEndpoint, IbcOrder};
use cw_ics_ccv::{
    ensure_ordered, negotiate_version, validate_counterparty_version, AckResult, Acknowledgement,
    ChannelError, ConsensusAddress, ConsumerPacket, PacketError, PublicKey,
    ValidatorSetChangePacket,
};

const KEY: &str = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=";
const ADDRESS: &str = "q6urq6urq6urq6urq6urq6urq6s=";

fn vsc(body: &str) -> Result<ValidatorSetChangePacket, PacketError> {
    ValidatorSetChangePacket::decode(body.as_bytes())
}

fn consumer(body: &str) -> Result<ConsumerPacket, PacketError> {
    ConsumerPacket::decode(body.as_bytes())
}

/// Asserts a refusal by the decoder whose message names `rule`.
#[track_caller]
fn assert_malformed<T: std::fmt::Debug>(result: Result<T, PacketError>, rule: &str) {
    match result {
        Err(PacketError::Malformed(message)) => {
            assert!(message.contains(rule), "`{message}` does not say `{rule}`")
        }
        other => panic!("expected a refusal saying `{rule}`, got {other:?}"),
    }
}

fn vsc_with_update(update: &str) -> String {
    format!(r#"{{"validator_updates":[{update}],"valset_update_id":"1","slash_acks":[]}}"#)
}

fn slash_with_validator(validator: &str) -> String {
    format!(
        r#"{{"type":"CONSUMER_PACKET_TYPE_SLASH","slashPacketData":{{"validator":{validator},"valset_update_id":"1","infraction":"INFRACTION_TYPE_DOWNTIME"}}}}"#
    )
}

fn matured_with_id(id: &str) -> String {
    format!(
        r#"{{"type":"CONSUMER_PACKET_TYPE_VSCM","vscMaturedPacketData":{{"valset_update_id":{id}}}}}"#
    )
}

#[test]
fn vsc_with_unknown_field_is_refused() {
    let body = r#"{"validator_updates":[],"valset_update_id":"1","slash_acks":[],"extra":1}"#;
    assert_malformed(vsc(body), "unknown field `extra`");
}

#[test]
fn vsc_with_unknown_field_in_an_update_is_refused() {
    let body = vsc_with_update(&format!(
        r#"{{"pub_key":{{"ed25519":"{KEY}"}},"power":"1","x":"1"}}"#
    ));
    assert_malformed(vsc(&body), "unknown field `x`");
}

#[test]
fn vsc_without_or_with_null_validator_updates_is_refused() {
    assert_malformed(
        vsc(r#"{"valset_update_id":"1","slash_acks":[]}"#),
        "missing field `validator_updates`",
    );
    assert_malformed(
        vsc(r#"{"validator_updates":null,"valset_update_id":"1","slash_acks":[]}"#),
        "invalid type: null",
    );
}

#[test]
fn vsc_without_slash_acks_is_refused() {
    assert_malformed(
        vsc(r#"{"validator_updates":[],"valset_update_id":"1"}"#),
        "missing field `slash_acks`",
    );
}

#[test]
fn vsc_with_zero_valset_update_id_is_refused() {
    let body = r#"{"validator_updates":[],"valset_update_id":"0","slash_acks":[]}"#;
    assert_eq!(vsc(body), Err(PacketError::ZeroValsetUpdateId));
}

#[test]
fn vsc_without_valset_update_id_is_refused() {
    let body = r#"{"validator_updates":[],"slash_acks":[]}"#;
    assert_malformed(vsc(body), "missing field `valset_update_id`");
}

/// gogoproto's jsonpb reads a 64-bit integer from a JSON number or from a string holding one.
#[test]
fn integers_are_read_as_the_go_decoder_reads_them() {
    for (id, expected) in [
        (r#""7""#, 7),
        ("7", 7),
        (r#"" 7""#, 7),
        (r#""18446744073709551615""#, u64::MAX),
    ] {
        let body = format!(r#"{{"validator_updates":[],"valset_update_id":{id},"slash_acks":[]}}"#);
        assert_eq!(vsc(&body).unwrap().valset_update_id, expected, "{id}");
        match consumer(&matured_with_id(id)).unwrap() {
            ConsumerPacket::VscMatured(data) => assert_eq!(data.valset_update_id, expected),
            other => panic!("{other:?}"),
        }
    }
    let bare_power = vsc_with_update(&format!(r#"{{"pub_key":{{"ed25519":"{KEY}"}},"power":5}}"#));
    assert_eq!(vsc(&bare_power).unwrap().validator_updates[0].power, 5);
}

#[test]
fn integers_the_go_decoder_refuses_are_refused() {
    for id in [
        r#""1.0""#,
        "1.0",
        r#""1e2""#,
        "1e2",
        r#""+1""#,
        r#""01""#,
        r#""-1""#,
        r#""18446744073709551616""#,
        r#""\u0031""#,
        r#""""#,
        "null",
        "true",
    ] {
        let body = format!(r#"{{"validator_updates":[],"valset_update_id":{id},"slash_acks":[]}}"#);
        assert!(
            matches!(vsc(&body), Err(PacketError::Malformed(_))),
            "{id} was accepted"
        );
        assert!(
            matches!(
                consumer(&matured_with_id(id)),
                Err(PacketError::Malformed(_))
            ),
            "{id} was accepted"
        );
    }
    let too_large = vsc_with_update(&format!(
        r#"{{"pub_key":{{"ed25519":"{KEY}"}},"power":"9223372036854775808"}}"#
    ));
    assert_malformed(vsc(&too_large), "is not an integer");
}

/// Go's encoding/json reads bytes with base64.StdEncoding, which requires the padding.
#[test]
fn unpadded_base64_is_refused() {
    let unpadded_key = KEY.trim_end_matches('=');
    let body = vsc_with_update(&format!(
        r#"{{"pub_key":{{"ed25519":"{unpadded_key}"}},"power":"1"}}"#
    ));
    assert_malformed(vsc(&body), "is not padded standard base64");

    let unpadded_address = "q6urq6urq6urq6urq6urq6urq6s";
    let body = slash_with_validator(&format!(
        r#"{{"address":"{unpadded_address}","power":"1"}}"#
    ));
    assert_malformed(consumer(&body), "is not padded standard base64");

    assert_malformed(
        Acknowledgement::decode(br#"{"result":"AQ"}"#),
        "is not padded standard base64",
    );
    assert_eq!(
        Acknowledgement::decode(br#"{"result":"AQ=="}"#),
        Ok(Acknowledgement::Result(AckResult::Success))
    );
}

#[test]
fn vsc_with_short_key_is_refused() {
    let body = vsc_with_update(r#"{"pub_key":{"ed25519":"AQID"},"power":"1"}"#);
    assert_eq!(vsc(&body), Err(PacketError::InvalidKeyLength(3)));
}

#[test]
fn vsc_with_unsupported_key_type_is_refused() {
    let body = vsc_with_update(&format!(
        r#"{{"pub_key":{{"secp256k1":"{KEY}"}},"power":"1"}}"#
    ));
    assert_malformed(vsc(&body), "unknown variant `secp256k1`");
}

#[test]
fn vsc_with_negative_power_is_refused() {
    let body = vsc_with_update(&format!(
        r#"{{"pub_key":{{"ed25519":"{KEY}"}},"power":"-5"}}"#
    ));
    assert_malformed(vsc(&body), "power must not be negative, got -5");
}

#[test]
fn vsc_with_power_above_cometbft_maximum_is_refused() {
    let max = cw_ics_ccv::MAX_TOTAL_VOTING_POWER;
    let at_max = vsc_with_update(&format!(
        r#"{{"pub_key":{{"ed25519":"{KEY}"}},"power":"{max}"}}"#
    ));
    assert_eq!(vsc(&at_max).unwrap().validator_updates[0].power, max);
    let above = max + 1;
    let body = vsc_with_update(&format!(
        r#"{{"pub_key":{{"ed25519":"{KEY}"}},"power":"{above}"}}"#
    ));
    assert_eq!(vsc(&body), Err(PacketError::PowerAboveMaximum(above)));
}

#[test]
fn slash_with_zero_power_is_refused() {
    let body = slash_with_validator(&format!(r#"{{"address":"{ADDRESS}","power":"0"}}"#));
    assert_eq!(consumer(&body), Err(PacketError::ZeroSlashPower));
}

#[test]
fn slash_with_negative_power_is_refused() {
    let body = slash_with_validator(&format!(r#"{{"address":"{ADDRESS}","power":"-1"}}"#));
    assert_malformed(consumer(&body), "power must not be negative, got -1");
}

#[test]
fn slash_with_short_or_empty_address_is_refused() {
    let body = slash_with_validator(r#"{"address":"AQID","power":"1"}"#);
    assert_malformed(
        consumer(&body),
        "a consensus address must be 20 bytes, got 3",
    );
    let body = slash_with_validator(r#"{"address":"","power":"1"}"#);
    assert_malformed(
        consumer(&body),
        "a consensus address must be 20 bytes, got 0",
    );
}

#[test]
fn slash_with_unspecified_or_unknown_infraction_is_refused() {
    for infraction in ["INFRACTION_TYPE_UNSPECIFIED", "INFRACTION_DOWNTIME"] {
        let body = format!(
            r#"{{"type":"CONSUMER_PACKET_TYPE_SLASH","slashPacketData":{{"validator":{{"address":"{ADDRESS}","power":"1"}},"valset_update_id":"1","infraction":"{infraction}"}}}}"#
        );
        assert_malformed(consumer(&body), &format!("unknown variant `{infraction}`"));
    }
}

#[test]
fn consumer_packet_with_unspecified_type_is_refused() {
    let body = r#"{"type":"CONSUMER_PACKET_TYPE_UNSPECIFIED","vscMaturedPacketData":{"valset_update_id":"1"}}"#;
    assert_malformed(
        consumer(body),
        "unknown variant `CONSUMER_PACKET_TYPE_UNSPECIFIED`",
    );
}

#[test]
fn consumer_packet_without_type_is_refused() {
    let body = r#"{"vscMaturedPacketData":{"valset_update_id":"1"}}"#;
    assert_malformed(consumer(body), "missing field `type`");
}

#[test]
fn consumer_packet_whose_payload_does_not_match_its_type_is_refused() {
    let body =
        r#"{"type":"CONSUMER_PACKET_TYPE_SLASH","vscMaturedPacketData":{"valset_update_id":"1"}}"#;
    assert_malformed(
        consumer(body),
        "must carry exactly the `slashPacketData` payload",
    );
    let body = r#"{"type":"CONSUMER_PACKET_TYPE_VSCM"}"#;
    assert_malformed(
        consumer(body),
        "must carry exactly the `vscMaturedPacketData` payload",
    );
}

#[test]
fn consumer_packet_with_both_payloads_is_refused() {
    let body = format!(
        r#"{{"type":"CONSUMER_PACKET_TYPE_VSCM","vscMaturedPacketData":{{"valset_update_id":"1"}},"slashPacketData":{{"validator":{{"address":"{ADDRESS}","power":"1"}},"valset_update_id":"1","infraction":"INFRACTION_TYPE_DOWNTIME"}}}}"#
    );
    assert_malformed(
        consumer(&body),
        "must carry exactly the `vscMaturedPacketData` payload",
    );
}

#[test]
fn consumer_packet_with_a_member_twice_is_refused() {
    let body = r#"{"type":"CONSUMER_PACKET_TYPE_VSCM","type":"CONSUMER_PACKET_TYPE_VSCM","vscMaturedPacketData":{"valset_update_id":"1"}}"#;
    assert_malformed(consumer(body), "duplicate field `type`");
}

#[test]
fn consumer_packet_with_unknown_field_is_refused() {
    let body = r#"{"type":"CONSUMER_PACKET_TYPE_VSCM","vscMaturedPacketData":{"valset_update_id":"1","height":"3"}}"#;
    assert_malformed(consumer(body), "unknown field `height`");
    let body = r#"{"type":"CONSUMER_PACKET_TYPE_VSCM","vscMaturedPacketData":{"valset_update_id":"1"},"x":1}"#;
    assert_malformed(consumer(body), "unknown field `x`");
}

#[test]
fn garbage_is_refused() {
    assert!(matches!(
        consumer("not json"),
        Err(PacketError::Malformed(_))
    ));
    assert!(matches!(vsc(""), Err(PacketError::Malformed(_))));
    assert!(matches!(consumer("[]"), Err(PacketError::Malformed(_))));
}

#[test]
fn ack_result_of_other_than_one_byte_is_refused() {
    assert_malformed(
        Acknowledgement::decode(br#"{"result":"AQI="}"#),
        "exactly one byte, got 2",
    );
    assert_malformed(
        Acknowledgement::decode(br#"{"result":""}"#),
        "exactly one byte, got 0",
    );
}

#[test]
fn ack_result_with_unknown_byte_is_refused() {
    assert_malformed(
        Acknowledgement::decode(br#"{"result":"BA=="}"#),
        "unknown acknowledgement result byte 0x04",
    );
}

#[test]
fn ack_with_both_or_neither_member_is_refused() {
    assert!(matches!(
        Acknowledgement::decode(br#"{"result":"AQ==","error":"x"}"#),
        Err(PacketError::Malformed(_))
    ));
    assert!(matches!(
        Acknowledgement::decode(b"{}"),
        Err(PacketError::Malformed(_))
    ));
}

#[test]
fn ack_with_unknown_member_is_refused() {
    assert_malformed(
        Acknowledgement::decode(br#"{"code":1}"#),
        "unknown variant `code`",
    );
}

#[test]
fn public_key_of_wrong_length_is_refused() {
    assert_eq!(
        PublicKey::ed25519(vec![0; 33]),
        Err(PacketError::InvalidKeyLength(33))
    );
}

#[test]
fn bech32_address_of_wrong_length_or_checksum_is_refused() {
    let short = ConsensusAddress([1; 20])
        .to_bech32("cosmosvalcons")
        .unwrap();
    let mut corrupted = short.clone();
    corrupted.pop();
    corrupted.push('q');
    assert!(matches!(
        ConsensusAddress::from_bech32(&corrupted),
        Err(PacketError::InvalidBech32(_))
    ));
    assert_eq!(
        ConsensusAddress::from_slice(&[0; 19]),
        Err(PacketError::InvalidAddressLength(19))
    );
}

fn channel(order: IbcOrder) -> IbcChannel {
    IbcChannel::new(
        IbcEndpoint {
            port_id: "wasm.a".into(),
            channel_id: "channel-0".into(),
        },
        IbcEndpoint {
            port_id: "wasm.b".into(),
            channel_id: "channel-1".into(),
        },
        order,
        "1",
        "connection-0",
    )
}

#[test]
fn unordered_channel_is_refused() {
    assert_eq!(
        ensure_ordered(&channel(IbcOrder::Unordered)),
        Err(ChannelError::NotOrdered)
    );
    assert_eq!(ensure_ordered(&channel(IbcOrder::Ordered)), Ok(()));
}

#[test]
fn version_negotiation_accepts_only_the_ccv_version() {
    assert_eq!(negotiate_version(""), Ok("1"));
    assert_eq!(negotiate_version("1"), Ok("1"));
    assert!(matches!(
        negotiate_version("ics20-1"),
        Err(ChannelError::InvalidVersion { .. })
    ));
    assert_eq!(validate_counterparty_version("1"), Ok(()));
    assert!(validate_counterparty_version("").is_err());
    assert!(validate_counterparty_version("2").is_err());
}

mod genesis {
    use cosmwasm_std::Decimal;
    use cw_ics_ccv::{ConsumerGenesis, ConsumerParams, GenesisError, GenesisValidator, PublicKey};

    fn genesis() -> ConsumerGenesis {
        ConsumerGenesis {
            provider_chain_id: "provider-1".into(),
            chain_id: "consumer-1".into(),
            connection_id: "connection-0".into(),
            provider_port_id: "wasm.provider".into(),
            initial_validator_set: vec![GenesisValidator {
                pub_key: PublicKey::ed25519(vec![7; 32]).unwrap(),
                power: 10,
            }],
            params: ConsumerParams {
                unbonding_period_seconds: 86_400,
                ccv_timeout_seconds: 2_419_200,
                retry_delay_seconds: 3_600,
                signed_blocks_window: 100,
                min_signed_per_window: Decimal::percent(50),
                valcons_prefix: "cosmosvalcons".into(),
            },
        }
    }

    #[test]
    fn a_well_formed_genesis_is_accepted() {
        assert_eq!(genesis().validate(), Ok(()));
    }

    #[test]
    fn each_rule_is_enforced() {
        let mut g = genesis();
        g.initial_validator_set.clear();
        assert_eq!(g.validate(), Err(GenesisError::EmptyValidatorSet));

        let mut g = genesis();
        g.initial_validator_set
            .push(g.initial_validator_set[0].clone());
        assert_eq!(g.validate(), Err(GenesisError::DuplicateValidator));

        let mut g = genesis();
        g.initial_validator_set[0].power = 0;
        assert_eq!(g.validate(), Err(GenesisError::ZeroPower));

        let mut g = genesis();
        g.connection_id.clear();
        assert_eq!(g.validate(), Err(GenesisError::EmptyField("connection_id")));

        let mut g = genesis();
        g.params.signed_blocks_window = 0;
        assert_eq!(
            g.validate(),
            Err(GenesisError::ZeroParameter("signed_blocks_window"))
        );

        let mut g = genesis();
        g.params.min_signed_per_window = Decimal::percent(101);
        assert_eq!(g.validate(), Err(GenesisError::FractionAboveOne));
    }
}
