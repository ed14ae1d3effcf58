//! What an entry point answers, as the VM reads it inside `{"ok": …}`.

use cosmwasm_std::{
    Binary, Ibc3ChannelOpenResponse, IbcBasicResponse, IbcReceiveResponse, Response,
};
use cw_ics_json::{unsupported_message, ToJson};

/// An entry point's successful answer. Its JSON is written by cw-ics-json, which writes the
/// message kinds the contracts send; [`Answer::unwritable`] names one it cannot write, so the
/// call fails with an error instead of sending the VM a malformed answer.
pub trait Answer: ToJson {
    fn unwritable(&self) -> Option<&'static str> {
        None
    }
}

impl<C: ToJson> Answer for Response<C> {
    fn unwritable(&self) -> Option<&'static str> {
        unsupported_message(&self.messages)
    }
}

impl<C: ToJson> Answer for IbcBasicResponse<C> {
    fn unwritable(&self) -> Option<&'static str> {
        unsupported_message(&self.messages)
    }
}

impl<C: ToJson> Answer for IbcReceiveResponse<C> {
    fn unwritable(&self) -> Option<&'static str> {
        unsupported_message(&self.messages)
    }
}

impl Answer for Binary {}

impl Answer for Option<Ibc3ChannelOpenResponse> {}
