/*
 * What the C peers in this folder share: how they report a failure and
 * how they check their command line. The Rust tests read the first line
 * of the form "error=<what> <detail>" a peer prints.
 */
#ifndef DTLS_TEST_PEER_H
#define DTLS_TEST_PEER_H

#include <stdio.h>

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

#endif
