//! Delivering one relayer message: a packet (RecvPacket), its acknowledgement, its timeout,
//! or a close confirmation, with the checks ibc-go makes and the calls into the ports.

use crate::chain::SimCustom;
use crate::contract::IbcEntry;
use crate::coordinator::Coordinator;
use crate::error::{SimError, SimResult};
use crate::events::IbcEvent;
use crate::ics20;
use crate::path::ChannelKey;
use crate::relay::RelayOutcome;
use crate::store::{
    timed_out, ChannelEnd, ChannelState, Commitment, Receipt, ACKS, CHANNELS, COMMITMENTS,
    RECEIPTS, RECEIVED,
};
use crate::transfer::{is_error_ack, TRANSFER_PORT};
use cosmwasm_std::{
    Binary, IbcAcknowledgement, IbcChannelCloseMsg, IbcPacket, IbcPacketAckMsg,
    IbcPacketReceiveMsg, IbcPacketTimeoutMsg,
};

/// Both ends of a channel and the client each side uses to verify the other.
#[derive(Clone, Debug)]
pub(crate) struct Route {
    pub src: ChannelKey,
    pub dst: ChannelKey,
    pub src_client: String,
    pub dst_client: String,
}

impl<CustomT: SimCustom> Coordinator<CustomT> {
    pub(crate) fn deliver_packet(
        &mut self,
        route: &Route,
        commitment: Commitment,
    ) -> SimResult<RelayOutcome> {
        let packet = commitment.packet;
        let seq = packet.sequence;
        let (dst_port, dst_channel) = (route.dst.port_id.clone(), route.dst.channel_id.clone());
        let dst_end = self.end(&route.dst)?;
        let dst_block = self.chain(&route.dst.chain_id)?.block_info();
        if self
            .chain(&route.dst.chain_id)?
            .has_receipt(&dst_port, &dst_channel, seq)
        {
            return Err(SimError::AlreadyReceived {
                chain_id: route.dst.chain_id.clone(),
                port_id: dst_port,
                channel_id: dst_channel,
                sequence: seq,
            });
        }
        if timed_out(&packet, &dst_block) || dst_end.state == ChannelState::Closed {
            self.deliver_timeout(route, packet)?;
            return Ok(RelayOutcome::TimedOut);
        }
        expect_open(&route.dst, &dst_end)?;
        self.update_client(&route.dst.chain_id, &route.dst_client)?;
        if dst_end.is_ordered() && seq != dst_end.next_sequence_recv {
            return Err(SimError::OutOfOrder {
                chain_id: route.dst.chain_id.clone(),
                port_id: dst_port,
                channel_id: dst_channel,
                expected: dst_end.next_sequence_recv,
                got: seq,
            });
        }
        let chain = self.chain_mut(&route.dst.chain_id)?;
        chain.log().clone().push(IbcEvent::RecvPacket {
            at: chain.stamp(),
            packet: packet.clone(),
        });
        let relayer = chain.relayer();
        let ack = if dst_port == TRANSFER_PORT {
            Some(ics20::receive(chain, &packet)?)
        } else {
            let entry = IbcEntry::PacketReceive(IbcPacketReceiveMsg::new(packet.clone(), relayer));
            match chain.call_port(&dst_port, entry)? {
                Ok(response) => response.data,
                Err(error) => Some(crate::transfer::error_ack(&error).into()),
            }
        };
        let block = chain.block_info();
        let storage = chain.app_mut().storage_mut();
        let key = (dst_port.as_str(), dst_channel.as_str(), seq);
        RECEIPTS.save(
            storage,
            key,
            &Receipt {
                height: block.height,
                time: block.time,
                ack_pending: ack.is_none(),
            },
        )?;
        match &ack {
            Some(ack) => ACKS.save(storage, key, ack)?,
            None => RECEIVED.save(storage, key, &packet)?,
        }
        if dst_end.is_ordered() {
            // reload: the contract's own messages may have touched the end (e.g. closed it)
            if let Some(mut end) = CHANNELS.may_load(storage, (&dst_port, &dst_channel))? {
                end.next_sequence_recv = seq.saturating_add(1);
                CHANNELS.save(storage, (&dst_port, &dst_channel), &end)?;
            }
        }
        if let Some(ack) = &ack {
            let at = chain.stamp();
            self.log.push(IbcEvent::WriteAck {
                at,
                packet: packet.clone(),
                ack: ack.clone(),
                is_error: is_error_ack(ack),
                is_async: false,
            });
            if dst_port == TRANSFER_PORT && !is_error_ack(ack) {
                let chain = self.chain_mut(&route.dst.chain_id)?;
                ics20::destination_callback(chain, &packet, ack)?;
            }
        }
        Ok(RelayOutcome::Received { ack })
    }

