/*
 * What the C peers in this folder share: how they report a failure and
 * how they check their command line. The Rust tests read the first line
 * of the form "error=<what> <detail>" a peer prints.
 */
#ifndef DTLS_TEST_PEER_H
#define DTLS_TEST_PEER_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* Prints "error=<what> <detail>" and returns the exit status 1. */
static int peer_fail(const char *what, const char *detail) {
    printf("error=%s %s\n", what, detail);
    fflush(stdout);
    return 1;
}

/*
 * Whether the command line has at least `needed` words (the program's
 * name included); prints "usage: <program> <usage>" to stderr if not.
 */
static int peer_args_ok(int argc, char **argv, int needed, const char *usage) {
    if (argc >= needed)
        return 1;
    fprintf(stderr, "usage: %s %s\n", argv[0], usage);
    return 0;
}

/* A UDP socket connected to HOST (dotted IPv4) and PORT, or -1. */
static int peer_connect_udp(const char *host, const char *port) {
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)atoi(port));
    inet_pton(AF_INET, host, &addr.sin_addr);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0)
        return -1;
    return fd;
}

#endif
