//! `cosmwasm-std`'s entry-point types, in the JSON their serde derives (cosmwasm-std 3.0.10)
//! read and write: what the host passes to the contract (`Env`, `MessageInfo`, the IBC
//! messages, a chain query's answer) and what the contract returns (`ContractResult` of a
//! `Response`, IBC responses, sub-messages).
//!
//! Many of these types are `#[non_exhaustive]` or have private fields, so they are built with
//! their public constructors and written from their public fields or getters rather than
//! through [`json_struct!`](crate::json_struct). The response side is generic only where the
//! custom message type `C` is: the shared parts are written by non-generic functions taking
//! `&dyn ToJson`, so each `C` adds a few small functions to the Wasm.
//!
//! Response writing covers the messages cw-ics sends; see [`unsupported_message`]. The
//! README lists the types.

#![allow(deprecated)] // `CosmosMsg::Stargate` is named, to report it as unsupported.

use cosmwasm_std::{
    Addr, Attribute, BankMsg, Binary, BlockInfo, Coin, ContractInfo, ContractResult, CosmosMsg,
    Empty, Env, Event, Ibc3ChannelOpenResponse, IbcAcknowledgement, IbcBasicResponse, IbcChannel,
    IbcChannelCloseMsg, IbcChannelConnectMsg, IbcChannelOpenMsg, IbcEndpoint, IbcMsg, IbcOrder,
    IbcPacket, IbcPacketAckMsg, IbcPacketReceiveMsg, IbcPacketTimeoutMsg, IbcReceiveResponse,
    IbcTimeout, IbcTimeoutBlock, MessageInfo, ReplyOn, Response, SubMsg, SystemError, SystemResult,
    Timestamp, TransactionInfo, Uint256, WasmMsg,
};

use crate::{json_enum, json_struct, read_parsed, write_display};
use crate::{FromJson, JsonError, Reader, Slot, ToJson, Writer};

/// Reads an object's fields into typed slots, then evaluates `$build` with every field bound:
/// for types a struct literal cannot build outside `cosmwasm-std`. Unknown keys are skipped,
/// as serde skips them for these types.
macro_rules! read_object {
    ($reader:ident, { $($field:ident $(= $name:literal)? : $ty:ty),* $(,)? } => $build:expr) => {{
        $(let mut $field: Option<$ty> = None;)*
        $reader.fields(
            &[$(crate::__json_name!($field $(= $name)?)),*],
            false,
            &mut [$(&mut $field as &mut dyn Slot),*],
        )?;
        // `fields` left every slot filled.
        match ($($field,)*) {
            ($(Some($field),)*) => Ok($build),
            #[allow(unreachable_patterns)]
            _ => Err($reader.error("every field")),
        }
    }};
}

/// Writes an object whose members are `"key": &value`, in the order given.
macro_rules! write_object {
    ($writer:ident, { $($name:literal : $value:expr),* $(,)? }) => {{
        $writer.begin_object();
        $(
            $writer.key($name);
            ToJson::write_json($value, $writer);
        )*
        $writer.end_object();
    }};
}

/// Writes an enum variant with content, `{"tag": {members}}`.
macro_rules! write_variant {
    ($writer:ident, $tag:literal, { $($name:literal : $value:expr),* $(,)? }) => {{
        $writer.begin_object();
        $writer.key($tag);
        write_object!($writer, { $($name : $value),* });
        $writer.end_object();
    }};
}

/// `{"tag": content}`: an externally tagged enum value with content.
fn write_tagged(writer: &mut Writer, tag: &str, content: &dyn ToJson) {
    writer.begin_object();
    writer.key(tag);
    content.write_json(writer);
    writer.end_object();
}

/// The `{"tag":` opening an enum value whose variants all have content: the variant's index
/// among `tags`. The caller reads the content, then [`Reader::end_variant`].
fn read_tag(reader: &mut Reader<'_>, tags: &[&'static str]) -> Result<usize, JsonError> {
    let (index, in_object) = reader.any_variant(tags)?;
    if in_object {
        Ok(index)
    } else {
        Err(reader.error("an object naming the variant"))
    }
}

/// A field with `#[serde(default)]`: left out, it reads as `T::default()`.
struct OrDefault<T>(T);

impl<T: FromJson + Default> FromJson for OrDefault<T> {
    fn read_json(reader: &mut Reader<'_>) -> Result<Self, JsonError> {
        T::read_json(reader).map(OrDefault)
    }

    fn when_missing() -> Option<Self> {
        Some(OrDefault(T::default()))
    }
}

