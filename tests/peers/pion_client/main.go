// A small pion/dtls v2 client for the interop tests (tests/tests/interop_pion.rs).
//
// It connects, echoes -count messages of -size bytes (every byte checked),
// and with -resume connects a second time from the session it kept. It prints
// one line per fact the test asserts on ("connected", "echoed N bytes",
// "resumed-session"), and "error: ..." with a non-zero exit on failure.
package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"net"
	"os"
	"sync"
	"time"

	"github.com/pion/dtls/v2"
)

// memoryStore keeps sessions in memory so a second connection can resume.
type memoryStore struct {
	mu       sync.Mutex
	sessions map[string]dtls.Session
}

func (m *memoryStore) Set(key []byte, s dtls.Session) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sessions[string(key)] = s
	return nil
}

func (m *memoryStore) Get(key []byte) (dtls.Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.sessions[string(key)], nil
}

func (m *memoryStore) Del(key []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.sessions, string(key))
	return nil
}

func fail(format string, args ...interface{}) {
	fmt.Printf("error: "+format+"\n", args...)
	os.Exit(1)
}

func suiteByName(name string) dtls.CipherSuiteID {
	for _, id := range []dtls.CipherSuiteID{
		dtls.TLS_ECDHE_ECDSA_WITH_AES_128_CCM,
		dtls.TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8,
		dtls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
		dtls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
		dtls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
		dtls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
		dtls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
		dtls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
	} {
		if dtls.CipherSuiteName(id) == name {
			return id
		}
	}
	fail("unknown suite %q", name)
	return 0
}

// echo sends count messages of size bytes and checks each reply byte for
// byte. With retry (a lossy link) a message whose reply does not come within
// a second is sent again, and replies to earlier messages are skipped.
func echo(conn *dtls.Conn, count, size int, tag byte, retry bool) {
	reply := make([]byte, 1<<16)
	total := 0
	wait, tries := 10*time.Second, 1
	if retry {
		wait, tries = time.Second, 30
	}
	for i := 0; i < count; i++ {
		msg := make([]byte, size)
		for j := range msg {
			msg[j] = byte(i*31+j) ^ tag
		}
		n := send(conn, msg, reply, wait, tries, retry)
		if !bytes.Equal(reply[:n], msg) {
			fail("reply %d differs (%d bytes, sent %d)", i, n, size)
		}
		total += n
	}
	fmt.Printf("echoed %d bytes\n", total)
}

// send writes msg and returns the length of the reply read into reply.
func send(conn *dtls.Conn, msg, reply []byte, wait time.Duration, tries int, retry bool) int {
	for try := 0; try < tries; try++ {
		if _, err := conn.Write(msg); err != nil {
			fail("write: %v", err)
		}
		for {
			if err := conn.SetReadDeadline(time.Now().Add(wait)); err != nil {
				fail("deadline: %v", err)
			}
			n, err := conn.Read(reply)
			if err != nil {
				if ne, ok := err.(net.Error); ok && ne.Timeout() && try+1 < tries {
					break
				}
				fail("read: %v", err)
			}
			if !retry || bytes.Equal(reply[:n], msg) {
				return n
			}
		}
	}
	fail("no reply after %d tries", tries)
	return 0
}

func main() {
	addr := flag.String("addr", "127.0.0.1:4433", "server address")
	suite := flag.String("suite", "", "the one cipher suite to offer (pion's name); empty: pion's defaults")
	certFile := flag.String("cert", "", "client certificate (PEM)")
	keyFile := flag.String("key", "", "client private key (PEM)")
	ems := flag.String("ems", "request", "extended master secret: request, require or disable")
	mtu := flag.Int("mtu", 0, "handshake MTU (0: pion's default)")
	count := flag.Int("count", 1, "messages to echo")
	size := flag.Int("size", 100, "bytes per message")
	resume := flag.Bool("resume", false, "connect a second time, resuming the first session")
	retry := flag.Bool("retry", false, "resend a message whose reply is lost (for a lossy link)")
	flag.Parse()

	raddr, err := net.ResolveUDPAddr("udp", *addr)
	if err != nil {
		fail("address: %v", err)
	}
	config := &dtls.Config{
		InsecureSkipVerify: true,
		ServerName:         "localhost",
		MTU:                *mtu,
		ConnectContextMaker: func() (context.Context, func()) {
			return context.WithTimeout(context.Background(), 20*time.Second)
		},
	}
	switch *ems {
	case "request":
		config.ExtendedMasterSecret = dtls.RequestExtendedMasterSecret
	case "require":
		config.ExtendedMasterSecret = dtls.RequireExtendedMasterSecret
	case "disable":
		config.ExtendedMasterSecret = dtls.DisableExtendedMasterSecret
	default:
		fail("bad -ems %q", *ems)
	}
	if *suite != "" {
		config.CipherSuites = []dtls.CipherSuiteID{suiteByName(*suite)}
	}
	if *certFile != "" {
		pair, err := tls.LoadX509KeyPair(*certFile, *keyFile)
		if err != nil {
			fail("client certificate: %v", err)
		}
		config.Certificates = []tls.Certificate{pair}
	}

	rounds := 1
	if *resume {
		// Only with -resume: pion v2 (2.2.6, flight3handler.go) re-parses the
		// ServerHello each time a datagram of the server's flight arrives,
		// and with a session store the second parse finds the session ID it
		// stored from the first and takes the full handshake for a resumed
		// one. So a store breaks every flight longer than one datagram.
		config.SessionStore = &memoryStore{sessions: map[string]dtls.Session{}}
		rounds = 2
	}
	for round := 0; round < rounds; round++ {
		conn, err := dtls.Dial("udp", raddr, config)
		if err != nil {
			fail("handshake (round %d): %v", round, err)
		}
		fmt.Println("connected")
		state := conn.ConnectionState()
		if round > 0 && len(state.SessionID) > 0 {
			fmt.Println("resumed-session")
		}
		echo(conn, *count, *size, byte(round), *retry)
		if err := conn.Close(); err != nil {
			fail("close: %v", err)
		}
	}
	fmt.Println("done")
}
