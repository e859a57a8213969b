package simplesockets.impl;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import simplesockets.api.Connection;
import simplesockets.api.DisconnectReason;
import simplesockets.api.Failure;
import simplesockets.impl.transport.PeerResetException;
import simplesockets.impl.transport.Transport;

/**
 * One connection, for a server or a client: the user's handle ({@link Connection}) and the read loop
 * that runs on the connection's own virtual thread.
 *
 * <p>Data path: transport read, then this connection's thread, then the codec, then the owner's
 * {@link Sink} (a callback or the event state). Sends take a per-connection {@link ReentrantLock}, so
 * that concurrent senders never interleave, and write every byte.
 *
 * <p>The disconnect reason is decided once: the first of {@link #disconnect()} (closed by us) or the
 * read loop's end wins, and only the connection's thread reports it, so it is reported exactly once.
 */
final class Link implements Connection {

    private static final Logger LOG = LoggerFactory.getLogger(Link.class);

    /** Where a link's data and failures go. Implemented by the server and client engines. */
    interface Sink {
        /** Hands over one piece of data. */
        void received(Link link, byte[] data);

        /** Records a caught exception. */
        void failed(Failure failure);

        /** Called once, on the thread that decided the disconnect, as the link starts closing. */
        void closing(Link link);
    }

    /** How this link is read. */
    enum Mode {
        /** The engine reads and hands data to callbacks; no backpressure needed beyond the callback. */
        CALLBACK,
        /** The engine reads and queues data for polling, bounded by credit. */
        QUEUE,
        /** A user handler reads with {@link #read()}. */
        HANDLER
    }

    private final long id;
    private final Transport transport;
    private final Codec codec;
    private final byte[] buffer;
    private final Mode mode;
    private final Sink sink;
    private final EventState<?> events;
    private final EventState.Credit credit = new EventState.Credit();
    private final int creditLimit;
    private final Duration halfCloseGrace;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final ReentrantLock readLock = new ReentrantLock();
    private final AtomicReference<DisconnectReason> reason = new AtomicReference<>();
    private volatile boolean endOfStream;
    /** When the write in progress began ({@link System#nanoTime()}), or 0 when none is. */
    private volatile long writeStarted;

    Link(long id, Transport transport, Codec codec, int bufferSize, Mode mode, Sink sink, EventState<?> events,
            int creditLimit, Duration halfCloseGrace) {
        this.id = id;
        this.transport = transport;
        this.codec = codec;
        this.buffer = new byte[bufferSize];
        this.mode = mode;
        this.sink = sink;
        this.events = events;
        this.creditLimit = creditLimit;
        this.halfCloseGrace = halfCloseGrace;
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return transport.remoteAddress();
    }

    @Override
    public InetSocketAddress localAddress() {
        return transport.localAddress();
    }

    @Override
    public boolean isOpen() {
        return reason.get() == null;
    }

    Mode mode() {
        return mode;
    }

    /** The transport, for tests of socket options. */
    Transport transport() {
        return transport;
    }

    /** Whether a read has returned end of stream. */
    boolean sawEndOfStream() {
        return endOfStream;
    }

    EventState.Credit credit() {
        return credit;
    }

    @Override
    public void send(byte[] data) throws IOException {
        Objects.requireNonNull(data, "data");
        byte[] bytes = codec.encode(data);
        writeLock.lock();
        try {
            if (reason.get() != null) {
                throw closed();
            }
            writeStarted = System.nanoTime() | 1;
            transport.write(bytes, 0, bytes.length);
        } catch (IOException e) {
            throw reason.get() == DisconnectReason.TIMED_OUT ? closed() : e;
        } finally {
            writeStarted = 0;
            writeLock.unlock();
        }
    }

    private IOException closed() {
        if (reason.get() == DisconnectReason.TIMED_OUT) {
            return new java.net.SocketTimeoutException("connection " + id + " to " + remoteAddress()
                    + " timed out: the peer stopped reading, or sent nothing for too long");
        }
        return new SocketException("connection " + id + " to " + remoteAddress() + " is closed");
    }

    /**
     * How long the write in progress has been blocked.
     *
     * @return nanoseconds, or 0 when no write is in progress
     */
    long writeBlockedNanos(long now) {
        long started = writeStarted;
        return started == 0 ? 0 : now - started;
    }

