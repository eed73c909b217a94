/*
 * Our additions to mbedTLS's default configuration (include/mbedtls/
 * mbedtls_config.h), read through MBEDTLS_USER_CONFIG_FILE: RFC 9146 DTLS
 * Connection IDs (extension 54, record content type 25 `tls12_cid`, the
 * RFC 9146 AAD), not the pre-RFC draft (extension 254) that COMPAT 1 gives.
 * mbedTLS 3.4 and 3.6 ship with both already so; this pins them.
 */
#define MBEDTLS_SSL_DTLS_CONNECTION_ID
#undef MBEDTLS_SSL_DTLS_CONNECTION_ID_COMPAT
#define MBEDTLS_SSL_DTLS_CONNECTION_ID_COMPAT 0
/* The longest CIDs either side accepts (the default is 32; RFC allows 255). */
#undef MBEDTLS_SSL_CID_IN_LEN_MAX
#define MBEDTLS_SSL_CID_IN_LEN_MAX 32
#undef MBEDTLS_SSL_CID_OUT_LEN_MAX
#define MBEDTLS_SSL_CID_OUT_LEN_MAX 32
