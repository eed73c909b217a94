/*
 * A minimal GnuTLS DTLS 1.2 PSK client (RFC 4279, RFC 5489), used by
 * tests/tests/interop_psk.rs: gnutls-cli 3.7.9 itself crashes after an
 * ECDHE-PSK handshake (against gnutls-serv too), so the PSK interop runs
 * through the library directly. Usage:
 *   gnutls_psk_client HOST PORT PRIORITY IDENTITY HEXKEY MESSAGE
 * Prints "suite=<name>" after the handshake and "reply=<data>" after the
 * echo (or "error=<what> <text>", exit 1).
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
    if (!peer_args_ok(argc, argv, 7, "HOST PORT PRIORITY IDENTITY HEXKEY MESSAGE"))
        return 2;
    int fd = peer_connect_udp(argv[1], argv[2]);
    if (fd < 0)
        return peer_fail("connect", "");

    gnutls_psk_client_credentials_t creds;
    gnutls_session_t session;
    gnutls_datum_t key = {(unsigned char *)argv[5], (unsigned)strlen(argv[5])};
    int ret;
    gnutls_global_init();
    gnutls_psk_allocate_client_credentials(&creds);
    ret = gnutls_psk_set_client_credentials(creds, argv[4], &key, GNUTLS_PSK_KEY_HEX);
    if (ret < 0)
        return fail("psk", ret);
    gnutls_init(&session, GNUTLS_CLIENT | GNUTLS_DATAGRAM);
    gnutls_credentials_set(session, GNUTLS_CRD_PSK, creds);
    ret = gnutls_priority_set_direct(session, argv[3], NULL);
    if (ret < 0)
        return fail("priority", ret);
    ret = gnutls_peer_handshake(session, fd);
    if (ret < 0)
        return fail("handshake", ret);
    printf("suite=%s\n", gnutls_cipher_suite_get_name(gnutls_kx_get(session),
                                                     gnutls_cipher_get(session),
                                                     gnutls_mac_get(session)));
    fflush(stdout);

    if (gnutls_peer_echo(session, argv[6]) != 0)
        return 1;

    gnutls_bye(session, GNUTLS_SHUT_WR);
    close(fd);
    gnutls_deinit(session);
    gnutls_psk_free_client_credentials(creds);
    gnutls_global_deinit();
    return 0;
}