    pub(crate) fn deliver_ack(
        &mut self,
        route: &Route,
        packet: IbcPacket,
        ack: Binary,
    ) -> SimResult<()> {
        let src_end = self.end(&route.src)?;
        expect_open(&route.src, &src_end)?;
        self.update_client(&route.src.chain_id, &route.src_client)?;
        let seq = packet.sequence;
        if src_end.is_ordered() && seq != src_end.next_sequence_ack {
            return Err(SimError::OutOfOrder {
                chain_id: route.src.chain_id.clone(),
                port_id: route.src.port_id.clone(),
                channel_id: route.src.channel_id.clone(),
                expected: src_end.next_sequence_ack,
                got: seq,
            });
        }
        let chain = self.chain_mut(&route.src.chain_id)?;
        if route.src.port_id == TRANSFER_PORT {
            ics20::on_ack_or_timeout(chain, &packet, Some(&ack))?;
        } else {
            let relayer = chain.relayer();
            let msg = IbcPacketAckMsg::new(
                IbcAcknowledgement::new(ack.clone()),
                packet.clone(),
                relayer,
            );
            if let Err(error) = chain.call_port(&route.src.port_id, IbcEntry::PacketAck(msg))? {
                return Err(SimError::Contract {
                    chain_id: route.src.chain_id.clone(),
                    error,
                });
            }
        }
        let storage = chain.app_mut().storage_mut();
        COMMITMENTS.remove(storage, (&route.src.port_id, &route.src.channel_id, seq));
        if src_end.is_ordered() {
            if let Some(mut end) =
                CHANNELS.may_load(storage, (&route.src.port_id, &route.src.channel_id))?
            {
                end.next_sequence_ack = seq.saturating_add(1);
                CHANNELS.save(storage, (&route.src.port_id, &route.src.channel_id), &end)?;
            }
        }
        let at = chain.stamp();
        self.log.push(IbcEvent::AckPacket { at, packet, ack });
        Ok(())
    }

    pub(crate) fn deliver_timeout(&mut self, route: &Route, packet: IbcPacket) -> SimResult<()> {
        let seq = packet.sequence;
        let src_end = self.end(&route.src)?;
        expect_open(&route.src, &src_end)?;
        let dst_end = self.end(&route.dst)?;
        let dst_chain = self.chain(&route.dst.chain_id)?;
        if dst_chain.has_receipt(&route.dst.port_id, &route.dst.channel_id, seq) {
            return Err(SimError::AlreadyReceived {
                chain_id: route.dst.chain_id.clone(),
                port_id: route.dst.port_id.clone(),
                channel_id: route.dst.channel_id.clone(),
                sequence: seq,
            });
        }
        if !timed_out(&packet, &dst_chain.block_info()) && dst_end.state != ChannelState::Closed {
            return Err(SimError::NotTimedOut {
                chain_id: route.src.chain_id.clone(),
                port_id: route.src.port_id.clone(),
                channel_id: route.src.channel_id.clone(),
                sequence: seq,
            });
        }
        self.update_client(&route.src.chain_id, &route.src_client)?;
        let chain = self.chain_mut(&route.src.chain_id)?;
        if route.src.port_id == TRANSFER_PORT {
            ics20::on_ack_or_timeout(chain, &packet, None)?;
        } else {
            let relayer = chain.relayer();
            let msg = IbcPacketTimeoutMsg::new(packet.clone(), relayer);
            if let Err(error) = chain.call_port(&route.src.port_id, IbcEntry::PacketTimeout(msg))? {
                return Err(SimError::Contract {
                    chain_id: route.src.chain_id.clone(),
                    error,
                });
            }
        }
        let storage = chain.app_mut().storage_mut();
        COMMITMENTS.remove(storage, (&route.src.port_id, &route.src.channel_id, seq));
        let at = chain.stamp();
        chain.log().clone().push(IbcEvent::TimeoutPacket {
            at: at.clone(),
            packet,
        });
        if src_end.is_ordered() {
            // ibc-go closes an ordered channel on timeout; the other end follows with
            // ChanCloseConfirm when relayed.
            let storage = chain.app_mut().storage_mut();
            let key = (route.src.port_id.as_str(), route.src.channel_id.as_str());
            if let Some(mut end) = CHANNELS.may_load(storage, key)? {
                end.state = ChannelState::Closed;
                CHANNELS.save(storage, key, &end)?;
            }
            chain.log().clone().push(IbcEvent::ChannelClosedOnTimeout {
                at,
                port_id: route.src.port_id.clone(),
                channel_id: route.src.channel_id.clone(),
                sequence: seq,
            });
        }
        Ok(())
    }

