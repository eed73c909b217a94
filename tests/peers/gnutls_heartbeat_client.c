/*
 * A minimal GnuTLS DTLS 1.2 client that pings the server with an RFC 6520
 * HeartbeatRequest and waits for the matching response. Used by
 * tests/tests/interop_gnutls.rs. Usage:
 *   gnutls_heartbeat_client HOST PORT
 * Prints "handshake=ok", then "ping=ok" (or "error=<what> <text>", exit 1).
 */
#include <arpa/inet.h>
#include <gnutls/dtls.h>
#include <gnutls/gnutls.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gnutls_peer.h"

int main(int argc, char **argv) {
    if (!peer_args_ok(argc, argv, 3, "HOST PORT"))
        return 2;
    int fd = peer_connect_udp(argv[1], argv[2]);
    if (fd < 0)
        return peer_fail("connect", "");

    gnutls_certificate_credentials_t creds;
    gnutls_session_t session;
    int ret;
    gnutls_global_init();
    gnutls_certificate_allocate_credentials(&creds);
    gnutls_init(&session, GNUTLS_CLIENT | GNUTLS_DATAGRAM);
    /* The test server uses a throwaway self-signed certificate: no
     * verification callback is installed. */
    gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, creds);
    ret = gnutls_priority_set_direct(session, "NORMAL:-VERS-ALL:+VERS-DTLS1.2", NULL);
    if (ret < 0)
        return fail("priority", ret);
    gnutls_heartbeat_enable(session, GNUTLS_HB_PEER_ALLOWED_TO_SEND);
    ret = gnutls_peer_handshake(session, fd);
    if (ret < 0)
        return fail("handshake", ret);
    printf("handshake=ok\n");
    fflush(stdout);

    if (!gnutls_heartbeat_allowed(session, GNUTLS_HB_LOCAL_ALLOWED_TO_SEND)) {
        printf("error=heartbeat-not-negotiated\n");
        return 1;
    }
    do {
        ret = gnutls_heartbeat_ping(session, 300, 5, GNUTLS_HEARTBEAT_WAIT);
    } while (ret == GNUTLS_E_AGAIN || ret == GNUTLS_E_INTERRUPTED);
    if (ret < 0)
        return fail("ping", ret);
    printf("ping=ok\n");
    fflush(stdout);

    gnutls_bye(session, GNUTLS_SHUT_WR);
    close(fd);
    gnutls_deinit(session);
    gnutls_certificate_free_credentials(creds);
    gnutls_global_deinit();
    return 0;
}
