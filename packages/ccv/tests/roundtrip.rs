//! Property tests: every packet this crate can build encodes to bytes that decode back to it.

use cw_ics_ccv::{
    AckResult, Acknowledgement, ConsensusAddress, ConsumerPacket, Infraction, PublicKey,
    SlashPacketData, SlashedValidator, ValidatorSetChangePacket, ValidatorUpdate,
    VscMaturedPacketData,
};
use proptest::prelude::*;

fn public_key() -> impl Strategy<Value = PublicKey> {
    prop::array::uniform32(any::<u8>()).prop_map(|bytes| PublicKey::ed25519(bytes).unwrap())
}

fn validator_update() -> impl Strategy<Value = ValidatorUpdate> {
    (public_key(), 0..=cw_ics_ccv::MAX_TOTAL_VOTING_POWER)
        .prop_map(|(pub_key, power)| ValidatorUpdate { pub_key, power })
}

fn bech32_ack() -> impl Strategy<Value = String> {
    prop::array::uniform20(any::<u8>())
        .prop_map(|bytes| ConsensusAddress(bytes).to_bech32("cosmosvalcons").unwrap())
}

fn vsc_packet() -> impl Strategy<Value = ValidatorSetChangePacket> {
    (
        prop::collection::vec(validator_update(), 0..20),
        1..=u64::MAX,
        prop::collection::vec(bech32_ack(), 0..5),
    )
        .prop_map(|(validator_updates, valset_update_id, slash_acks)| {
            ValidatorSetChangePacket {
                validator_updates,
                valset_update_id,
                slash_acks,
            }
        })
}

fn consumer_packet() -> impl Strategy<Value = ConsumerPacket> {
    let slash = (
        prop::array::uniform20(any::<u8>()),
        1..=i64::MAX as u64,
        any::<u64>(),
        prop_oneof![Just(Infraction::Downtime), Just(Infraction::DoubleSign)],
    )
        .prop_map(|(address, power, valset_update_id, infraction)| {
            ConsumerPacket::Slash(SlashPacketData {
                validator: SlashedValidator {
                    address: ConsensusAddress(address),
                    power,
                },
                valset_update_id,
                infraction,
            })
        });
    let matured = any::<u64>().prop_map(|valset_update_id| {
        ConsumerPacket::VscMatured(VscMaturedPacketData { valset_update_id })
    });
    prop_oneof![slash, matured]
}

fn acknowledgement() -> impl Strategy<Value = Acknowledgement> {
    prop_oneof![
        Just(Acknowledgement::Result(AckResult::Success)),
        Just(Acknowledgement::Result(AckResult::SlashHandled)),
        Just(Acknowledgement::Result(AckResult::SlashBounced)),
        ".*".prop_map(Acknowledgement::Error),
    ]
}

proptest! {
    #[test]
    fn vsc_packets_round_trip(packet in vsc_packet()) {
        let bytes = packet.encode().unwrap();
        prop_assert_eq!(ValidatorSetChangePacket::decode(&bytes).unwrap(), packet);
    }

    #[test]
    fn consumer_packets_round_trip(packet in consumer_packet()) {
        let bytes = packet.encode().unwrap();
        prop_assert_eq!(ConsumerPacket::decode(&bytes).unwrap(), packet);
    }

    #[test]
    fn acknowledgements_round_trip(ack in acknowledgement()) {
        let bytes = ack.encode().unwrap();
        prop_assert_eq!(Acknowledgement::decode(&bytes).unwrap(), ack);
    }

    /// The serde impls (which document the wire shape and feed the schema) and the encoder the
    /// contracts run write the same bytes.
    #[test]
    fn encoders_write_what_serde_writes(vsc in vsc_packet(), consumer in consumer_packet()) {
        prop_assert_eq!(vsc.encode().unwrap().to_vec(), serde_json::to_vec(&vsc).unwrap());
        prop_assert_eq!(consumer.encode().unwrap().to_vec(), serde_json::to_vec(&consumer).unwrap());
    }

    #[test]
    fn decoding_arbitrary_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = ValidatorSetChangePacket::decode(&bytes);
        let _ = ConsumerPacket::decode(&bytes);
        let _ = Acknowledgement::decode(&bytes);
    }

    #[test]
    fn bech32_addresses_round_trip(bytes in prop::array::uniform20(any::<u8>())) {
        let address = ConsensusAddress(bytes);
        let text = address.to_bech32("consumervalcons").unwrap();
        prop_assert_eq!(ConsensusAddress::from_bech32(&text).unwrap(), ("consumervalcons".to_string(), address));
    }
}