// ---------------------------------------------------------------------------------------
// Shared values

impl FromJson for Uint256 {
    fn read_json(reader: &mut Reader<'_>) -> Result<Self, JsonError> {
        read_parsed(reader, |text| Uint256::try_from(text))
    }
}

impl ToJson for Uint256 {
    fn write_json(&self, writer: &mut Writer) {
        write_display(self, writer);
    }
}

json_struct!(Coin { denom, amount });
json_struct!(Attribute { key, value });

impl ToJson for Event {
    fn write_json(&self, writer: &mut Writer) {
        write_object!(writer, { "type": &self.ty, "attributes": &self.attributes });
    }
}

// ---------------------------------------------------------------------------------------
// Entry-point inputs

json_struct!(Env {
    block,
    transaction,
    contract
});
json_struct!(BlockInfo {
    height,
    time,
    chain_id
});
json_struct!(ContractInfo { address });
json_struct!(MessageInfo { sender, funds });

impl FromJson for TransactionInfo {
    fn read_json(reader: &mut Reader<'_>) -> Result<Self, JsonError> {
        read_object!(reader, { index: u32, hash: OrDefault<Binary> }
            => TransactionInfo::new(index, hash.0))
    }
}

impl ToJson for TransactionInfo {
    fn write_json(&self, writer: &mut Writer) {
        write_object!(writer, { "index": &self.index, "hash": &self.hash });
    }
}

json_struct!(IbcEndpoint {
    port_id,
    channel_id
});
json_struct!(IbcTimeoutBlock { revision, height });
json_enum!(IbcOrder {
    Unordered = "ORDER_UNORDERED",
    Ordered = "ORDER_ORDERED",
});

impl FromJson for IbcTimeout {
    fn read_json(reader: &mut Reader<'_>) -> Result<Self, JsonError> {
        let (block, timestamp) = read_object!(reader, {
            block: Option<IbcTimeoutBlock>,
            timestamp: Option<Timestamp>,
        } => (block, timestamp))?;
        match (block, timestamp) {
            (Some(block), Some(timestamp)) => Ok(IbcTimeout::with_both(block, timestamp)),
            (Some(block), None) => Ok(IbcTimeout::with_block(block)),
            (None, Some(timestamp)) => Ok(IbcTimeout::with_timestamp(timestamp)),
            (None, None) => timeout_without_block_or_timestamp()
                .ok_or_else(|| reader.error("a timeout block or timestamp")),
        }
    }
}

/// The timeout serde reads from `{"block":null,"timestamp":null}`, which no public
/// constructor builds. IBC refuses such packets, so this only keeps the reading equal to
/// serde's; it goes through serde's derive with a trivial (empty map) deserializer rather
/// than a JSON parser.
fn timeout_without_block_or_timestamp() -> Option<IbcTimeout> {
    use serde::de::value::{Error, MapDeserializer};
    use serde::Deserialize;
    let nothing = MapDeserializer::<_, Error>::new(core::iter::empty::<(&str, ())>());
    IbcTimeout::deserialize(nothing).ok()
}

impl ToJson for IbcTimeout {
    fn write_json(&self, writer: &mut Writer) {
        write_object!(writer, { "block": &self.block(), "timestamp": &self.timestamp() });
    }
}

impl FromJson for IbcChannel {
    fn read_json(reader: &mut Reader<'_>) -> Result<Self, JsonError> {
        read_object!(reader, {
            endpoint: IbcEndpoint,
            counterparty_endpoint: IbcEndpoint,
            order: IbcOrder,
            version: String,
            connection_id: String,
        } => IbcChannel::new(endpoint, counterparty_endpoint, order, version, connection_id))
    }
}

impl ToJson for IbcChannel {
    fn write_json(&self, writer: &mut Writer) {
        write_object!(writer, {
            "endpoint": &self.endpoint,
            "counterparty_endpoint": &self.counterparty_endpoint,
            "order": &self.order,
            "version": &self.version,
            "connection_id": &self.connection_id,
        });
    }
}

impl FromJson for IbcPacket {
    fn read_json(reader: &mut Reader<'_>) -> Result<Self, JsonError> {
        read_object!(reader, {
            data: Binary,
            src: IbcEndpoint,
            dest: IbcEndpoint,
            sequence: u64,
            timeout: IbcTimeout,
        } => IbcPacket::new(data, src, dest, sequence, timeout))
    }
}

impl ToJson for IbcPacket {
    fn write_json(&self, writer: &mut Writer) {
        write_object!(writer, {
            "data": &self.data,
            "src": &self.src,
            "dest": &self.dest,
            "sequence": &self.sequence,
            "timeout": &self.timeout,
        });
    }
}

