package simplesockets.impl;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import simplesockets.api.Connection;
import simplesockets.api.ConnectionStats;
import simplesockets.api.DisconnectReason;
import simplesockets.impl.time.Clock;
import simplesockets.impl.transport.Transport;

/**
 * One connection, for a server or a client: the user's handle ({@link Connection}), composed of its
 * read side ({@link Reader}), its write path ({@link Outbound}) and its end.
 *
 * <p>Data path: transport, then {@link Reader} and codec, then {@link Delivery} (a callback, the
 * polling queue, or a handler's {@link #read()}). Sends: the connection's own thread writes
 * directly; any other thread queues ({@link Outbound}).
 *
 * <p>The end is decided once: the first of a failed read or write (whoever saw it), a timeout, the
 * user's {@link #disconnect()}, the engine's close, or the read loop's end wins. The deciding thread
 * tells the {@link LinkOwner} at once (so the registry and the client's state are true at once); the
 * connection's own thread reports the disconnect to {@link Delivery}, exactly once.
 */
final class Link implements Connection, Outbound.Ends {

    private static final Logger LOG = LoggerFactory.getLogger(Link.class);
    /** How long a finishing link waits for its writer after closing its socket (which fails a blocked write). */
    static final Duration WRITER_JOIN = Duration.ofSeconds(1);
    private static final Runnable NOTHING = () -> { };

    private final long id;
    private volatile boolean finished;
    private final Transport transport;
    private final ReadMode mode;
    private final LinkSettings settings;
    private final Codec codec;
    private final Reader reader;
    private final Outbound out;
    private final Delivery<?> delivery;
    private final LinkOwner owner;
    private final Clock clock;
    private final Credit credit;
    private final Meter meter;
    private final AttributeMap attributes = new AttributeMap();
    private final ReadLoop loop;
    private static final VarHandle REASON = VarHandles.field(MethodHandles.lookup(), "reason", DisconnectReason.class);
    /** Why it ended, once decided ({@link #decide}); a field, not an atomic reference: an object less per connection. */
    private volatile DisconnectReason reason;
    /** The connection's own thread (its reader or handler), once it runs. */
    private volatile Thread own;
    /** The thread recording the failure that ends this connection, while it does ({@link #decide}). */
    private volatile Thread deciding;
    /** Whether a graceful close asked this connection to finish the work in hand. */
    private volatile boolean draining;
    private volatile boolean peerEndedFirst; // its end of stream was read before the drain began
    /** Whether the user's disconnect decided the end, so that pending sends are written first. */
    private volatile boolean flushFirst;
    private volatile Clock.Timer linger;

