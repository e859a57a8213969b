package simplesockets.impl;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import simplesockets.api.ConnectionStats;
import simplesockets.api.DisconnectReason;
import simplesockets.impl.jfr.JfrEvents;
import simplesockets.impl.jfr.ReaderStalledEvent;

/**
 * One connection's counters, for {@code stats()} and the flight recorder. No lock, and nothing
 * allocated per message: each counter is written by one thread at a time and read by anyone.
 *
 * <ul>
 *   <li>What the reader does (bytes and messages in, its stalls) is written by the reader only, in
 *       opaque mode: a plain store on the usual hardware, and never torn.</li>
 *   <li>Bytes out are written by whoever holds the write path's lock, one thread at a time, in opaque
 *       mode too; sends on the connection's own thread likewise. Only sends from other threads, which
 *       may race, take an atomic add.</li>
 *   <li>Received bytes waiting for polling are its {@link Credit}'s, which the event state's lock
 *       guards.</li>
 * </ul>
 * The write side's counters sit apart from the reader's ({@link WriteSide}), so that when the reader,
 * a poller and the writer are different threads they do not write to one cache line.
 *
 * <p>It also marks the connection's life for its server's or client's {@link Tally} and for the
 * recorder: {@link #opened()} and {@link #closed} on the connection's own thread.
 */
final class Meter {

    /** What held a reader back. */
    enum Bound {
        /** The connection's own received bytes waiting for polling reached their bound. */
        CONNECTION_QUEUE,
        /** The received bytes of all connections waiting for polling reached their bound. */
        ALL_QUEUES,
        /** A frame was arriving while all bytes in flight were at their bound. */
        BYTES_IN_FLIGHT,
        /** Polling under {@code DISCONNECT}: the replies waiting for the writer piled up with the received bytes. */
        PENDING_SENDS
    }

    private static final VarHandle BYTES_IN = handle(Meter.class, "bytesIn");
    private static final VarHandle MESSAGES_IN = handle(Meter.class, "messagesIn");
    private static final VarHandle MESSAGES_OUT = handle(Meter.class, "messagesOut");
    private static final VarHandle STALLS = handle(Meter.class, "stalls");
    private static final VarHandle STALL_NANOS = handle(Meter.class, "stallNanos");
    private static final VarHandle STALL_STARTED = handle(Meter.class, "stallStarted");
    private static final VarHandle REPORTED_STALL = handle(Meter.class, "reportedStallNanos");
    private static final VarHandle WRITES = handle(Meter.class, "writes", WriteSide.class);

    private final Tally tally;
    private final Link link;
    /** Made on the first write or queued send, so an idle connection holds none; see {@link #writes()}. */
    private volatile WriteSide writes;
    private long bytesIn;
    private long messagesIn;
    /** Sends on the connection's own thread (its reader's, but for a handler). */
    private long messagesOut;
    private long stalls;
    private long stallNanos;
    /** The largest stall time a snapshot gave; none gives less (a stall's end lags its total). Stats only. */
    private long reportedStallNanos;
    /** When the stall in progress began ({@link System#nanoTime()}, made odd), or 0. */
    private long stallStarted;
    // The reader's own, for the stall event:
    private ReaderStalledEvent stallEvent;
    private Bound stallBound;
    private long stallQueued;
    private long openedAt;
    /** Its share of the polling queue, in polling style; set once, before the connection runs. */
    private Credit credit;

    Meter(Tally tally, Link link) {
        this.tally = tally;
        this.link = link;
    }

    /** The bytes of one read; by the reader. */
    void read(int bytes) {
        BYTES_IN.setOpaque(this, bytesIn + bytes);
    }

    /** One piece handed to the application; by the reader. */
    void received() {
        MESSAGES_IN.setOpaque(this, messagesIn + 1);
    }

    /** Bytes written to the socket; by the thread that holds the write path's lock. */
    void wrote(int bytes) {
        WriteSide w = writes();
        WriteSide.BYTES.setOpaque(w, w.bytes + bytes);
    }

    /** One send written or gathered on the connection's own thread. */
    void sentOwn() {
        MESSAGES_OUT.setOpaque(this, messagesOut + 1);
    }

    /** One send from another thread queued for the writer; such senders may race. */
    void sentQueued() {
        WriteSide.QUEUED_SENDS.getAndAdd(writes(), 1L);
    }

    /** The connection's share of the polling queue, whose bytes are its queued bytes. */
    void watch(Credit credit) {
        this.credit = credit;
    }

    private long queuedBytes() {
        return credit == null ? 0 : credit.queuedData();
    }

    /** The reader waits because {@code bound} is reached; a wait in progress goes on. By the reader. */
    void stalled(Bound bound) {
        if (stallStarted != 0) {
            return;
        }
        stallBound = bound;
        stallQueued = queuedBytes();
        stallEvent = JfrEvents.stallBegan();
        STALLS.setOpaque(this, stalls + 1);
        STALL_STARTED.setRelease(this, System.nanoTime() | 1);
    }

