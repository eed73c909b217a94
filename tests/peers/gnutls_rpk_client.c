/*
 * A minimal GnuTLS DTLS 1.2 client with raw public keys (RFC 7250), used
 * by tests/tests/interop_rpk.rs. Usage:
 *   gnutls_rpk_client HOST PORT PRIORITY MESSAGE [PUBKEY.pem KEY.pem]
 * PRIORITY picks the certificate types (e.g. "...:+CTYPE-SRV-RAWPK");
 * with PUBKEY/KEY the client can present its own raw key. Prints
 * "suite=", "server_type=", "client_type=", "server_key=<hex of what the
 * server presented: its SubjectPublicKeyInfo or end-entity certificate>"
 * after the handshake and "reply=<data>" after the echo (or
 * "error=<what> <text>", exit 1).
 */
#include <gnutls/dtls.h>
#include <gnutls/gnutls.h>
#include <unistd.h>

#include "gnutls_peer.h"

static void print_hex(const char *label, const gnutls_datum_t *d) {
    printf("%s=", label);
    for (unsigned i = 0; i < d->size; i++)
        printf("%02x", d->data[i]);
    printf("\n");
}

int main(int argc, char **argv) {
    if (!peer_args_ok(argc, argv, 5, "HOST PORT PRIORITY MESSAGE [PUBKEY.pem KEY.pem]"))
        return 2;
    int fd = peer_connect_udp(argv[1], argv[2]);
    if (fd < 0)
        return peer_fail("connect", "");

    gnutls_certificate_credentials_t creds;
    gnutls_session_t session;
    int ret;
    gnutls_global_init();
    gnutls_certificate_allocate_credentials(&creds);
    if (argc >= 7) {
        ret = gnutls_certificate_set_rawpk_key_file(creds, argv[5], argv[6], GNUTLS_X509_FMT_PEM,
                                                    NULL, 0, NULL, 0, 0, 0);
        if (ret < 0)
            return fail("rawpk", ret);
    }
    gnutls_init(&session, GNUTLS_CLIENT | GNUTLS_DATAGRAM | GNUTLS_ENABLE_RAWPK);
    gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, creds);
    ret = gnutls_priority_set_direct(session, argv[3], NULL);
    if (ret < 0)
        return fail("priority", ret);
    ret = gnutls_peer_handshake(session, fd);
    if (ret < 0)
        return fail("handshake", ret);
    printf("suite=%s\n", gnutls_cipher_suite_get_name(gnutls_kx_get(session),
                                                     gnutls_cipher_get(session),
                                                     gnutls_mac_get(session)));
    printf("server_type=%s\n",
           gnutls_certificate_type_get_name(gnutls_certificate_type_get2(session, GNUTLS_CTYPE_SERVER)));
    printf("client_type=%s\n",
           gnutls_certificate_type_get_name(gnutls_certificate_type_get2(session, GNUTLS_CTYPE_CLIENT)));
    unsigned count = 0;
    const gnutls_datum_t *peers = gnutls_certificate_get_peers(session, &count);
    if (peers != NULL && count > 0)
        print_hex("server_key", &peers[0]);
    fflush(stdout);

    if (gnutls_peer_echo(session, argv[4]) != 0)
        return 1;

    gnutls_bye(session, GNUTLS_SHUT_WR);
    close(fd);
    gnutls_deinit(session);
    gnutls_certificate_free_credentials(creds);
    gnutls_global_deinit();
    return 0;
}
