/*
 * A minimal DTLS 1.2 client on mbedTLS, used by tests/tests/interop_mbedtls.rs
 * as an independent peer. Usage:
 *   mbedtls_dtls_client HOST PORT MESSAGE [CIPHERSUITE|-] [MTU]
 * Prints "suite=<name>" after the handshake and "reply=<data>" after the echo;
 * exits non-zero with "error=<code> <text>" on failure.
 * PEER_PSK=IDENTITY:HEXKEY configures a pre-shared key (RFC 4279).
 */
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>
#include <mbedtls/timing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peer.h"

/* Hex digit value, or -1. */
static int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Applies PEER_PSK=IDENTITY:HEXKEY to conf; 0 on success. */
static int configure_psk(mbedtls_ssl_config *conf, const char *spec) {
    const char *colon = strrchr(spec, ':');
    unsigned char key[256];
    size_t key_len = 0;
    if (colon == NULL || colon == spec) return -1;
    for (const char *p = colon + 1; p[0] && p[1]; p += 2) {
        int hi = hex_value(p[0]), lo = hex_value(p[1]);
        if (hi < 0 || lo < 0 || key_len == sizeof key) return -1;
        key[key_len++] = (unsigned char)(hi * 16 + lo);
    }
    return mbedtls_ssl_conf_psk(conf, key, key_len, (const unsigned char *)spec,
                                (size_t)(colon - spec));
}

static int fail(const char *what, int ret) {
    char text[200];
    char detail[220];
    mbedtls_strerror(ret, text, sizeof text);
    snprintf(detail, sizeof detail, "-0x%04x %s", (unsigned)-ret, text);
    return peer_fail(what, detail);
}

int main(int argc, char **argv) {
    if (!peer_args_ok(argc, argv, 4, "HOST PORT MESSAGE [SUITE|-] [MTU]"))
        return 2;
    mbedtls_net_context net;
    mbedtls_ssl_context ssl;
    mbedtls_ssl_config conf;
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_timing_delay_context timer;
    int suites[2] = {0, 0};
    int ret;

    mbedtls_net_init(&net);
    mbedtls_ssl_init(&ssl);
    mbedtls_ssl_config_init(&conf);
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);

    if ((ret = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy,
                                     (const unsigned char *)"dtls-test", 9)) != 0)
        return fail("seed", ret);
    if ((ret = mbedtls_net_connect(&net, argv[1], argv[2], MBEDTLS_NET_PROTO_UDP)) != 0)
        return fail("connect", ret);
    if ((ret = mbedtls_ssl_config_defaults(&conf, MBEDTLS_SSL_IS_CLIENT,
                                           MBEDTLS_SSL_TRANSPORT_DATAGRAM,
                                           MBEDTLS_SSL_PRESET_DEFAULT)) != 0)
        return fail("config", ret);
    /* The test server uses a throwaway self-signed certificate. */
    mbedtls_ssl_conf_authmode(&conf, MBEDTLS_SSL_VERIFY_NONE);
    mbedtls_ssl_conf_rng(&conf, mbedtls_ctr_drbg_random, &drbg);
    mbedtls_ssl_conf_read_timeout(&conf, 10000);
    /* PEER_NO_EMS=1: a client without RFC 7627's extended master secret. */
    const char *no_ems = getenv("PEER_NO_EMS");
    if (no_ems != NULL && strcmp(no_ems, "1") == 0)
        mbedtls_ssl_conf_extended_master_secret(&conf, MBEDTLS_SSL_EXTENDED_MS_DISABLED);
    const char *psk = getenv("PEER_PSK");
    if (psk != NULL && psk[0] != 0 && (ret = configure_psk(&conf, psk)) != 0)
        return fail("psk", ret);
    if (argc > 4 && strcmp(argv[4], "-") != 0) {
        suites[0] = mbedtls_ssl_get_ciphersuite_id(argv[4]);
        if (suites[0] == 0) {
            printf("error=unknown-suite %s\n", argv[4]);
            return 1;
        }
        mbedtls_ssl_conf_ciphersuites(&conf, suites);
    }
    if ((ret = mbedtls_ssl_setup(&ssl, &conf)) != 0)
        return fail("setup", ret);
    if (argc > 5)
        mbedtls_ssl_set_mtu(&ssl, (uint16_t)atoi(argv[5]));
    mbedtls_ssl_set_bio(&ssl, &net, mbedtls_net_send, mbedtls_net_recv,
                        mbedtls_net_recv_timeout);
    mbedtls_ssl_set_timer_cb(&ssl, &timer, mbedtls_timing_set_delay,
                             mbedtls_timing_get_delay);

    do {
        ret = mbedtls_ssl_handshake(&ssl);
    } while (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE);
    if (ret != 0)
        return fail("handshake", ret);
    printf("suite=%s\n", mbedtls_ssl_get_ciphersuite(&ssl));
    fflush(stdout);

    const char *msg = argv[3];
    do {
        ret = mbedtls_ssl_write(&ssl, (const unsigned char *)msg, strlen(msg));
    } while (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE);
    if (ret < 0)
        return fail("write", ret);

    unsigned char buf[2048];
    do {
        ret = mbedtls_ssl_read(&ssl, buf, sizeof buf - 1);
    } while (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE);
    if (ret < 0)
        return fail("read", ret);
    buf[ret] = 0;
    printf("reply=%s\n", (char *)buf);
    fflush(stdout);

    do {
        ret = mbedtls_ssl_close_notify(&ssl);
    } while (ret == MBEDTLS_ERR_SSL_WANT_WRITE);

    mbedtls_net_free(&net);
    mbedtls_ssl_free(&ssl);
    mbedtls_ssl_config_free(&conf);
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);
    return 0;
}
