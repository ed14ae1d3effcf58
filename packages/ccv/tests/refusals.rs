//! One test per decoding rule: each malformed input is refused with its own typed error.

use cosmwasm_std::{IbcChannel, IbcEndpoint, IbcOrder};
use cw_ics_ccv::{
    ensure_ordered, negotiate_version, validate_counterparty_version, Acknowledgement,
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

fn slash_with_validator(validator: &str) -> String {
    format!(
        r#"{{"type":"CONSUMER_PACKET_TYPE_SLASH","slashPacketData":{{"validator":{validator},"valset_update_id":"1","infraction":"INFRACTION_TYPE_DOWNTIME"}}}}"#
    )
}

#[test]
fn vsc_with_unknown_field_is_refused() {
    let body = r#"{"validator_updates":[],"valset_update_id":"1","slash_acks":[],"extra":1}"#;
    assert_eq!(vsc(body), Err(PacketError::UnknownField("extra".into())));
}

#[test]
fn vsc_with_unknown_field_in_an_update_is_refused() {
    let body = format!(
        r#"{{"validator_updates":[{{"pub_key":{{"ed25519":"{KEY}"}},"power":"1","x":"1"}}],"valset_update_id":"1","slash_acks":[]}}"#
    );
    assert_eq!(vsc(&body), Err(PacketError::UnknownField("x".into())));
}

#[test]
fn vsc_without_validator_updates_is_refused() {
    let body = r#"{"valset_update_id":"1","slash_acks":[]}"#;
    assert_eq!(vsc(body), Err(PacketError::MissingValidatorUpdates));
}

#[test]
fn vsc_with_null_validator_updates_is_refused() {
    let body = r#"{"validator_updates":null,"valset_update_id":"1","slash_acks":[]}"#;
    assert_eq!(vsc(body), Err(PacketError::MissingValidatorUpdates));
}

#[test]
fn vsc_with_zero_valset_update_id_is_refused() {
    let body = r#"{"validator_updates":[],"valset_update_id":"0","slash_acks":[]}"#;
    assert_eq!(vsc(body), Err(PacketError::ZeroValsetUpdateId));
}

#[test]
fn vsc_without_valset_update_id_is_refused() {
    let body = r#"{"validator_updates":[],"slash_acks":[]}"#;
    assert_eq!(
        vsc(body),
        Err(PacketError::MissingField("valset_update_id".into()))
    );
}

#[test]
fn vsc_with_numeric_valset_update_id_is_refused() {
    let body = r#"{"validator_updates":[],"valset_update_id":1,"slash_acks":[]}"#;
    assert!(matches!(vsc(body), Err(PacketError::Json(_))));
}

#[test]
fn vsc_with_short_key_is_refused() {
    let body = r#"{"validator_updates":[{"pub_key":{"ed25519":"AQID"},"power":"1"}],"valset_update_id":"1","slash_acks":[]}"#;
    assert_eq!(vsc(body), Err(PacketError::InvalidKeyLength(3)));
}

#[test]
fn vsc_with_unsupported_key_type_is_refused() {
    let body = format!(
        r#"{{"validator_updates":[{{"pub_key":{{"secp256k1":"{KEY}"}},"power":"1"}}],"valset_update_id":"1","slash_acks":[]}}"#
    );
    assert_eq!(
        vsc(&body),
        Err(PacketError::UnknownVariant("secp256k1".into()))
    );
}

#[test]
fn vsc_with_negative_power_is_refused() {
    let body = format!(
        r#"{{"validator_updates":[{{"pub_key":{{"ed25519":"{KEY}"}},"power":"-5"}}],"valset_update_id":"1","slash_acks":[]}}"#
    );
    assert_eq!(vsc(&body), Err(PacketError::NegativePower(-5)));
}

#[test]
fn slash_with_zero_power_is_refused() {
    let body = slash_with_validator(&format!(r#"{{"address":"{ADDRESS}","power":"0"}}"#));
    assert_eq!(consumer(&body), Err(PacketError::ZeroSlashPower));
}

#[test]
fn slash_with_negative_power_is_refused() {
    let body = slash_with_validator(&format!(r#"{{"address":"{ADDRESS}","power":"-1"}}"#));
    assert_eq!(consumer(&body), Err(PacketError::NegativePower(-1)));
}

#[test]
fn slash_with_short_address_is_refused() {
    let body = slash_with_validator(r#"{"address":"AQID","power":"1"}"#);
    assert_eq!(consumer(&body), Err(PacketError::InvalidAddressLength(3)));
}

#[test]
fn slash_with_empty_address_is_refused() {
    let body = slash_with_validator(r#"{"address":"","power":"1"}"#);
    assert_eq!(consumer(&body), Err(PacketError::InvalidAddressLength(0)));
}

#[test]
fn slash_with_unspecified_infraction_is_refused() {
    let body = format!(
        r#"{{"type":"CONSUMER_PACKET_TYPE_SLASH","slashPacketData":{{"validator":{{"address":"{ADDRESS}","power":"1"}},"valset_update_id":"1","infraction":"INFRACTION_TYPE_UNSPECIFIED"}}}}"#
    );
    assert_eq!(consumer(&body), Err(PacketError::UnspecifiedInfraction));
}

#[test]
fn slash_with_unknown_infraction_is_refused() {
    let body = format!(
        r#"{{"type":"CONSUMER_PACKET_TYPE_SLASH","slashPacketData":{{"validator":{{"address":"{ADDRESS}","power":"1"}},"valset_update_id":"1","infraction":"INFRACTION_DOWNTIME"}}}}"#
    );
    assert_eq!(
        consumer(&body),
        Err(PacketError::UnknownVariant("INFRACTION_DOWNTIME".into()))
    );
}

#[test]
fn consumer_packet_with_unspecified_type_is_refused() {
    let body = r#"{"type":"CONSUMER_PACKET_TYPE_UNSPECIFIED","vscMaturedPacketData":{"valset_update_id":"1"}}"#;
    assert_eq!(consumer(body), Err(PacketError::UnspecifiedPacketType));
}

#[test]
fn consumer_packet_whose_payload_does_not_match_its_type_is_refused() {
    let body =
        r#"{"type":"CONSUMER_PACKET_TYPE_SLASH","vscMaturedPacketData":{"valset_update_id":"1"}}"#;
    assert!(matches!(
        consumer(body),
        Err(PacketError::PayloadMismatch { .. })
    ));
    let body = r#"{"type":"CONSUMER_PACKET_TYPE_VSCM"}"#;
    assert!(matches!(
        consumer(body),
        Err(PacketError::PayloadMismatch { .. })
    ));
}

#[test]
fn consumer_packet_with_both_payloads_is_refused() {
    let body = format!(
        r#"{{"type":"CONSUMER_PACKET_TYPE_VSCM","vscMaturedPacketData":{{"valset_update_id":"1"}},"slashPacketData":{{"validator":{{"address":"{ADDRESS}","power":"1"}},"valset_update_id":"1","infraction":"INFRACTION_TYPE_DOWNTIME"}}}}"#
    );
    assert!(matches!(
        consumer(&body),
        Err(PacketError::PayloadMismatch { .. })
    ));
}

#[test]
fn consumer_packet_with_unknown_field_is_refused() {
    let body = r#"{"type":"CONSUMER_PACKET_TYPE_VSCM","vscMaturedPacketData":{"valset_update_id":"1","height":"3"}}"#;
    assert_eq!(
        consumer(body),
        Err(PacketError::UnknownField("height".into()))
    );
}

#[test]
fn garbage_is_refused_as_json() {
    assert!(matches!(consumer("not json"), Err(PacketError::Json(_))));
    assert!(matches!(vsc(""), Err(PacketError::Json(_))));
}

#[test]
fn ack_result_of_other_than_one_byte_is_refused() {
    assert_eq!(
        Acknowledgement::decode(br#"{"result":"AQI="}"#),
        Err(PacketError::InvalidAckResultLength(2))
    );
    assert_eq!(
        Acknowledgement::decode(br#"{"result":""}"#),
        Err(PacketError::InvalidAckResultLength(0))
    );
}

#[test]
fn ack_result_with_unknown_byte_is_refused() {
    assert_eq!(
        Acknowledgement::decode(br#"{"result":"BA=="}"#),
        Err(PacketError::UnknownAckResult(4))
    );
}

#[test]
fn ack_with_both_or_neither_member_is_refused() {
    assert_eq!(
        Acknowledgement::decode(br#"{"result":"AQ==","error":"x"}"#),
        Err(PacketError::InvalidAckEnvelope)
    );
    assert_eq!(
        Acknowledgement::decode(b"{}"),
        Err(PacketError::InvalidAckEnvelope)
    );
}

#[test]
fn ack_with_unknown_field_is_refused() {
    assert_eq!(
        Acknowledgement::decode(br#"{"result":"AQ==","code":1}"#),
        Err(PacketError::UnknownField("code".into()))
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