impl FromJson for IbcAcknowledgement {
    fn read_json(reader: &mut Reader<'_>) -> Result<Self, JsonError> {
        read_object!(reader, { data: Binary } => IbcAcknowledgement::new(data))
    }
}

impl ToJson for IbcAcknowledgement {
    fn write_json(&self, writer: &mut Writer) {
        write_object!(writer, { "data": &self.data });
    }
}

json_enum!(IbcChannelOpenMsg {
    OpenInit = "open_init" { channel },
    OpenTry = "open_try" { channel, counterparty_version },
});
json_enum!(IbcChannelConnectMsg {
    OpenAck = "open_ack" { channel, counterparty_version },
    OpenConfirm = "open_confirm" { channel },
});
json_enum!(IbcChannelCloseMsg {
    CloseInit = "close_init" { channel },
    CloseConfirm = "close_confirm" { channel },
});

impl FromJson for IbcPacketReceiveMsg {
    fn read_json(reader: &mut Reader<'_>) -> Result<Self, JsonError> {
        read_object!(reader, { packet: IbcPacket, relayer: Addr }
            => IbcPacketReceiveMsg::new(packet, relayer))
    }
}

impl ToJson for IbcPacketReceiveMsg {
    fn write_json(&self, writer: &mut Writer) {
        write_object!(writer, { "packet": &self.packet, "relayer": &self.relayer });
    }
}

impl FromJson for IbcPacketAckMsg {
    fn read_json(reader: &mut Reader<'_>) -> Result<Self, JsonError> {
        read_object!(reader, {
            acknowledgement: IbcAcknowledgement,
            original_packet: IbcPacket,
            relayer: Addr,
        } => IbcPacketAckMsg::new(acknowledgement, original_packet, relayer))
    }
}

impl ToJson for IbcPacketAckMsg {
    fn write_json(&self, writer: &mut Writer) {
        write_object!(writer, {
            "acknowledgement": &self.acknowledgement,
            "original_packet": &self.original_packet,
            "relayer": &self.relayer,
        });
    }
}

impl FromJson for IbcPacketTimeoutMsg {
    fn read_json(reader: &mut Reader<'_>) -> Result<Self, JsonError> {
        read_object!(reader, { packet: IbcPacket, relayer: Addr }
            => IbcPacketTimeoutMsg::new(packet, relayer))
    }
}

impl ToJson for IbcPacketTimeoutMsg {
    fn write_json(&self, writer: &mut Writer) {
        write_object!(writer, { "packet": &self.packet, "relayer": &self.relayer });
    }
}

// ---------------------------------------------------------------------------------------
// Results

impl<T: FromJson> FromJson for ContractResult<T> {
    fn read_json(reader: &mut Reader<'_>) -> Result<Self, JsonError> {
        let result = match read_tag(reader, &["ok", "error"])? {
            0 => ContractResult::Ok(T::read_json(reader)?),
            _ => ContractResult::Err(reader.string()?),
        };
        reader.end_variant()?;
        Ok(result)
    }
}

impl<T: ToJson> ToJson for ContractResult<T> {
    fn write_json(&self, writer: &mut Writer) {
        match self {
            ContractResult::Ok(value) => write_tagged(writer, "ok", value),
            ContractResult::Err(error) => write_tagged(writer, "error", error),
        }
    }
}

impl<T: FromJson> FromJson for SystemResult<T> {
    fn read_json(reader: &mut Reader<'_>) -> Result<Self, JsonError> {
        let result = match read_tag(reader, &["ok", "error"])? {
            0 => SystemResult::Ok(T::read_json(reader)?),
            _ => SystemResult::Err(SystemError::read_json(reader)?),
        };
        reader.end_variant()?;
        Ok(result)
    }
}

impl<T: ToJson> ToJson for SystemResult<T> {
    fn write_json(&self, writer: &mut Writer) {
        match self {
            SystemResult::Ok(value) => write_tagged(writer, "ok", value),
            SystemResult::Err(error) => write_tagged(writer, "error", error),
        }
    }
}

