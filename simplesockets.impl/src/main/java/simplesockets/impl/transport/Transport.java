package simplesockets.impl.transport;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import simplesockets.impl.time.Clock;

/**
 * One connected byte stream: the seam between the engine and the wire. Real sockets implement it
 * in the implementation; in-memory pipes implement it in the testkit. Everything above it (framing,
 * events, callbacks, shutdown) is the same engine for both.
 *
 * <p>One thread reads; any number of threads may write, one at a time (the engine holds a lock);
 * {@link #close()} may be called from any thread at any time and must wake a blocked reader and
 * writer.
 */
public interface Transport extends Closeable {

    /**
     * Reads at least one byte, blocking until some arrive.
     *
     * @param buffer where to put them
     * @param offset the first index to fill
     * @param length the most bytes to read, at least 1
     * @return the number of bytes read, or -1 at end of stream
     * @throws PeerResetException if the peer reset the connection
     * @throws IOException        if the transport is closed or reading fails
     */
    int read(byte[] buffer, int offset, int length) throws IOException;

    /**
     * Writes all the bytes, blocking while the peer does not read.
     *
     * @param buffer the bytes
     * @param offset the first index to write
     * @param length how many bytes
     * @throws IOException if the transport is closed or writing fails
     */
    void write(byte[] buffer, int offset, int length) throws IOException;

    /**
     * Sends end of stream to the peer; reading goes on.
     *
     * @throws IOException if the transport is closed
     */
    void shutdownOutput() throws IOException;

    /**
     * Stops reading: a blocked {@link #read} wakes, and reads return end of stream once what has
     * already arrived is read (or at once); writing goes on.
     *
     * @throws IOException if the transport is closed
     */
    void shutdownInput() throws IOException;

    /**
     * Ends reading for a graceful close, keeping what has already arrived: later reads take, without
     * waiting, what had arrived, then return end of stream. A read already under way may be left to
     * finish; then this returns {@code true}, and the caller calls {@link #shutdownInput()} a moment
     * later, which wakes that read if it still waits for data. This default shuts the input down at once.
     *
     * @param clock the owner's clock, for a transport that must bound its later reads itself
     * @return whether a read under way was left to finish
     * @throws IOException if the transport is closed
     */
    default boolean endInput(Clock clock) throws IOException {
        shutdownInput();
        return false;
    }

    /**
     * Once the input is ending ({@link #endInput(Clock)}), asks for the rest of a message the reader has begun
     * (the codec holds part of a frame or a line): the next read waits for more bytes instead of ending
     * the stream, for as long as the close's grace leaves the transport open. The reader asks before each
     * read it makes inside a message, whether or not the input is ending yet (a drain may begin just before
     * the read), and again after such a read returned end of stream; the end of the stream ends the asking.
     * The asking applies to the next read only. Only the reading thread calls this. This default cannot wait.
     *
     * @return whether the next read waits for more
     */
    default boolean awaitRest() {
        return false;
    }

    /**
     * Sets the TCP options a real socket has; an in-memory transport ignores them.
     *
     * @param tcpNoDelay whether to turn off Nagle's algorithm
     * @param keepAlive  whether to turn on TCP keep-alive
     * @param tuning     how keep-alive probes, when it is on; settings the platform lacks are skipped
     * @throws IOException if the transport is closed
     */
    void configure(boolean tcpNoDelay, boolean keepAlive, simplesockets.api.KeepAlive tuning) throws IOException;

    /**
     * Runs a TLS handshake over this connected transport and returns the secured transport, which
     * replaces this one. Blocks the calling thread (the connection's own) for at most the options'
     * handshake timeout (the engine closes this transport at the deadline).
     *
     * @param tls        the TLS settings
     * @param clientMode whether this side is the TLS client
     * @param peerHost   the host name the client connected to, for SNI and host-name verification; {@code null}
     *                   on a server
     * @param clock      the owner's clock, for the short bounded waits of closing a TLS connection
     * @return the secured transport
     * @throws IOException                   if the handshake fails or times out
     * @throws UnsupportedOperationException if this transport cannot run TLS
     */
    Transport startTls(simplesockets.api.TlsOptions tls, boolean clientMode, String peerHost, Clock clock)
            throws IOException;

    /**
     * Runs {@code first} (once) just before the connection closes, whoever closes it: this transport's
     * {@link #close()}, or a TLS engine layered on it after the alert of a failed handshake. A server
     * gives back a preparing connection's slot this way, before its peer can see the close. {@code null}
     * clears it. This default runs nothing: a transport whose closes all go through {@link #close()}
     * leaves it to the caller.
     *
     * @param first what to run, or {@code null}
     */
    default void beforeClose(Runnable first) {
    }

    /**
     * Closes both directions. Idempotent; wakes a blocked {@link #read} and {@link #write}.
     *
     * @throws IOException if closing fails
     */
    @Override
    void close() throws IOException;

    /**
     * Whether {@link #close()} may wait a moment (a TLS close_notify that a peer that does not read leaves
     * unwritten, within a short bound of its own), so that closing many at once is better done side by
     * side. This default never waits.
     *
     * @return whether closing may wait
     */
    default boolean closeMayWait() {
        return false;
    }

    /**
     * The peer's address.
     *
     * @return the remote address
     */
    InetSocketAddress remoteAddress();

    /**
     * This side's address.
     *
     * @return the local address
     */
    InetSocketAddress localAddress();
}
