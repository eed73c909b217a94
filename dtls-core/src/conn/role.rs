//! Which side a connection is, with that side's configuration and
//! handshake state: stored once, so the type carries the side.

use std::sync::Arc;
use std::time::Instant;

use crate::config::{ClientConfig, ServerConfig};

use super::peer_error::PeerError;
use super::session::ServerResumption;
use super::{Ctx, Message, SessionSecrets, client, server};

/// Which side of the association this connection is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The DTLS client.
    Client,
    /// The DTLS server.
    Server,
}

/// A connection's side: its configuration and handshake state.
pub(crate) enum Role {
    Server {
        config: Arc<ServerConfig>,
        state: server::State,
        /// Session cache candidate, ticket keys, new sessions.
        resumption: Option<Box<ServerResumption>>,
    },
    Client {
        config: Arc<ClientConfig>,
        state: client::State,
    },
}

impl Role {
    /// Which side this is.
    pub(crate) fn side(&self) -> Side {
        match self {
            Role::Server { .. } => Side::Server,
            Role::Client { .. } => Side::Client,
        }
    }

    /// Advances the handshake state machine by one message (or none).
    pub(crate) fn step(
        &mut self,
        ctx: &mut Ctx,
        now: Instant,
        message: Option<&Message>,
    ) -> Result<bool, PeerError> {
        match self {
            Role::Server {
                config,
                state,
                resumption,
            } => state.step(config, resumption.as_deref_mut(), ctx, now, message),
            Role::Client { config, state } => state.step(config, ctx, now, message),
        }
    }

    /// What a stalled handshake's state tells about why it stalled, beyond
    /// "no answer" (see the states' `stall_reason`); `records_failed`: some
    /// record of the peer failed to authenticate.
    pub(crate) fn stall_reason(&self, records_failed: bool) -> Option<PeerError> {
        match self {
            Role::Server { state, .. } => state.stall_reason(records_failed),
            Role::Client { state, .. } => state.stall_reason(),
        }
    }

    /// The established session's secrets.
    pub(crate) fn session_secrets(&self) -> Option<&SessionSecrets> {
        match self {
            Role::Server { state, .. } => state.session_secrets(),
            Role::Client { state, .. } => state.session_secrets(),
        }
    }
}
