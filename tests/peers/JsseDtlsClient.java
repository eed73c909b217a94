// A small SunJSSE DTLS 1.2 client for the interop tests
// (tests/tests/interop_jsse.rs): an SSLEngine over a DatagramSocket.
//
// Usage: java JsseDtlsClient HOST PORT SUITE|- KEYSTORE.p12|- COUNT SIZE ROUNDS [MTU [retry]]
//
// Like the JDK's own DTLS sample, it passes each datagram to one
// SSLEngine.unwrap call, so it sees only the first record of a datagram.
// With "retry" (a lossy link) a message whose reply is lost is sent again.
//
// It connects ROUNDS times from one SSLContext (so the second round may
// resume the first session), echoes COUNT messages of SIZE bytes each time
// (every byte checked) and prints one line per fact the test asserts on:
// "connected SUITE", "resumed-session", "echoed N bytes", "done"; or
// "error: ..." with exit status 1.

import java.io.FileInputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

public class JsseDtlsClient {
    private static final int BUFFER = 1 << 17;
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final DatagramSocket socket;
    private final InetSocketAddress server;
    private final SSLEngine engine;

    private JsseDtlsClient(DatagramSocket socket, InetSocketAddress server, SSLEngine engine) {
        this.socket = socket;
        this.server = server;
        this.engine = engine;
    }

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Exception e) {
            System.out.println("error: " + e);
            System.exit(1);
        }
    }

    private static void run(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        String suite = args[2];
        String keystore = args[3];
        int count = Integer.parseInt(args[4]);
        int size = Integer.parseInt(args[5]);
        int rounds = Integer.parseInt(args[6]);
        int mtu = args.length > 7 ? Integer.parseInt(args[7]) : 1200;
        boolean retry = args.length > 8 && args[8].equals("retry");

        KeyManager[] keys = null;
        if (!keystore.equals("-")) {
            char[] password = "changeit".toCharArray();
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (FileInputStream in = new FileInputStream(keystore)) {
                store.load(in, password);
            }
            KeyManagerFactory factory = KeyManagerFactory.getInstance("SunX509");
            factory.init(store, password);
            keys = factory.getKeyManagers();
        }
        // The tests' server certificates are self-signed: trust any.
        TrustManager[] trustAll = {new X509TrustManager() {
            public void checkClientTrusted(X509Certificate[] chain, String auth) {}
            public void checkServerTrusted(X509Certificate[] chain, String auth) {}
            public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
        }};
        SSLContext context = SSLContext.getInstance("DTLSv1.2");
        context.init(keys, trustAll, null);

        byte[] firstSession = null;
        for (int round = 0; round < rounds; round++) {
            try (DatagramSocket socket = new DatagramSocket()) {
                socket.setSoTimeout(1000);
                SSLEngine engine = context.createSSLEngine(host, port);
                engine.setUseClientMode(true);
                SSLParameters params = engine.getSSLParameters();
                params.setMaximumPacketSize(mtu);
                if (!suite.equals("-")) {
                    params.setCipherSuites(new String[] {suite});
                }
                engine.setSSLParameters(params);
                JsseDtlsClient client =
                        new JsseDtlsClient(socket, new InetSocketAddress(host, port), engine);
                client.handshake();
                System.out.println("connected " + engine.getSession().getCipherSuite());
                byte[] id = engine.getSession().getId();
                if (round == 0) {
                    firstSession = id;
                } else if (Arrays.equals(id, firstSession)) {
                    System.out.println("resumed-session");
                }
                client.echo(count, size, (byte) round, retry);
                engine.closeOutbound();
                client.wrapAndSend(EMPTY);
            }
        }
        System.out.println("done");
    }

    /** Drives the handshake until the engine stops asking for I/O. */
    private void handshake() throws Exception {
        engine.beginHandshake();
        int timeouts = 0;
        while (true) {
            HandshakeStatus status = engine.getHandshakeStatus();
            switch (status) {
                case NEED_WRAP:
                    if (wrapAndSend(EMPTY) == HandshakeStatus.FINISHED) {
                        return;
                    }
                    break;
                case NEED_UNWRAP:
                    byte[] datagram = receive();
                    if (datagram == null) {
                        if (++timeouts > 30) {
                            throw new IllegalStateException("handshake timed out");
                        }
                        // Re-sends the last flight (RFC 6347 4.2.4).
                        wrapAndSend(EMPTY);
                        break;
                    }
                    if (unwrap(datagram, ByteBuffer.allocate(BUFFER)) == HandshakeStatus.FINISHED) {
                        return;
                    }
                    break;
                case NEED_UNWRAP_AGAIN:
                    if (unwrapAgain() == HandshakeStatus.FINISHED) {
                        return;
                    }
                    break;
                case NEED_TASK:
                    Runnable task;
                    while ((task = engine.getDelegatedTask()) != null) {
                        task.run();
                    }
                    break;
                case FINISHED:
                case NOT_HANDSHAKING:
                    return;
            }
        }
    }

    /** Wraps src and sends every datagram the engine produces. */
    private HandshakeStatus wrapAndSend(ByteBuffer src) throws Exception {
        ByteBuffer out = ByteBuffer.allocate(BUFFER);
        SSLEngineResult result = engine.wrap(src, out);
        out.flip();
        if (out.hasRemaining()) {
            byte[] bytes = new byte[out.remaining()];
            out.get(bytes);
            socket.send(new DatagramPacket(bytes, bytes.length, server));
        }
        runTasks(result);
        return result.getHandshakeStatus();
    }

    private HandshakeStatus unwrap(byte[] datagram, ByteBuffer app) throws Exception {
        SSLEngineResult result = engine.unwrap(ByteBuffer.wrap(datagram), app);
        runTasks(result);
        return result.getHandshakeStatus();
    }

    private HandshakeStatus unwrapAgain() throws Exception {
        SSLEngineResult result = engine.unwrap(EMPTY, ByteBuffer.allocate(BUFFER));
        runTasks(result);
        return result.getHandshakeStatus();
    }

    private void runTasks(SSLEngineResult result) {
        if (result.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
            Runnable task;
            while ((task = engine.getDelegatedTask()) != null) {
                task.run();
            }
        }
    }

    /** One datagram from the server, or null after the socket's timeout. */
    private byte[] receive() throws Exception {
        byte[] buf = new byte[BUFFER];
        DatagramPacket packet = new DatagramPacket(buf, buf.length);
        try {
            socket.receive(packet);
        } catch (SocketTimeoutException e) {
            return null;
        }
        return Arrays.copyOf(buf, packet.getLength());
    }

    /** Sends count messages of size bytes and checks each reply. */
    private void echo(int count, int size, byte tag, boolean retry) throws Exception {
        long total = 0;
        for (int i = 0; i < count; i++) {
            byte[] msg = new byte[size];
            for (int j = 0; j < size; j++) {
                msg[j] = (byte) ((i * 31 + j) ^ tag);
            }
            byte[] reply = null;
            for (int attempt = 0; attempt < (retry ? 30 : 1) && reply == null; attempt++) {
                wrapAndSend(ByteBuffer.wrap(msg));
                reply = readApplicationData(retry ? 1 : 10);
                if (retry && reply != null && !Arrays.equals(reply, msg)) {
                    reply = null; // a late reply to an earlier message
                }
            }
            if (reply == null) {
                throw new IllegalStateException("no reply to message " + i);
            }
            if (!Arrays.equals(reply, msg)) {
                throw new IllegalStateException(
                        "reply " + i + " differs (" + reply.length + " bytes, sent " + size + ")");
            }
            total += reply.length;
        }
        System.out.println("echoed " + total + " bytes");
    }

    /** Application data from the next datagrams, or null after `seconds`. */
    private byte[] readApplicationData(int seconds) throws Exception {
        for (int waited = 0; waited < seconds; ) {
            byte[] datagram = receive();
            if (datagram == null) {
                waited++;
                continue;
            }
            ByteBuffer app = ByteBuffer.allocate(BUFFER);
            HandshakeStatus status = unwrap(datagram, app);
            if (status == HandshakeStatus.NEED_WRAP) {
                // The server re-sent its last flight: answer it.
                wrapAndSend(EMPTY);
            }
            app.flip();
            if (app.hasRemaining()) {
                byte[] data = new byte[app.remaining()];
                app.get(data);
                return data;
            }
        }
        return null;
    }
}
