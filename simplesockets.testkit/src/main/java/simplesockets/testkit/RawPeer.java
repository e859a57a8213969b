package simplesockets.testkit;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * A raw client end of an in-memory connection that the test drives by hand, as a plain
 * {@link java.net.Socket} would be over TCP: write bytes, read bytes, half-close, close. Make one
 * with {@link LoopbackNetwork#dial(java.net.InetSocketAddress)}.
 *
 * <p>One thread reads at a time; writes may come from any thread.
 */
public final class RawPeer implements AutoCloseable {

    private final Wire wire;
    private final MemoryTransport end;

    RawPeer(Wire wire) {
        this.wire = wire;
        this.end = wire.clientEnd();
    }

    /**
     * The connection this peer is the client end of.
     *
     * @return the wire, for faults and recorded traffic
     */
    public Wire wire() {
        return wire;
    }

    /** How long {@link #send(byte[])} waits for room at most. */
    public static final Duration SEND_WAIT = Duration.ofSeconds(30);

    /**
     * Writes all the bytes, blocking while the server does not read and the pipe is full, for at most
     * {@link #SEND_WAIT} (30 s), so a test never waits for good by mistake: {@link #send(byte[], Duration)}
     * with that bound.
     *
     * @param data the bytes
     * @throws java.net.SocketTimeoutException if the bytes did not all fit in time
     * @throws IOException                     if the connection is closed or reset
     */
    public void send(byte[] data) throws IOException {
        send(data, SEND_WAIT);
    }

    /**
     * Writes all the bytes, blocking while the server does not read and the pipe is full (or its direction
     * is stalled), for at most {@code timeout} in all. As over TCP, the first write after the server closed
     * its end is taken and dropped; a later one fails.
     *
     * @param data    the bytes
     * @param timeout the longest wait for room, in real time; positive
     * @throws java.net.SocketTimeoutException if the bytes did not all fit in time; those that did stay
     *                                         in the pipe, and the connection stays open
     * @throws java.io.InterruptedIOException  if the thread is interrupted while it waits
     * @throws IOException                     if the connection is closed or reset
     * @throws IllegalArgumentException        if {@code timeout} is not positive
     */
    public void send(byte[] data, Duration timeout) throws IOException {
        Objects.requireNonNull(data, "data");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, not " + timeout);
        }
        try {
            end.write(data, 0, data.length, Waits.nanos(timeout));
        } catch (IOException e) {
            throw shown(e);
        }
    }

    /**
     * Reads what has arrived, up to 64 KiB, waiting up to the timeout.
     *
     * @param timeout the longest wait, in real time; zero looks once without waiting
     * @return the bytes, or empty at end of stream
     * @throws java.net.SocketTimeoutException if nothing came in time
     * @throws java.io.InterruptedIOException  if the thread is interrupted while it waits
     * @throws IOException                     if the connection was reset or closed here
     */
    public Optional<byte[]> read(Duration timeout) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        int n;
        try {
            n = end.read(buffer, timeout);
        } catch (IOException e) {
            throw shown(e);
        }
        return n < 0 ? Optional.empty() : Optional.of(Arrays.copyOf(buffer, n));
    }

    /** What a test sees of a failure: a JDK type, as over a real socket, never the transport seam's own. */
    private static IOException shown(IOException e) {
        if (!(e instanceof simplesockets.impl.transport.PeerResetException)) {
            return e;
        }
        java.net.SocketException reset = new java.net.SocketException(e.getMessage());
        reset.initCause(e);
        return reset;
    }

    /**
     * Reads and discards until the connection ends: the server's end of stream, a reset, or this end's
     * own {@link #close()} or {@link #reset()}, which end it too.
     *
     * @param timeout the longest wait, in real time; zero looks once without waiting
     * @return {@code true} if the connection ended in time, {@code false} if it stayed open (or the
     *         waiting thread was interrupted; its interrupt status is then set)
     */
    public boolean awaitClosed(Duration timeout) {
        long deadline = System.nanoTime() + Waits.nanos(timeout);
        byte[] buffer = new byte[64 * 1024];
        try {
            while (true) {
                long left = Math.max(0, deadline - System.nanoTime()); // zero still looks once
                if (end.read(buffer, Duration.ofNanos(left)) < 0) {
                    return true;
                }
                if (left == 0) {
                    return false; // bytes still coming at the deadline
                }
            }
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (java.io.InterruptedIOException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /** Sends end of stream to the server; reading goes on. */
    public void shutdownOutput() {
        end.shutdownOutput();
    }

    /**
     * Closes this end: the server reads end of stream after what is in flight, or, if bytes the server
     * sent are still unread here, the connection is reset, as a kernel does.
     */
    @Override
    public void close() {
        end.close();
    }

    /** Resets the connection, as a socket closed with {@code SO_LINGER} 0 does. */
    public void reset() {
        wire.apply(new Fault.Reset());
    }

    @Override
    public String toString() {
        return "RawPeer[" + wire + "]";
    }
}