    /** The reader reads on (or its connection ends): the stall in progress, if any, is over. By the reader. */
    void resumed() {
        long started = stallStarted;
        if (started == 0) {
            return;
        }
        if (stallEvent != null) { // committed first: once stats say "not stalled", the event is in
            JfrEvents.stallEnded(stallEvent, tally.side(), link.id(), link.remoteAddress(), stallBound.name(), stallQueued);
            stallEvent = null;
        }
        // Even, not zero: "ending", stored before the total, so that a snapshot that read the new total
        // sees the start changed when it reads it again, and never counts this stall both in the total
        // and as ongoing; and the end's time is read after it, later than any snapshot's that saw the
        // stall going on.
        STALL_STARTED.setOpaque(this, started - 1);
        VarHandle.fullFence();
        STALL_NANOS.setOpaque(this, stallNanos + (System.nanoTime() - started));
        STALL_STARTED.setRelease(this, 0L);
    }

    /** The connection's session begins, on its own thread. */
    void opened() {
        openedAt = System.nanoTime();
        tally.opened(link);
        JfrEvents.opened(tally.side(), link.id(), link.remoteAddress(), link.localAddress());
    }

    /** The connection was closed for good, on its own thread, and its end is {@code reason}. */
    void closed(DisconnectReason reason) {
        resumed();
        ConnectionStats last = tally.closed(link);
        JfrEvents.closed(tally.side(), link.id(), link.remoteAddress(), reason, System.nanoTime() - openedAt, last);
    }

    /** A send overflowed the pending bytes and this call cut the connection off; on the sender's thread. */
    void cutOff(int limit) {
        tally.slowConsumer();
        JfrEvents.slowConsumer(tally.side(), link.id(), link.remoteAddress(), limit, bytesOut());
    }

    /**
     * The figures now; any thread.
     *
     * @param pending the bytes of sends waiting for the writer
     */
    ConnectionStats snapshot(long pending) {
        long now = System.nanoTime(); // before the start is read: an ongoing stall's end comes later
        long started = (long) STALL_STARTED.getAcquire(this);
        long nanos = (long) STALL_NANOS.getOpaque(this);
        VarHandle.loadLoadFence();
        if ((started & 1) == 0 || (long) STALL_STARTED.getOpaque(this) != started) {
            // None, ending, or one that ended (or began) while this read: its time is in the total, or
            // soon will be. Not counted as ongoing, so never counted twice; the largest reported below
            // keeps a total that lags its end from going back.
            started = 0;
        }
        long stallTime = nanos + (started == 0 ? 0 : Math.max(0, now - started));
        for (long before = (long) REPORTED_STALL.getOpaque(this); ; before = (long) REPORTED_STALL.getOpaque(this)) {
            if (stallTime <= before) {
                stallTime = before;
                break;
            }
            if (REPORTED_STALL.weakCompareAndSet(this, before, stallTime)) {
                break;
            }
        }
        return ConnectionStats.builder()
                .bytesIn((long) BYTES_IN.getOpaque(this))
                .bytesOut(bytesOut())
                .messagesIn((long) MESSAGES_IN.getOpaque(this))
                .messagesOut((long) MESSAGES_OUT.getOpaque(this) + queuedSends())
                .queuedBytes(Math.max(0, queuedBytes()))
                .pendingBytes(Math.max(0, pending))
                .readerStalled(started != 0)
                .readerStalls((long) STALLS.getOpaque(this))
                .readerStallTime(Duration.ofNanos(stallTime))
                .build();
    }

    /** The write side's counters, made now by whichever writer or sender comes first. */
    private WriteSide writes() {
        WriteSide w = writes;
        if (w == null) {
            WriteSide made = new WriteSide();
            w = (WriteSide) WRITES.compareAndExchange(this, null, made);
            if (w == null) {
                w = made;
            }
        }
        return w;
    }

    private long bytesOut() {
        WriteSide w = writes;
        return w == null ? 0 : (long) WriteSide.BYTES.getOpaque(w);
    }

    private long queuedSends() {
        WriteSide w = writes;
        return w == null ? 0 : (long) WriteSide.QUEUED_SENDS.getOpaque(w);
    }

    private static VarHandle handle(Class<?> type, String field) {
        return handle(type, field, long.class);
    }

    private static VarHandle handle(Class<?> type, String field, Class<?> fieldType) {
        return VarHandles.field(MethodHandles.lookup(), type, field, fieldType);
    }

    /**
     * The counters the write side writes, on cache lines of their own: in the polling style the reader,
     * a poller that sends and the writer are three threads, and if their counters shared a line, each
     * count would cost the others a cache miss. The padding keeps other objects' fields off these
     * lines (the JVM lays out fields of one size in the order declared).
     */
    @SuppressWarnings("unused")
    private static final class WriteSide {
        static final VarHandle BYTES = handle(WriteSide.class, "bytes");
        static final VarHandle QUEUED_SENDS = handle(WriteSide.class, "queuedSends");

        private long p0, p1, p2, p3, p4, p5, p6, p7;
        /** Bytes written to the socket, under the write path's lock. */
        private long bytes;
        /** Sends from other threads, queued for the writer; they may race. */
        private long queuedSends;
        private long q0, q1, q2, q3, q4, q5, q6, q7;
    }
}
