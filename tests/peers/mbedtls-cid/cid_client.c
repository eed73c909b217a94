/*
 * A DTLS 1.2 client on mbedTLS 3.x that offers an RFC 9146 Connection ID
 * (extension 54, records of content type 25 `tls12_cid`) and can move to a
 * new UDP port mid-session, the way a NAT rebinding does. An independent
 * peer for the server's CID interop tests; README.md beside it documents
 * the command line and the lines it prints. Built by build.sh.
 */
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/debug.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>
#include <mbedtls/timing.h>
#include <mbedtls/x509_crt.h>
#if defined(MBEDTLS_PSA_CRYPTO_C)
#include <psa/crypto.h>
#endif
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#if !defined(MBEDTLS_SSL_DTLS_CONNECTION_ID)
#error "mbedTLS was configured without MBEDTLS_SSL_DTLS_CONNECTION_ID"
#endif
#if MBEDTLS_SSL_DTLS_CONNECTION_ID_COMPAT != 0 || MBEDTLS_TLS_EXT_CID != 54
#error "mbedTLS is in pre-RFC 9146 CID mode (extension 254): set COMPAT to 0"
#endif

/* What the transport saw: datagrams, those whose first record is
 * tls12_cid, and whether a hello carried extension 54. */
static struct {
    unsigned tx, rx, tx_cid, rx_cid;
    int ch_ext54, sh_ext54; /* -1 not seen, 0 absent, 1 present */
} wire = {0, 0, 0, 0, -1, -1};

static int fail(const char *what, int ret) {
    char text[200];
    mbedtls_strerror(ret, text, sizeof text);
    printf("error=%s -0x%04x %s\n", what, (unsigned)-ret, text);
    fflush(stdout);
    return 1;
}

static int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decodes HEX into out (at most max bytes); the length, or -1. */
static int hex_decode(const char *hex, unsigned char *out, size_t max) {
    size_t n = 0;
    if (strlen(hex) % 2 != 0) return -1;
    for (const char *p = hex; p[0]; p += 2) {
        int hi = hex_value(p[0]), lo = hex_value(p[1]);
        if (hi < 0 || lo < 0 || n == max) return -1;
        out[n++] = (unsigned char)(hi * 16 + lo);
    }
    return (int)n;
}

/* "-" for an empty byte string, else lowercase hex. */
static const char *hex(const unsigned char *b, size_t n) {
    static char bufs[2][2 * 255 + 1];
    static int which = 0;
    char *s = bufs[which ^= 1];
    if (n == 0) return "-";
    for (size_t i = 0; i < n; i++) sprintf(s + 2 * i, "%02x", b[i]);
    return s;
}

static unsigned get16(const unsigned char *p) { return (unsigned)p[0] << 8 | p[1]; }
static unsigned get24(const unsigned char *p) { return (unsigned)p[0] << 16 | get16(p + 1); }

/* Whether an unfragmented ClientHello (1) or ServerHello (2) body lists
 * extension 54: 1 yes, 0 no, -1 could not tell. */
static int hello_has_ext54(const unsigned char *b, size_t len, int type) {
    size_t i = 2 + 32; /* version, random */
    if (i + 1 > len) return -1;
    i += 1 + b[i]; /* session_id */
    if (type == 1) {
        if (i + 1 > len) return -1;
        i += 1 + b[i]; /* cookie */
        if (i + 2 > len) return -1;
        i += 2 + get16(b + i); /* cipher_suites */
        if (i + 1 > len) return -1;
        i += 1 + b[i]; /* compression_methods */
    } else {
        i += 2 + 1; /* cipher_suite, compression_method */
    }
    if (i == len) return 0; /* no extensions */
    if (i + 2 > len) return -1;
    size_t end = i + 2 + get16(b + i);
    for (i += 2; i + 4 <= end && end <= len; i += 4 + get16(b + i + 2))
        if (get16(b + i) == 54) return 1;
    return 0;
}

