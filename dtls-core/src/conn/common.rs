//! Small steps both handshake state machines take: queuing a message of
//! our flight, adding a received one to the transcript, and the heartbeat
//! mode we announce.

use super::{Ctx, Message};
use crate::msgs::codec::Codec;
use crate::msgs::extensions::HeartbeatMode;
use crate::msgs::handshake::HandshakeType;

/// Encodes `body` and appends it to the current flight (and the
/// transcript).
pub(crate) fn queue_message(ctx: &mut Ctx, typ: HandshakeType, body: &impl Codec) {
    let mut out = Vec::new();
    body.encode(&mut out);
    ctx.queue_handshake(u8::from(typ), out);
}

/// Adds a received handshake message to the transcript (RFC 5246 7.4.9:
/// every message up to, not including, the Finished being checked).
pub(crate) fn record_received(ctx: &mut Ctx, msg: &Message) {
    ctx.transcript
        .add_message(msg.msg_type(), msg.message_seq(), msg.body());
}

/// The heartbeat mode we announce (RFC 6520 2), if keep-alive is on:
/// whether the peer may send us requests.
pub(crate) fn our_heartbeat_mode(ctx: &Ctx) -> Option<HeartbeatMode> {
    if !ctx.keepalive.enabled() {
        None
    } else if ctx.keepalive.peer_allowed_to_send() {
        Some(HeartbeatMode::PeerAllowedToSend)
    } else {
        Some(HeartbeatMode::PeerNotAllowedToSend)
    }
}
