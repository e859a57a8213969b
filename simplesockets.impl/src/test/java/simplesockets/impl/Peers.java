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
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import simplesockets.api.ServerEvent;
import simplesockets.api.ServerOptions;
import simplesockets.api.ServerState;
import simplesockets.api.TcpServer;

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

    /**
     * A plain server socket on 127.0.0.1 whose accepted sockets have a 16 KiB receive window, so a
     * client's sends back up quickly; its accept times out after {@link #WAIT}.
     */
    static java.net.ServerSocket narrowListener() throws IOException {
        java.net.ServerSocket listener = new java.net.ServerSocket();
        listener.setReceiveBufferSize(16 * 1024); // accepted sockets inherit it
        listener.bind(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0));
        listener.setSoTimeout((int) WAIT.toMillis());
        return listener;
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

    /** The tutorial's polling echo: sends every piece back, until the server is closed (or the thread interrupted). */
    static void echoUntilClosed(TcpServer server) {
        try {
            while (server.state() != ServerState.CLOSED) {
                for (ServerEvent.Received r : server.awaitReceived(Duration.ofMillis(50))) {
                    server.send(r.connection(), r.data());
                }
            }
        } catch (InterruptedException | IOException e) {
            // closed
        }
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

    /** The two kinds of thread a user may call from; sends must behave the same on both. */
    enum ThreadKind {
        PLATFORM, VIRTUAL;

        Thread.Builder builder() {
            return this == PLATFORM ? Thread.ofPlatform().daemon() : Thread.ofVirtual();
        }
    }

    /**
     * Runs {@code body} on a new thread of the given kind. The future completes with its result or
     * whatever it threw (an assertion failure included); wait on it with a timeout.
     */
    static <T> CompletableFuture<T> startOn(Thread.Builder builder, String name, Callable<T> body) {
        CompletableFuture<T> result = new CompletableFuture<>();
        builder.name(name).start(() -> {
            try {
                result.complete(body.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result;
    }

    /** What a test does with each piece it polls: answer it, say. */
    interface OnPiece {
        void accept(ServerEvent.Received piece) throws IOException;
    }

    /**
     * Polls a server until {@code total} bytes were received or {@link #WAIT} is over, handing each
     * piece to {@code each} too.
     *
     * @return the bytes received, in order: fewer than {@code total} if they did not come in time
     */
    static byte[] pollBytes(TcpServer server, int total, OnPiece each) throws IOException, InterruptedException {
        java.io.ByteArrayOutputStream received = new java.io.ByteArrayOutputStream();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (received.size() < total && System.nanoTime() < deadline) {
            for (ServerEvent.Received r : server.awaitReceived(Duration.ofMillis(100))) {
                received.writeBytes(r.data());
                each.accept(r);
            }
        }
        return received.toByteArray();
    }

    /**
     * Closes {@code server} and fails the test if {@code close()} took longer than its close timeout and a
     * second: its promised bound, with room for a loaded machine.
     */
    static void closeWithinItsBound(simplesockets.api.TcpServer server) {
        long started = System.nanoTime();
        server.close();
        long millis = (System.nanoTime() - started) / 1_000_000;
        org.junit.jupiter.api.Assertions.assertTrue(millis < server.options().closeTimeout().toMillis() + 1_000,
                "close took " + millis + " ms");
    }

    /**
     * Waits until a condition holds, checking it every millisecond, for at most {@code within}: for
     * state that offers no event to wait on (a server's state, a thread's state). Fails the test if the
     * condition does not hold in time.
     */
    /**
     * {@code client.connect()} on a platform thread, as a {@code main} method's (nothing interrupts its
     * waits): the future gets what it threw, or {@code null}.
     */
    static CompletableFuture<Exception> connectOnAPlatformThread(simplesockets.api.TcpClient client) {
        CompletableFuture<Exception> thrown = new CompletableFuture<>();
        connectOnAPlatformThread(client, thrown);
        return thrown;
    }

    /** The same, completing {@code thrown}; returns the thread, whose state a test may watch. */
    static Thread connectOnAPlatformThread(simplesockets.api.TcpClient client, CompletableFuture<Exception> thrown) {
        return Thread.ofPlatform().name("connecting").start(() -> {
            try {
                client.connect();
                thrown.complete(null);
            } catch (Exception e) {
                thrown.complete(e);
            }
        });
    }

    static void awaitCondition(BooleanSupplier condition, Duration within, Supplier<String> failure) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(failure.get() + " (waited " + within + ")");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /**
     * Whether a class is one a user can catch by type: from the JDK's {@code java.base} or from the
     * API module. On the class path our own classes are in the unnamed module; then the package tells.
     */
    static boolean isJdkOrApiType(Class<?> type) {
        Module module = type.getModule();
        if (module.isNamed()) {
            return module.getName().equals("java.base") || module.getName().equals("simplesockets.api");
        }
        String name = type.getName();
        return name.startsWith("java.") || name.startsWith("simplesockets.api.");
    }

    /** Reads and drops whatever arrives until the peer closes (end of stream or reset), for at most {@code within}. */
    static boolean drainsToClose(Socket socket, Duration within) throws IOException {
        long deadline = System.nanoTime() + within.toNanos();
        InputStream in = socket.getInputStream();
        byte[] sink = new byte[64 * 1024];
        while (true) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                return false;
            }
            socket.setSoTimeout((int) Math.max(1, left));
            try {
                if (in.read(sink) < 0) {
                    return true;
                }
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                return true; // reset
            }
        }
    }

    /**
     * What {@code body} wrote to standard error, where the tests' SLF4J binding logs, while still
     * writing it through. Tests run one class at a time, so nothing else writes meanwhile.
     */
    static synchronized String stderrOf(Runnable body) {
        java.io.PrintStream original = System.err;
        java.io.ByteArrayOutputStream copy = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(copy, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setErr(original);
        }
        String text = copy.toString(java.nio.charset.StandardCharsets.UTF_8);
        original.print(text);
        return text;
    }

    /**
     * Holds the calling thread until {@code release}, for at most {@code max}, ignoring interrupts, as a
     * callback or a JDK call that ignores its close would; the interrupt status is set again afterwards.
     */
    static void holdIgnoringInterrupts(java.util.concurrent.CountDownLatch release, Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        boolean interrupted = false;
        for (long left; (left = deadline - System.nanoTime()) > 0; ) {
            try {
                if (release.await(left, TimeUnit.NANOSECONDS)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