/* Counts a datagram and looks into its plaintext (epoch 0) hellos. */
static void inspect(const unsigned char *d, size_t n, int sent) {
    if (n == 0) return;
    if (sent) wire.tx++, wire.tx_cid += d[0] == MBEDTLS_SSL_MSG_CID;
    else wire.rx++, wire.rx_cid += d[0] == MBEDTLS_SSL_MSG_CID;
    for (size_t i = 0; i + 13 <= n && d[i] != MBEDTLS_SSL_MSG_CID;) {
        size_t rlen = get16(d + i + 11);
        const unsigned char *h = d + i + 13;
        if (i + 13 + rlen > n) break;
        if (d[i] == MBEDTLS_SSL_MSG_HANDSHAKE && get16(d + i + 3) == 0 && rlen >= 12 &&
            get24(h + 6) == 0 && get24(h + 9) == get24(h + 1) && 12 + get24(h + 1) <= rlen) {
            int r = hello_has_ext54(h + 12, get24(h + 1), h[0]);
            if (h[0] == 1 && sent) wire.ch_ext54 = r;
            if (h[0] == 2 && !sent) wire.sh_ext54 = r;
        }
        i += 13 + rlen;
    }
}

static int send_cb(void *ctx, const unsigned char *buf, size_t len) {
    int ret = mbedtls_net_send(ctx, buf, len);
    if (ret > 0) inspect(buf, (size_t)ret, 1);
    return ret;
}

static int recv_timeout_cb(void *ctx, unsigned char *buf, size_t len, uint32_t timeout) {
    int ret = mbedtls_net_recv_timeout(ctx, buf, len, timeout);
    if (ret > 0) inspect(buf, (size_t)ret, 0);
    return ret;
}

static int local_port(int fd) {
    struct sockaddr_storage a;
    socklen_t alen = sizeof a;
    if (getsockname(fd, (struct sockaddr *)&a, &alen) != 0) return -1;
    if (a.ss_family == AF_INET6) return ntohs(((struct sockaddr_in6 *)&a)->sin6_port);
    return ntohs(((struct sockaddr_in *)&a)->sin_port);
}

static void usage(const char *prog) {
    fprintf(stderr,
            "usage: %s [-c LEN | -i HEX] [-r] [-C CAFILE] [-H NAME] [-s SUITE] [-p ID:HEXKEY]\n"
            "          [-m MTU] [-t MS] [-d LEVEL] HOST PORT [MESSAGE...]\n"
            "  no MESSAGE: one message per line of standard input\n",
            prog);
}

static void debug_cb(void *ctx, int level, const char *file, int line, const char *msg) {
    (void)ctx;
    fprintf(stderr, "mbedtls[%d] %s:%d: %s", level, file, line, msg);
}

