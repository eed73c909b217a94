/*
 * What the GnuTLS peers in this folder share: the failure line, the
 * handshake on a connected UDP socket and one echo round trip.
 */
#ifndef DTLS_TEST_GNUTLS_PEER_H
#define DTLS_TEST_GNUTLS_PEER_H

#include <gnutls/dtls.h>
#include <gnutls/gnutls.h>

#include "peer.h"

/* Prints "error=<what> <GnuTLS's text>" and returns 1. */
static int fail(const char *what, int ret) {
    return peer_fail(what, gnutls_strerror(ret));
}

/* Runs the handshake over socket `fd` (10 s); GnuTLS's code. */
static int gnutls_peer_handshake(gnutls_session_t session, int fd) {
    int ret;
    gnutls_transport_set_int(session, fd);
    gnutls_handshake_set_timeout(session, 10000);
    do {
        ret = gnutls_handshake(session);
    } while (ret < 0 && gnutls_error_is_fatal(ret) == 0);
    return ret;
}

/* Sends `msg`, reads one record back and prints "reply=<data>"; 0, or 1
 * after printing the failure. */
static int gnutls_peer_echo(gnutls_session_t session, const char *msg) {
    int ret;
    do {
        ret = (int)gnutls_record_send(session, msg, strlen(msg));
    } while (ret == GNUTLS_E_AGAIN || ret == GNUTLS_E_INTERRUPTED);
    if (ret < 0)
        return fail("send", ret);
    char buf[2048];
    gnutls_record_set_timeout(session, 10000);
    do {
        ret = (int)gnutls_record_recv(session, buf, sizeof buf - 1);
    } while (ret == GNUTLS_E_AGAIN || ret == GNUTLS_E_INTERRUPTED);
    if (ret < 0)
        return fail("recv", ret);
    buf[ret] = 0;
    printf("reply=%s\n", buf);
    fflush(stdout);
    return 0;
}

#endif
