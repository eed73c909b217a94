// A pion/dtls v2 echo server, the reference server for dtls-load's socket
// figures (dtls-load/socket-figures.sh).
//
// It serves one certificate (ECDSA P-256 expected) with ECDHE P-256 and
// TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 only, and echoes every record
// back to its sender. pion's own dtls.Listen runs each handshake inside
// Accept, one peer at a time; this server takes the peers from pion/udp's
// listener itself and runs each one's handshake and echo loop in its own
// goroutine, so many clients proceed at once.
//
// Built offline in GOPATH mode from the Debian packages (build.sh).
package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"net"
	"os"
	"sync/atomic"
	"time"

	"github.com/pion/dtls/v2"
	"github.com/pion/dtls/v2/pkg/crypto/elliptic"
	"github.com/pion/dtls/v2/pkg/protocol"
	"github.com/pion/dtls/v2/pkg/protocol/recordlayer"
	"github.com/pion/udp"
)

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "pion_echo: "+format+"\n", args...)
	os.Exit(1)
}

// isHandshake accepts a new peer only for a handshake record, as
// dtls.Listen does, so stray records do not create connections.
func isHandshake(packet []byte) bool {
	records, err := recordlayer.UnpackDatagram(packet)
	if err != nil || len(records) < 1 {
		return false
	}
	header := &recordlayer.Header{}
	if err := header.Unmarshal(records[0]); err != nil {
		return false
	}
	return header.ContentType == protocol.ContentTypeHandshake
}

// serve runs one peer's handshake, then echoes its records until it
// closes or goes quiet for idle.
func serve(raw net.Conn, config *dtls.Config, idle time.Duration, handshakes, failures *uint64) {
	conn, err := dtls.Server(raw, config)
	if err != nil {
		atomic.AddUint64(failures, 1)
		raw.Close()
		return
	}
	atomic.AddUint64(handshakes, 1)
	defer conn.Close()
	buf := make([]byte, 1<<16)
	for {
		if err := conn.SetReadDeadline(time.Now().Add(idle)); err != nil {
			return
		}
		n, err := conn.Read(buf)
		if err != nil {
			return
		}
		if _, err := conn.Write(buf[:n]); err != nil {
			return
		}
	}
}

func main() {
	bind := flag.String("bind", "127.0.0.1:4445", "address and port to listen on")
	certFile := flag.String("cert", "", "certificate (PEM)")
	keyFile := flag.String("key", "", "private key (PEM)")
	mtu := flag.Int("mtu", 1500, "handshake MTU")
	idle := flag.Duration("idle", 10*time.Second, "close a peer quiet this long")
	backlog := flag.Int("backlog", 4096, "peers waiting for a goroutine")
	flag.Parse()

	if *certFile == "" || *keyFile == "" {
		fail("-cert and -key are required")
	}
	pair, err := tls.LoadX509KeyPair(*certFile, *keyFile)
	if err != nil {
		fail("certificate: %v", err)
	}
	addr, err := net.ResolveUDPAddr("udp", *bind)
	if err != nil {
		fail("address: %v", err)
	}
	config := &dtls.Config{
		Certificates:         []tls.Certificate{pair},
		CipherSuites:         []dtls.CipherSuiteID{dtls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256},
		EllipticCurves:       []elliptic.Curve{elliptic.P256},
		ExtendedMasterSecret: dtls.RequestExtendedMasterSecret,
		MTU:                  *mtu,
		ConnectContextMaker: func() (context.Context, func()) {
			return context.WithTimeout(context.Background(), 10*time.Second)
		},
	}
	listener, err := (&udp.ListenConfig{Backlog: *backlog, AcceptFilter: isHandshake}).Listen("udp", addr)
	if err != nil {
		fail("listen: %v", err)
	}
	fmt.Printf("pion echo server on %s\n", listener.Addr())
	var handshakes, failures uint64
	for {
		raw, err := listener.Accept()
		if err != nil {
			fail("accept: %v", err)
		}
		go serve(raw, config, *idle, &handshakes, &failures)
	}
}