/// A variant this crate does not know is refused with [`JsonError::UnknownVariant`], as
/// serde refuses it (it is not read as `SystemError::Unknown {}`). `cosmwasm-std`'s own
/// querier turns any unreadable answer into `SystemError::InvalidResponse`; a caller of
/// this reader should do the same.
impl FromJson for SystemError {
    fn read_json(reader: &mut Reader<'_>) -> Result<Self, JsonError> {
        const VARIANTS: &[&str] = &[
            "invalid_request",
            "invalid_response",
            "no_such_contract",
            "no_such_code",
            "unknown",
            "unsupported_request",
        ];
        let error = match read_tag(reader, VARIANTS)? {
            0 => read_object!(reader, { error: String, request: Binary }
                => SystemError::InvalidRequest { error, request })?,
            1 => read_object!(reader, { error: String, response: Binary }
                => SystemError::InvalidResponse { error, response })?,
            2 => read_object!(reader, { addr: String } => SystemError::NoSuchContract { addr })?,
            3 => read_object!(reader, { code_id: u64 } => SystemError::NoSuchCode { code_id })?,
            4 => read_object!(reader, {} => SystemError::Unknown {})?,
            _ => read_object!(reader, { kind: String }
                => SystemError::UnsupportedRequest { kind })?,
        };
        reader.end_variant()?;
        Ok(error)
    }
}