    @Override
    public void disconnect() {
        close(DisconnectReason.CLOSED_BY_US);
    }

    /**
     * Decides the reason (if not decided yet) and closes the transport, which wakes the reader.
     *
     * @return whether this call decided the reason
     */
    boolean close(DisconnectReason why) {
        boolean first = reason.compareAndSet(null, why);
        if (first) {
            sink.closing(this);
        }
        events.cancel(credit);
        try {
            transport.close();
        } catch (IOException e) {
            LOG.debug("Closing connection {} failed", id, e);
        }
        return first;
    }

    @Override
    public Optional<byte[]> read() throws IOException {
        if (mode != Mode.HANDLER) {
            throw new IllegalStateException("the server reads this connection; read() is for connection handlers");
        }
        try {
            return nextPiece();
        } catch (IOException e) {
            if (reason.get() != null) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** The next piece of data from the codec, reading the transport as needed; empty at end of stream. */
    private Optional<byte[]> nextPiece() throws IOException {
        readLock.lock();
        try {
            while (true) {
                byte[] piece = codec.next();
                if (piece != null) {
                    return Optional.of(piece);
                }
                codec.check();
                if (endOfStream) {
                    return Optional.empty();
                }
                int n = transport.read(buffer, 0, buffer.length);
                if (n < 0) {
                    endOfStream = true;
                    codec.check();
                    codec.endOfStream();
                    return Optional.empty();
                }
                codec.feed(buffer, n);
            }
        } finally {
            readLock.unlock();
        }
    }

    /**
     * The engine's read loop, for {@link Mode#CALLBACK} and {@link Mode#QUEUE}: reads until end of
     * stream or failure, handing each piece to the sink. In queue mode a half-closed peer's data is
     * left time to be drained and answered before the connection closes.
     *
     * @return the reason the loop ended; the caller passes it to {@link #finish}
     */
    DisconnectReason readLoop() {
        try {
            while (mode == Mode.CALLBACK || events.awaitReadPermit(credit, creditLimit)) {
                Optional<byte[]> piece = nextPiece();
                if (piece.isEmpty()) {
                    if (mode == Mode.QUEUE) {
                        events.awaitDrainedThenGrace(credit, halfCloseGrace);
                    }
                    return DisconnectReason.PEER_CLOSED;
                }
                sink.received(this, piece.get());
            }
            return DisconnectReason.CLOSED_BY_US;
        } catch (InterruptedException e) {
            return DisconnectReason.CLOSED_BY_US;
        } catch (IOException e) {
            return classify(e);
        }
    }

    /** Sorts an I/O exception into a disconnect reason; real failures are recorded too. */
    DisconnectReason classify(IOException e) {
        if (reason.get() != null || e instanceof InterruptedIOException && !(e instanceof SocketTimeoutException)) {
            return DisconnectReason.CLOSED_BY_US;
        }
        return switch (e) {
            case PeerResetException reset -> {
                LOG.debug("Connection {} from {} was reset by the peer", id, remoteAddress());
                yield DisconnectReason.RESET;
            }
            case SocketTimeoutException timeout -> {
                LOG.debug("Connection {} from {} was idle too long", id, remoteAddress());
                yield DisconnectReason.TIMED_OUT;
            }
            case ProtocolException protocol -> {
                sink.failed(new Failure.Protocol(remoteAddress(), protocol, Instant.now()));
                yield new DisconnectReason.Failed(protocol);
            }
            case EOFException eof -> {
                LOG.debug("Connection {} from {} ended inside a frame", id, remoteAddress());
                sink.failed(new Failure.Io(remoteAddress(), eof, Instant.now()));
                yield new DisconnectReason.Failed(eof);
            }
            default -> {
                LOG.debug("Connection {} from {} failed", id, remoteAddress(), e);
                sink.failed(new Failure.Io(remoteAddress(), e, Instant.now()));
                yield new DisconnectReason.Failed(e);
            }
        };
    }

    /**
     * Closes the link for good.
     *
     * @return the one reason to report: ours if {@link #disconnect()} came first, else {@code why}
     */
    DisconnectReason finish(DisconnectReason why) {
        close(why);
        return reason.get();
    }

    @Override
    public String toString() {
        return "Connection[id=" + id + ", remote=" + remoteAddress() + (isOpen() ? "" : ", closed") + "]";
    }
}
