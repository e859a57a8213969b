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
import java.util.Arrays;
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
 * <p>Reads adapt their size ({@link ReadBuffer}): small while the connection is quiet, up to 64 KiB
 * while the peer streams. A read longer than the configured receive size reaches the user in pieces
 * of at most that size (the codec splits it). While the callback handles the pieces of one such read, the
 * sends it makes on this thread are gathered ("corked") and written together when the last piece is
 * handled, so a stream costs one write per read, not one per piece. A send from any other thread
 * writes the gathered bytes first, so no send ever overtakes one that returned before it.
 *
 * <p>After a read that found data without waiting, the reader yields its carrier ({@link Turns}), so
 * that connections whose peers answer at once cannot starve the others.
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

    /** The most bytes gathered from callback sends before they are written anyway. */
    static final int MAX_CORK = 64 * 1024;

    private final long id;
    private final Transport transport;
    private final Codec codec;
    /** The configured receive size: the largest piece handed out. */
    private final int pieceSize;
    /** Only the reader touches it (under {@link #readLock}). */
    private final ReadBuffer reads;
    private final Turns turns = Turns.yielding();
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
    /** The reader thread while it hands out the pieces of one read to a callback, else null. */
    private volatile Thread corkedBy;
    /** Sends gathered while corked; guarded by {@link #writeLock}. */
    private byte[] cork;
    private int corked;

    Link(long id, Transport transport, Codec codec, int bufferSize, Mode mode, Sink sink, EventState<?> events,
            int creditLimit, Duration halfCloseGrace) {
        this.id = id;
        this.transport = transport;
        this.codec = codec;
        this.pieceSize = bufferSize;
        this.reads = new ReadBuffer(bufferSize);
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
            if (corkedBy == Thread.currentThread()) {
                gather(bytes);
            } else {
                flushCork();
                write(bytes, 0, bytes.length);
            }
        } catch (IOException e) {
            throw reason.get() == DisconnectReason.TIMED_OUT ? closed() : e;
        } finally {
            writeLock.unlock();
        }
    }

    /** Writes every byte; the caller holds the write lock. */
    private void write(byte[] bytes, int offset, int length) throws IOException {
        writeStarted = System.nanoTime() | 1;
        try {
            transport.write(bytes, offset, length);
        } finally {
            writeStarted = 0;
        }
    }

    /** Adds bytes to the cork, writing it first when they would not fit; the caller holds the write lock. */
    private void gather(byte[] bytes) throws IOException {
        if (corked + bytes.length > MAX_CORK) {
            flushCork();
            if (bytes.length >= MAX_CORK) {
                write(bytes, 0, bytes.length);
                return;
            }
        }
        int needed = corked + bytes.length;
        if (cork == null) {
            cork = new byte[Math.max(needed, 4096)];
        } else if (cork.length < needed) {
            cork = Arrays.copyOf(cork, Math.min(MAX_CORK, Math.max(needed, 2 * cork.length)));
        }
        System.arraycopy(bytes, 0, cork, corked, bytes.length);
        corked += bytes.length;
    }

    /** Writes the gathered bytes, if any; the caller holds the write lock. */
    private void flushCork() throws IOException {
        if (corked > 0) {
            int length = corked;
            corked = 0;
            write(cork, 0, length);
        }
    }

    /** Ends a corked stretch: the gathered bytes are written before the reader reads again. */
    private void uncork() throws IOException {
        corkedBy = null;
        writeLock.lock();
        try {
            if (reason.get() == null) {
                flushCork();
            } else {
                corked = 0;
            }
            if (cork != null && reads.size() <= pieceSize) {
                cork = null;
            }
        } finally {
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
        closeByUser();
    }

    /**
     * A disconnect the user asked for: sends that already returned but are still gathered go out
     * first (the reader's own, or, from another thread, when no write is in progress; like a send,
     * that waits while the peer's window is full), then the connection closes. The engines' own
     * shutdown calls {@link #close} instead, which never waits for the peer.
     *
     * @return whether this call decided the reason
     */
    boolean closeByUser() {
        try {
            if (corkedBy == Thread.currentThread()) {
                uncork();
            } else if (writeLock.tryLock()) {
                try {
                    if (reason.get() == null) {
                        flushCork();
                    }
                } finally {
                    writeLock.unlock();
                }
            }
        } catch (IOException e) {
            LOG.debug("Writing the last sends of connection {} failed", id, e);
        }
        return close(DisconnectReason.CLOSED_BY_US);
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
                long started = System.nanoTime();
                byte[] buffer = reads.array();
                int n = transport.read(buffer, 0, buffer.length);
                if (n > 0) {
                    turns.afterRead(System.nanoTime() - started, n == buffer.length);
                }
                if (n < 0) {
                    endOfStream = true;
                    codec.check();
                    codec.endOfStream();
                    return Optional.empty();
                }
                reads.filled(n, codec.feed(buffer, n));
            }
        } finally {
            readLock.unlock();
        }
    }

    /** Whether the calling thread is the reader, handing out a piece with more of the same read to come. */
    boolean corked() {
        return corkedBy == Thread.currentThread();
    }

    /** The size of the next read, for tests; read without the lock, which a blocked read holds. */
    int readSize() {
        return reads.size();
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
                if (reason.get() != null) {
                    return DisconnectReason.CLOSED_BY_US;
                }
                Optional<byte[]> piece = nextPiece();
                if (piece.isEmpty()) {
                    if (mode == Mode.QUEUE) {
                        events.awaitDrainedThenGrace(credit, halfCloseGrace);
                    }
                    return DisconnectReason.PEER_CLOSED;
                }
                boolean more = codec.hasNext();
                if (more && mode == Mode.CALLBACK) {
                    corkedBy = Thread.currentThread();
                }
                sink.received(this, piece.get());
                if (!more && corkedBy != null) {
                    uncork();
                }
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