    pub(crate) fn deliver_close_confirm(&mut self, route: &Route) -> SimResult<()> {
        let mut dst_end = self.end(&route.dst)?;
        self.update_client(&route.dst.chain_id, &route.dst_client)?;
        let chain = self.chain_mut(&route.dst.chain_id)?;
        if route.dst.port_id != TRANSFER_PORT {
            let msg = IbcChannelCloseMsg::new_confirm(dst_end.to_ibc_channel());
            if let Err(error) = chain.call_port(&route.dst.port_id, IbcEntry::ChannelClose(msg))? {
                return Err(SimError::Contract {
                    chain_id: route.dst.chain_id.clone(),
                    error,
                });
            }
        }
        dst_end.state = ChannelState::Closed;
        chain.save_channel(&dst_end)?;
        let at = chain.stamp();
        self.log.push(IbcEvent::ChannelCloseConfirm {
            at,
            port_id: route.dst.port_id.clone(),
            channel_id: route.dst.channel_id.clone(),
        });
        Ok(())
    }

    // ------------------------------------------------------------ lookups

    pub(crate) fn end(&self, key: &ChannelKey) -> SimResult<ChannelEnd> {
        self.chain(&key.chain_id)?
            .channel(&key.port_id, &key.channel_id)
            .ok_or_else(|| SimError::UnknownChannel {
                chain_id: key.chain_id.clone(),
                port_id: key.port_id.clone(),
                channel_id: key.channel_id.clone(),
            })
    }

    pub(crate) fn route(&self, src: &ChannelKey) -> SimResult<Route> {
        let src_end = self.end(src)?;
        let src_chain = self.chain(&src.chain_id)?;
        let connection = src_chain
            .connection(&src_end.connection_id)
            .ok_or_else(|| SimError::UnknownConnection {
                chain_id: src.chain_id.clone(),
                connection_id: src_end.connection_id.clone(),
            })?;
        let dst_chain = self.chain(&connection.counterparty_chain_id)?;
        let dst_connection = dst_chain
            .connection(&connection.counterparty_connection_id)
            .ok_or_else(|| SimError::UnknownConnection {
                chain_id: dst_chain.chain_id().to_string(),
                connection_id: connection.counterparty_connection_id.clone(),
            })?;
        Ok(Route {
            src: src.clone(),
            dst: ChannelKey::new(
                dst_chain.chain_id(),
                &src_end.counterparty_port_id,
                &src_end.counterparty_channel_id,
            ),
            src_client: connection.client_id.clone(),
            dst_client: dst_connection.client_id.clone(),
        })
    }

    pub(crate) fn commitment(&self, route: &Route, sequence: u64) -> SimResult<Commitment> {
        COMMITMENTS
            .may_load(
                self.chain(&route.src.chain_id)?.app().storage(),
                (&route.src.port_id, &route.src.channel_id, sequence),
            )?
            .ok_or_else(|| no_packet(&route.src, sequence))
    }

    pub(crate) fn check_running(&self, route: &Route) -> SimResult<()> {
        if self.relayer.stopped.contains(&route.src) || self.relayer.stopped.contains(&route.dst) {
            return Err(SimError::RelayerStopped(format!(
                "{}:{}/{}",
                route.src.chain_id, route.src.port_id, route.src.channel_id
            )));
        }
        Ok(())
    }
}

fn expect_open(key: &ChannelKey, end: &ChannelEnd) -> SimResult<()> {
    if end.state != ChannelState::Open {
        return Err(SimError::WrongChannelState {
            chain_id: key.chain_id.clone(),
            port_id: key.port_id.clone(),
            channel_id: key.channel_id.clone(),
            state: end.state.to_string(),
            expected: ChannelState::Open.to_string(),
        });
    }
    Ok(())
}

pub(crate) fn no_packet(key: &ChannelKey, sequence: u64) -> SimError {
    SimError::NoSuchPacket {
        chain_id: key.chain_id.clone(),
        port_id: key.port_id.clone(),
        channel_id: key.channel_id.clone(),
        sequence,
    }
}