int main(int argc, char **argv) {
    unsigned char own_cid[MBEDTLS_SSL_CID_IN_LEN_MAX], psk[64];
    int own_cid_len = -1, cid_given = 0, rebind = 0, mtu = 0, debug = 0, opt, ret;
    uint32_t timeout_ms = 5000;
    const char *ca_file = NULL, *hostname = NULL, *suite = NULL, *psk_spec = NULL;
    while ((opt = getopt(argc, argv, "c:i:rC:H:s:p:m:t:d:h")) != -1) {
        switch (opt) {
        case 'c':
            own_cid_len = atoi(optarg);
            cid_given = 0;
            if (own_cid_len < 0 || own_cid_len > MBEDTLS_SSL_CID_IN_LEN_MAX) {
                printf("error=args CID length must be 0..%d\n", MBEDTLS_SSL_CID_IN_LEN_MAX);
                return 2;
            }
            break;
        case 'i':
            if ((own_cid_len = hex_decode(optarg, own_cid, sizeof own_cid)) < 0) {
                printf("error=args bad CID hex %s\n", optarg);
                return 2;
            }
            cid_given = 1;
            break;
        case 'r': rebind = 1; break;
        case 'C': ca_file = optarg; break;
        case 'H': hostname = optarg; break;
        case 's': suite = optarg; break;
        case 'p': psk_spec = optarg; break;
        case 'm': mtu = atoi(optarg); break;
        case 't': timeout_ms = (uint32_t)atoi(optarg); break;
        case 'd': debug = atoi(optarg); break;
        default: usage(argv[0]); return 2;
        }
    }
    if (argc - optind < 2) {
        usage(argv[0]);
        return 2;
    }
    const char *host = argv[optind], *port = argv[optind + 1];
    char **msgs = argv + optind + 2;
    int nmsgs = argc - optind - 2;

    mbedtls_net_context net;
    mbedtls_ssl_context ssl;
    mbedtls_ssl_config conf;
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_timing_delay_context timer;
    mbedtls_x509_crt ca;
    int suites[2] = {0, 0};
    mbedtls_net_init(&net);
    mbedtls_ssl_init(&ssl);
    mbedtls_ssl_config_init(&conf);
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    mbedtls_x509_crt_init(&ca);
    setvbuf(stdout, NULL, _IOLBF, 0);
#if defined(MBEDTLS_PSA_CRYPTO_C)
    if (psa_crypto_init() != PSA_SUCCESS) return fail("psa_crypto_init", -1);
#endif
    if ((ret = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy,
                                     (const unsigned char *)"cid-client", 10)) != 0)
        return fail("seed", ret);
    if (!cid_given && own_cid_len > 0 &&
               (ret = mbedtls_ctr_drbg_random(&drbg, own_cid, (size_t)own_cid_len)) != 0) {
        return fail("random", ret);
    }
    if ((ret = mbedtls_net_connect(&net, host, port, MBEDTLS_NET_PROTO_UDP)) != 0)
        return fail("connect", ret);
    printf("local_port=%d\n", local_port(net.fd));
    if ((ret = mbedtls_ssl_config_defaults(&conf, MBEDTLS_SSL_IS_CLIENT,
                                           MBEDTLS_SSL_TRANSPORT_DATAGRAM,
                                           MBEDTLS_SSL_PRESET_DEFAULT)) != 0)
        return fail("config", ret);
    mbedtls_ssl_conf_max_tls_version(&conf, MBEDTLS_SSL_VERSION_TLS1_2);
    mbedtls_ssl_conf_min_tls_version(&conf, MBEDTLS_SSL_VERSION_TLS1_2);
    mbedtls_ssl_conf_rng(&conf, mbedtls_ctr_drbg_random, &drbg);
    mbedtls_ssl_conf_read_timeout(&conf, timeout_ms);
    mbedtls_ssl_conf_dbg(&conf, debug_cb, NULL);
    if (ca_file != NULL) {
        if ((ret = mbedtls_x509_crt_parse_file(&ca, ca_file)) != 0) return fail("ca", ret);
        mbedtls_ssl_conf_ca_chain(&conf, &ca, NULL);
        mbedtls_ssl_conf_authmode(&conf, MBEDTLS_SSL_VERIFY_REQUIRED);
    } else {
        mbedtls_ssl_conf_authmode(&conf, MBEDTLS_SSL_VERIFY_NONE);
    }
    if (psk_spec != NULL) {
        const char *colon = strrchr(psk_spec, ':');
        int klen = colon ? hex_decode(colon + 1, psk, sizeof psk) : -1;
        if (klen <= 0) {
            printf("error=args bad PSK %s\n", psk_spec);
            return 2;
        }
        if ((ret = mbedtls_ssl_conf_psk(&conf, psk, (size_t)klen, (const unsigned char *)psk_spec,
                                        (size_t)(colon - psk_spec))) != 0)
            return fail("psk", ret);
    }
    if (suite != NULL) {
        if ((suites[0] = mbedtls_ssl_get_ciphersuite_id(suite)) == 0) {
            printf("error=args unknown suite %s\n", suite);
            return 2;
        }
        mbedtls_ssl_conf_ciphersuites(&conf, suites);
    }
    if (own_cid_len >= 0 &&
        (ret = mbedtls_ssl_conf_cid(&conf, (size_t)own_cid_len,
                                    MBEDTLS_SSL_UNEXPECTED_CID_IGNORE)) != 0)
        return fail("conf_cid", ret);
    if (debug > 0) mbedtls_debug_set_threshold(debug);
    if ((ret = mbedtls_ssl_setup(&ssl, &conf)) != 0) return fail("setup", ret);
    /* NULL: verify the chain (with -C) but no name in it. */
    if ((ret = mbedtls_ssl_set_hostname(&ssl, hostname)) != 0) return fail("hostname", ret);
    if (own_cid_len >= 0 &&
        (ret = mbedtls_ssl_set_cid(&ssl, MBEDTLS_SSL_CID_ENABLED, own_cid, (size_t)own_cid_len)) != 0)
        return fail("set_cid", ret);
    if (mtu > 0) mbedtls_ssl_set_mtu(&ssl, (uint16_t)mtu);
    mbedtls_ssl_set_bio(&ssl, &net, send_cb, NULL, recv_timeout_cb);
    mbedtls_ssl_set_timer_cb(&ssl, &timer, mbedtls_timing_set_delay, mbedtls_timing_get_delay);

    do ret = mbedtls_ssl_handshake(&ssl);
    while (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE);
    if (ret != 0) return fail("handshake", ret);
    printf("suite=%s\n", mbedtls_ssl_get_ciphersuite(&ssl));

    unsigned char peer_cid[MBEDTLS_SSL_CID_OUT_LEN_MAX];
    size_t peer_cid_len = 0;
    int enabled = MBEDTLS_SSL_CID_DISABLED;
    if ((ret = mbedtls_ssl_get_peer_cid(&ssl, &enabled, peer_cid, &peer_cid_len)) != 0)
        return fail("get_peer_cid", ret);
    printf("cid=%s offered=%s own=%s peer=%s ext=%d hello_ext54=%d/%d\n",
           enabled == MBEDTLS_SSL_CID_ENABLED ? "on" : "off", own_cid_len >= 0 ? "yes" : "no",
           own_cid_len > 0 ? hex(own_cid, (size_t)own_cid_len) : "-",
           enabled == MBEDTLS_SSL_CID_ENABLED ? hex(peer_cid, peer_cid_len) : "-",
           MBEDTLS_TLS_EXT_CID, wire.ch_ext54, wire.sh_ext54);

    char line[4096];
    unsigned char buf[4096];
    for (int k = 0;; k++) {
        const char *msg;
        if (nmsgs > 0) {
            if (k == nmsgs) break;
            msg = msgs[k];
        } else {
            if (fgets(line, sizeof line, stdin) == NULL) break;
            line[strcspn(line, "\r\n")] = 0;
            msg = line;
        }
        do ret = mbedtls_ssl_write(&ssl, (const unsigned char *)msg, strlen(msg));
        while (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE);
        if (ret < 0) return fail("write", ret);
        do ret = mbedtls_ssl_read(&ssl, buf, sizeof buf - 1);
        while (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE);
        if (ret < 0) return fail("read", ret);
        buf[ret] = 0;
        printf("reply=%s\n", (char *)buf);
        if (k == 0 && rebind) {
            /* Open the new socket before closing the old one, so the
             * kernel cannot hand the same port back. */
            mbedtls_net_context fresh;
            mbedtls_net_init(&fresh);
            if ((ret = mbedtls_net_connect(&fresh, host, port, MBEDTLS_NET_PROTO_UDP)) != 0)
                return fail("rebind", ret);
            int old_port = local_port(net.fd);
            mbedtls_net_free(&net);
            net.fd = fresh.fd; /* the bio keeps &net */
            printf("rebind old_port=%d new_port=%d\n", old_port, local_port(net.fd));
        }
    }
    do ret = mbedtls_ssl_close_notify(&ssl);
    while (ret == MBEDTLS_ERR_SSL_WANT_WRITE);
    printf("wire tx=%u tx_cid=%u rx=%u rx_cid=%u\n", wire.tx, wire.tx_cid, wire.rx, wire.rx_cid);
    printf("done\n");

    mbedtls_net_free(&net);
    mbedtls_ssl_free(&ssl);
    mbedtls_ssl_config_free(&conf);
    mbedtls_x509_crt_free(&ca);
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);
#if defined(MBEDTLS_PSA_CRYPTO_C)
    mbedtls_psa_crypto_free();
#endif
    return 0;
}