    Link(long id, Transport transport, ReadMode mode, LinkSettings settings, Delivery<?> delivery, LinkOwner owner,
            Clock clock, Scope scope) {
        this.id = id;
        this.transport = transport;
        this.mode = mode;
        this.settings = settings;
        this.delivery = delivery;
        this.owner = owner;
        this.clock = clock;
        this.meter = new Meter(settings.tally(), this);
        this.credit = mode == ReadMode.QUEUE ? delivery.events().newCredit(meter) : null; // only polling queues data
        this.codec = settings.codec();
        // The reader and the writes count the bytes themselves: a counting wrapper around the transport
        // would be one more frame on the stack that every idle connection's thread keeps while it waits.
        this.reader = new Reader(transport, codec, clock, settings.pieceSize(), settings.budget(), meter, () -> !isOpen());
        this.out = new Outbound(new TimedWrites(transport, clock, meter), clock, scope, this,
                settings.maxPendingSendBytes(), settings.sendOverflow(), settings.budget());
        this.loop = mode == ReadMode.HANDLER ? null : new ReadLoop(this, mode, reader, out, delivery, credit, settings, clock);
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
    public Optional<InetSocketAddress> proxyAddress() {
        return transport instanceof ProxiedTransport proxied ? Optional.of(proxied.proxy()) : Optional.empty();
    }

    @Override
    public InetSocketAddress localAddress() {
        return transport.localAddress();
    }

    @Override
    public boolean isOpen() {
        return reason == null;
    }

    Transport transport() {
        return transport;
    }

    /** The reason its end was decided with, or {@code null} while it is open. */
    DisconnectReason decidedReason() {
        return reason;
    }

    Reader reader() {
        return reader;
    }

    Outbound out() {
        return out;
    }

    /** Called first on the connection's own thread: its sends write directly from now on, and it counts as open. */
    void own() {
        own = Thread.currentThread();
        meter.opened();
    }

    /** Whether the calling thread is this connection's own (its reader or handler, in a callback perhaps). */
    boolean onOwnThread() {
        return own == Thread.currentThread();
    }

    /**
     * Whether the calling thread is this connection's own, its writer, or the one recording the failure that
     * ends it (a sender that found it a slow consumer): in its {@code onFailure}, perhaps.
     */
    boolean onItsThreads() {
        Thread me = Thread.currentThread();
        return own == me || deciding == me || out.onWriterThread();
    }

    @Override
    public void send(byte[] data) throws IOException {
        byte[] bytes = codec.encode(Objects.requireNonNull(data, "data"));
        // Raw framing encodes nothing: a queued send keeps a copy, as the caller may reuse its array.
        sendFramed(bytes, bytes != data);
    }

    /** A send of framed bytes that nobody changes afterwards (a broadcast's): queued without another copy. */
    void sendShared(byte[] framed) throws IOException {
        sendFramed(framed, true);
    }

    private void sendFramed(byte[] bytes, boolean owned) throws IOException {
        if (reason != null) {
            throw closed();
        }
        if (!onOwnThread()) {
            out.sendQueued(owned ? bytes : bytes.clone());
            meter.sentQueued();
            return;
        }
        try {
            out.sendOwn(bytes);
            meter.sentOwn();
        } catch (IOException e) {
            if (reason != null) {
                throw closed();
            }
            writeFailed(e);
            throw Transports.shown(e);
        }
    }

    @Override
    public void disconnect() {
        closeByUser();
    }

    /**
     * The user's disconnect, decided now (sends fail from here on; returns whether this call decided): the sends
     * made before it are still written, within the linger bound, and then the connection's own thread closes it.
     */
    boolean closeByUser() {
        // Before deciding: the reader it wakes finishes at once and must see this. (If another end wins,
        // it closed the transport, so the flush fails at once, or it flushes anyway.)
        flushFirst = true;
        if (!decide(DisconnectReason.CLOSED_BY_US, NOTHING)) {
            return false;
        }
        linger = clock.schedule(settings.linger(), this::closeTransport);
        out.refuseNew(); // a sender waiting for room (SendOverflow.WAIT) hears of the end now
        // Once the queued sends are out: a TLS 1.2 engine answers the input's end with its own close_notify
        // and closes its output, which would cut them off. (The linger bound closes the transport anyway.)
        out.whenWritten(this::wakeReader);
        return true;
    }

    /** Why the connection ends when its handler returned: the peer's reset or end of stream, unless a drain caused it. */
    DisconnectReason handlerReturned() {
        return ReadFailures.handlerReturned(reader, drainEndedIt());
    }

    /** A graceful close: read no more than is already here, finish, then close. */
    void drain() {
        peerEndedFirst = reader.sawEndOfStream();
        draining = true;
        Transports.endInput(transport, clock, () -> {
            if (!reader.readingInsideMessage()) { // a reader waiting for the rest of a message is let finish it
                wakeReader();
            }
        });
    }

    /**
     * Ends the connection now: decides the reason if no one has (returns whether this call did), drops
     * pending sends, and closes the transport, which wakes the reader and any blocked writer.
     */
    boolean end(DisconnectReason why) {
        return end(why, NOTHING);
    }

    /** {@link #end(DisconnectReason)}; if this call decides, {@code ifDecided} runs before anything wakes the reporter. */
    boolean end(DisconnectReason why, Runnable ifDecided) {
        boolean first = decide(why, ifDecided);
        out.close();
        closeTransport();
        return first;
    }

    private boolean decide(DisconnectReason why, Runnable ifDecided) {
        if (!REASON.compareAndSet(this, null, why)) {
            return false;
        }
        owner.ending(this); // first, so that the state is true for the failure's onFailure too
        deciding = Thread.currentThread();
        try {
            ifDecided.run(); // before the wake-ups below: a parked reader reports the end only after it
        } finally {
            deciding = null;
        }
        owner.ended(this);
        if (credit != null) {
            delivery.events().cancel(credit);
        }
        settings.budget().wake();
        return true;
    }

    /** Wakes a reader blocked in the transport with end of stream, leaving the writing side open. */
    private void wakeReader() {
        try {
            transport.shutdownInput();
        } catch (IOException e) {
            LOG.debug("Shutting down the input of connection {} failed; closing it", id, e);
            closeTransport();
        }
    }

    private void closeTransport() {
        Transports.closeQuietly(transport);
    }

    /**
     * Closes the link for good, on its own thread, once its loop or handler ended: sends made
     * before a user's disconnect or a graceful close, or before the peer closed, are written first.
     *
     * @return the one reason to report
     */
    DisconnectReason finish(DisconnectReason why) {
        decide(why, NOTHING);
        DisconnectReason decided = reason;
        if (flushFirst || decided instanceof DisconnectReason.PeerClosed || draining) {
            Linger.lastSends(out, id, decided instanceof DisconnectReason.PeerClosed && settings.servesHalfClosed(),
                    draining, settings.linger());
        }
        out.close();
        closeTransport();
        if (!out.joinWriter(WRITER_JOIN)) {
            LOG.warn("The writer of connection {} did not stop within {} of its close", id, WRITER_JOIN);
        }
        Optional.ofNullable(linger).ifPresent(Clock.Timer::cancel);
        // An ended connection holds no buffers, however long its events or its user keep it.
        reader.release();
        out.release();
        meter.closed(decided);
        finished = true; // before the owner is told: see Registry#remove
        owner.finished(this);
        return decided;
    }

    /** Whether {@link #finish} is over: the link's thread is past its last write. */
    boolean isFinished() {
        return finished;
    }

    @Override
    public ConnectionStats stats() {
        return meter.snapshot(out.pendingBytes());
    }

    @Override
    public AttributeMap attributes() {
        return attributes;
    }

    @Override
    public Optional<byte[]> read() throws IOException {
        if (mode != ReadMode.HANDLER) {
            throw new IllegalStateException("the server reads this connection; read() is for connection handlers");
        }
        try {
            return reader.next(); // empty once the connection ended, too: the reader drops what it read after
        } catch (IOException e) {
            if (reason != null || draining) {
                return Optional.empty();
            }
            end(readFailed(e)); // at once, recorded once, whatever the handler then does with the failure
            throw Transports.shown(e); // a reset as a JDK type: the reader keeps it (handlerReturned, readFailed)
        }
    }

    /** The read loop of callbacks and polling, for the own thread; made with the link, so a parked reader holds no more. */
    ReadLoop loop() {
        return loop;
    }

    /** Whether a graceful close ended this connection: it asked to finish the work in hand before the peer closed. */
    boolean drainEndedIt() {
        return draining && !peerEndedFirst;
    }

    /** Sorts a failed read into a reason and decides the end with it; then records a real failure, so onFailure sees the end. */
    DisconnectReason readFailed(IOException e) {
        ReadFailures.Sorted sorted = ReadFailures.readFailed(e, reason != null || draining, reader, this, delivery);
        if (sorted.failure() != null) {
            decide(sorted.reason(), () -> delivery.failed(sorted.failure()));
        }
        return sorted.reason();
    }

    @Override
    public void writeFailed(IOException e) {
        SendFailures.writeFailed(this, e, delivery);
    }

    @Override
    public IOException overflowed(int limit) {
        return SendFailures.overflowed(this, limit, delivery, meter);
    }

    @Override
    public IOException closed() {
        return SendFailures.closed(this, reason);
    }

    @Override
    public String toString() {
        return "Connection[id=" + id + ", remote=" + remoteAddress() + (isOpen() ? "" : ", closed") + "]";
    }
}
