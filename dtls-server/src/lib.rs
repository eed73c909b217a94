//! A blocking UDP DTLS 1.2 server over `dtls-core`, exposing the seed's
//! DTLSServer API (work in progress: see the server issue).
