package simplesockets.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import simplesockets.api.ServerOptions;

/** Test helpers: plain {@link Socket} peers on loopback, and bounded waits. */
final class Peers {

    /** The longest any single wait in a test may take before it fails. */
    static final Duration WAIT = Duration.ofSeconds(5);

    private Peers() {
    }

    /** Options for a server on 127.0.0.1 with a free port. */
    static ServerOptions.Builder loopback() {
        return ServerOptions.builder().host("127.0.0.1").port(0);
    }

    /** A plain socket connected to the address, with a read timeout so no test hangs. */
    static Socket connect(InetSocketAddress address) throws IOException {
        Socket socket = new Socket();
        socket.connect(address, (int) WAIT.toMillis());
        socket.setSoTimeout((int) WAIT.toMillis());
        return socket;
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] data) {
        return new String(data, StandardCharsets.UTF_8);
    }

    /** Reads exactly {@code n} bytes, or fails. */
    static byte[] readExactly(Socket socket, int n) throws IOException {
        byte[] out = socket.getInputStream().readNBytes(n);
        assertEquals(n, out.length, "the stream ended early");
        return out;
    }

    /** Reads until end of stream; fails if the stream stays open past the socket's timeout. */
    static byte[] readToEnd(Socket socket) throws IOException {
        return socket.getInputStream().readAllBytes();
    }

    /** Whether the peer closed the socket within the socket's read timeout: a read sees EOF or a reset. */
    static boolean closedByPeer(Socket socket, Duration within) throws IOException {
        socket.setSoTimeout((int) within.toMillis());
        InputStream in = socket.getInputStream();
        try {
            return in.read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    /** Takes from a queue, failing the test if nothing comes in time. */
    static <T> T take(BlockingQueue<T> queue) throws InterruptedException {
        T item = queue.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertNotNull(item, "nothing arrived within " + WAIT);
        return item;
    }

    /** Concatenates pieces of data. */
    static byte[] concat(Iterable<byte[]> pieces) {
        int size = 0;
        for (byte[] piece : pieces) {
            size += piece.length;
        }
        byte[] out = new byte[size];
        int at = 0;
        for (byte[] piece : pieces) {
            System.arraycopy(piece, 0, out, at, piece.length);
            at += piece.length;
        }
        return out;
    }

    /** A recognisable payload: byte i is {@code (seed + i) % 251}. */
    static byte[] pattern(int seed, int length) {
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            out[i] = (byte) ((seed + i) % 251);
        }
        return out;
    }

    static boolean samePattern(byte[] expected, byte[] actual) {
        return Arrays.equals(expected, actual);
    }
}