/// A variant added to `cosmwasm-std` after 3.0.10 is written as `null`.
impl ToJson for SystemError {
    fn write_json(&self, writer: &mut Writer) {
        match self {
            SystemError::InvalidRequest { error, request } => {
                write_variant!(writer, "invalid_request", { "error": error, "request": request })
            }
            SystemError::InvalidResponse { error, response } => {
                write_variant!(writer, "invalid_response", {
                    "error": error,
                    "response": response,
                })
            }
            SystemError::NoSuchContract { addr } => {
                write_variant!(writer, "no_such_contract", { "addr": addr })
            }
            SystemError::NoSuchCode { code_id } => {
                write_variant!(writer, "no_such_code", { "code_id": code_id })
            }
            SystemError::Unknown {} => write_variant!(writer, "unknown", {}),
            SystemError::UnsupportedRequest { kind } => {
                write_variant!(writer, "unsupported_request", { "kind": kind })
            }
            _ => writer.null(),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Entry-point outputs

json_struct!(Ibc3ChannelOpenResponse { version });
// The custom message of a contract without one (`Response`'s default), never sent: `{}`.
json_struct!(Empty {});
json_enum!(ReplyOn {
    Always = "always",
    Error = "error",
    Success = "success",
    Never = "never",
});

/// The `messages`, `attributes` and `events` members every response type has, in that order.
fn write_response_lists(
    writer: &mut Writer,
    messages: &dyn ToJson,
    attributes: &[Attribute],
    events: &[Event],
) {
    writer.key("messages");
    messages.write_json(writer);
    writer.key("attributes");
    attributes.write_json(writer);
    writer.key("events");
    events.write_json(writer);
}

impl<C: ToJson> ToJson for Response<C> {
    fn write_json(&self, writer: &mut Writer) {
        writer.begin_object();
        write_response_lists(writer, &self.messages, &self.attributes, &self.events);
        writer.key("data");
        self.data.write_json(writer);
        writer.end_object();
    }
}

impl<C: ToJson> ToJson for IbcBasicResponse<C> {
    fn write_json(&self, writer: &mut Writer) {
        writer.begin_object();
        write_response_lists(writer, &self.messages, &self.attributes, &self.events);
        writer.end_object();
    }
}

impl<C: ToJson> ToJson for IbcReceiveResponse<C> {
    fn write_json(&self, writer: &mut Writer) {
        writer.begin_object();
        writer.key("acknowledgement");
        self.acknowledgement.write_json(writer);
        write_response_lists(writer, &self.messages, &self.attributes, &self.events);
        writer.end_object();
    }
}

/// Everything but the message is written by one function for every custom message type.
impl<C: ToJson> ToJson for SubMsg<C> {
    fn write_json(&self, writer: &mut Writer) {
        write_sub_msg(
            writer,
            self.id,
            &self.payload,
            &self.msg,
            self.gas_limit,
            &self.reply_on,
        );
    }
}

fn write_sub_msg(
    writer: &mut Writer,
    id: u64,
    payload: &Binary,
    msg: &dyn ToJson,
    gas_limit: Option<u64>,
    reply_on: &ReplyOn,
) {
    write_object!(writer, {
        "id": &id,
        "payload": payload,
        "msg": msg,
        "gas_limit": &gas_limit,
        "reply_on": reply_on,
    });
}

/// A message kind [`unsupported_message`] names is written as `null`, which no chain
/// accepts; callers check with it first and return an error result instead.
impl<C: ToJson> ToJson for CosmosMsg<C> {
    fn write_json(&self, writer: &mut Writer) {
        let (tag, content): (&str, &dyn ToJson) = match self {
            CosmosMsg::Bank(msg) => ("bank", msg),
            CosmosMsg::Custom(msg) => ("custom", msg),
            CosmosMsg::Ibc(msg) => ("ibc", msg),
            CosmosMsg::Wasm(msg) => ("wasm", msg),
            _ => return writer.null(),
        };
        write_tagged(writer, tag, content);
    }
}

/// Both variants `cosmwasm-std` 3.0.10 has; a later one is written as `null`.
impl ToJson for BankMsg {
    fn write_json(&self, writer: &mut Writer) {
        match self {
            BankMsg::Send { to_address, amount } => {
                write_variant!(writer, "send", { "to_address": to_address, "amount": amount })
            }
            BankMsg::Burn { amount } => write_variant!(writer, "burn", { "amount": amount }),
            _ => writer.null(),
        }
    }
}

/// `Transfer`, `SendPacket` and `CloseChannel`; any other variant is written as `null`.
impl ToJson for IbcMsg {
    fn write_json(&self, writer: &mut Writer) {
        match self {
            IbcMsg::Transfer {
                channel_id,
                to_address,
                amount,
                timeout,
                memo,
            } => write_variant!(writer, "transfer", {
                "channel_id": channel_id,
                "to_address": to_address,
                "amount": amount,
                "timeout": timeout,
                "memo": memo,
            }),
            IbcMsg::SendPacket {
                channel_id,
                data,
                timeout,
            } => write_variant!(writer, "send_packet", {
                "channel_id": channel_id,
                "data": data,
                "timeout": timeout,
            }),
            IbcMsg::CloseChannel { channel_id } => {
                write_variant!(writer, "close_channel", { "channel_id": channel_id })
            }
            _ => writer.null(),
        }
    }
}

/// `Execute` only; any other variant is written as `null`.
impl ToJson for WasmMsg {
    fn write_json(&self, writer: &mut Writer) {
        match self {
            WasmMsg::Execute {
                contract_addr,
                msg,
                funds,
            } => write_variant!(writer, "execute", {
                "contract_addr": contract_addr,
                "msg": msg,
                "funds": funds,
            }),
            _ => writer.null(),
        }
    }
}

/// The first message among `messages` that this crate cannot write, by kind
/// (e.g. `"WasmMsg::Instantiate"`), or `None` if it writes them all. An entry point checks
/// this before writing a response: an unsupported message would be written as `null`.
pub fn unsupported_message<C>(messages: &[SubMsg<C>]) -> Option<&'static str> {
    messages
        .iter()
        .find_map(|sub_msg| unsupported_kind(&sub_msg.msg))
}

fn unsupported_kind<C>(msg: &CosmosMsg<C>) -> Option<&'static str> {
    match msg {
        CosmosMsg::Bank(BankMsg::Send { .. } | BankMsg::Burn { .. })
        | CosmosMsg::Custom(_)
        | CosmosMsg::Ibc(
            IbcMsg::Transfer { .. } | IbcMsg::SendPacket { .. } | IbcMsg::CloseChannel { .. },
        )
        | CosmosMsg::Wasm(WasmMsg::Execute { .. }) => None,
        CosmosMsg::Bank(_) => Some("BankMsg (a variant newer than Send and Burn)"),
        CosmosMsg::Ibc(_) => Some("IbcMsg (other than Transfer, SendPacket and CloseChannel)"),
        CosmosMsg::Wasm(WasmMsg::Instantiate { .. }) => Some("WasmMsg::Instantiate"),
        CosmosMsg::Wasm(WasmMsg::Instantiate2 { .. }) => Some("WasmMsg::Instantiate2"),
        CosmosMsg::Wasm(WasmMsg::Migrate { .. }) => Some("WasmMsg::Migrate"),
        CosmosMsg::Wasm(WasmMsg::UpdateAdmin { .. }) => Some("WasmMsg::UpdateAdmin"),
        CosmosMsg::Wasm(WasmMsg::ClearAdmin { .. }) => Some("WasmMsg::ClearAdmin"),
        CosmosMsg::Wasm(_) => Some("WasmMsg (a variant newer than cosmwasm-std 3.0.10)"),
        CosmosMsg::Stargate { .. } => Some("CosmosMsg::Stargate"),
        CosmosMsg::Any(_) => Some("CosmosMsg::Any"),
        CosmosMsg::Gov(_) => Some("CosmosMsg::Gov"),
        _ => Some("CosmosMsg (staking, distribution or another kind)"),
    }
}
