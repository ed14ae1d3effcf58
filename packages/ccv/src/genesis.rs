use cosmwasm_schema::cw_serde;
use cosmwasm_std::Decimal;
use thiserror::Error;

use crate::PublicKey;

/// Everything a consumer contract is instantiated with. The provider computes it when the
/// consumer launches (spawn time) and serves it by query; whoever deploys the consumer passes
/// it unchanged as the consumer's instantiate message.
#[cw_serde]
pub struct ConsumerGenesis {
    /// The provider chain's chain id.
    pub provider_chain_id: String,
    /// The consumer chain's chain id, as registered on the provider.
    pub chain_id: String,
    /// The consumer chain's end of the connection to the provider chain: the only
    /// connection the CCV channel may be opened on.
    pub connection_id: String,
    /// The provider contract's IBC port (`wasm.<provider address>`), the channel's counterparty.
    pub provider_port_id: String,
    /// The validator set at launch, with the keys the consumer must use.
    pub initial_validator_set: Vec<GenesisValidator>,
    pub params: ConsumerParams,
}

/// A validator of the initial set: the consensus key the consumer chain must use and its power.
#[cw_serde]
pub struct GenesisValidator {
    pub pub_key: PublicKey,
    pub power: u64,
}

/// The consumer's protocol parameters, fixed by the provider at launch.
#[cw_serde]
pub struct ConsumerParams {
    /// How long after applying a VSC the consumer reports it matured.
    pub unbonding_period_seconds: u64,
    /// Timeout of every CCV packet the consumer sends.
    pub ccv_timeout_seconds: u64,
    /// How long the consumer waits before resending a bounced slash packet.
    pub retry_delay_seconds: u64,
    /// Blocks in the liveness window.
    pub signed_blocks_window: u64,
    /// Minimum fraction of the window a validator must sign to stay live.
    pub min_signed_per_window: Decimal,
    /// Bech32 prefix of the consensus addresses in `slash_acks` (e.g. `cosmosvalcons`).
    pub valcons_prefix: String,
}

#[derive(Error, Debug, Clone, PartialEq, Eq)]
pub enum GenesisError {
    #[error("the initial validator set is empty")]
    EmptyValidatorSet,
    #[error("the initial validator set names a key twice")]
    DuplicateValidator,
    #[error("the initial validator set has a validator with power 0")]
    ZeroPower,
    #[error("genesis field `{0}` must not be empty")]
    EmptyField(&'static str),
    #[error("parameter `{0}` must be above 0")]
    ZeroParameter(&'static str),
    #[error("min_signed_per_window must be at most 1")]
    FractionAboveOne,
    #[error(transparent)]
    Packet(#[from] crate::PacketError),
}

impl ConsumerGenesis {
    pub fn validate(&self) -> Result<(), GenesisError> {
        for (name, value) in [
            ("provider_chain_id", &self.provider_chain_id),
            ("chain_id", &self.chain_id),
            ("connection_id", &self.connection_id),
            ("provider_port_id", &self.provider_port_id),
            ("params.valcons_prefix", &self.params.valcons_prefix),
        ] {
            if value.is_empty() {
                return Err(GenesisError::EmptyField(name));
            }
        }
        if self.initial_validator_set.is_empty() {
            return Err(GenesisError::EmptyValidatorSet);
        }
        let mut keys = Vec::with_capacity(self.initial_validator_set.len());
        for update in &self.initial_validator_set {
            update.pub_key.validate()?;
            if update.power == 0 {
                return Err(GenesisError::ZeroPower);
            }
            keys.push(update.pub_key.bytes());
        }
        keys.sort_unstable();
        if keys.windows(2).any(|pair| pair[0] == pair[1]) {
            return Err(GenesisError::DuplicateValidator);
        }
        self.params.validate()
    }
}

impl ConsumerParams {
    pub fn validate(&self) -> Result<(), GenesisError> {
        for (name, value) in [
            ("unbonding_period_seconds", self.unbonding_period_seconds),
            ("ccv_timeout_seconds", self.ccv_timeout_seconds),
            ("signed_blocks_window", self.signed_blocks_window),
        ] {
            if value == 0 {
                return Err(GenesisError::ZeroParameter(name));
            }
        }
        if self.min_signed_per_window > Decimal::one() {
            return Err(GenesisError::FractionAboveOne);
        }
        Ok(())
    }
}
