package simplesockets.testkit;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One in-memory connection, seen from the network: the two directions between a client and a
 * server. Inject {@linkplain Fault faults} into it, and read back what each side wrote with
 * {@link #take(Direction, Duration)}.
 *
 * <p>Thread-safe. Get wires from {@link LoopbackNetwork#takeWire(Duration)} (in the order
 * connections were made) or from {@link RawPeer#wire()}.
 */
public final class Wire {

    private final InetSocketAddress client;
    private final InetSocketAddress server;
    private final Pipe toServer;
    private final Pipe toClient;
    private final MemoryTransport clientEnd;
    private final MemoryTransport serverEnd;

    Wire(InetSocketAddress client, InetSocketAddress server, int capacity) {
        this(client, server, capacity, null);
    }

    /** A connection whose delays count {@code clock}'s time ({@code null}: real time). */
    Wire(InetSocketAddress client, InetSocketAddress server, int capacity, simplesockets.impl.time.Clock clock) {
        this(client, server, capacity, clock, true);
    }

    /** @param recorded whether what each side writes is recorded for {@link #take}: not where no test can take it */
    Wire(InetSocketAddress client, InetSocketAddress server, int capacity, simplesockets.impl.time.Clock clock,
            boolean recorded) {
        this.client = client;
        this.server = server;
        this.toServer = new Pipe(capacity, clock, recorded);
        this.toClient = new Pipe(capacity, clock, recorded);
        this.clientEnd = new MemoryTransport(toClient, toServer, client, server);
        this.serverEnd = new MemoryTransport(toServer, toClient, server, client);
    }

    MemoryTransport clientEnd() {
        return clientEnd;
    }

    MemoryTransport serverEnd() {
        return serverEnd;
    }

    /**
     * The client's address.
     *
     * @return the address the server sees as remote
     */
    public InetSocketAddress clientAddress() {
        return client;
    }

    /**
     * The server's address.
     *
     * @return the address the client connected to
     */
    public InetSocketAddress serverAddress() {
        return server;
    }

    private Pipe pipe(Direction direction) {
        return switch (Objects.requireNonNull(direction, "direction")) {
            case CLIENT_TO_SERVER -> toServer;
            case SERVER_TO_CLIENT -> toClient;
        };
    }

    /**
     * Injects a fault now, racing whatever the connection's two ends are doing at that moment (see
     * {@link Fault}); for a fault from the first byte, use {@link LoopbackNetwork#faultNextConnection}.
     *
     * @param fault what to do to the connection
     */
    public void apply(Fault fault) {
        switch (Objects.requireNonNull(fault, "fault")) {
            case Fault.Reset r -> Pipe.resetBoth(toServer, toClient);
            case Fault.Close c -> Pipe.endBoth(toServer, toClient);
            case Fault.HalfClose h -> pipe(h.direction()).end();
            case Fault.Stall s -> pipe(s.direction()).stall(true);
            case Fault.Fragment f -> pipe(f.direction()).fragment(f.bytes());
            case Fault.Delay d -> pipe(d.direction()).delay(d.delay());
        }
    }

    /**
     * Ends a {@link Fault.Stall}: bytes held back are delivered, in order.
     *
     * @param direction the stalled direction
     */
    public void release(Direction direction) {
        pipe(direction).stall(false);
    }

    /**
     * Waits until the far end of one direction is blocked in a read that waits for bytes: a server's
     * connection whose idle time is counting, for instance, for {@link Direction#CLIENT_TO_SERVER}. On a
     * {@link ManualClock}, idle time counts from the moment a read begins, so a test waits for this before
     * it advances past an idle timeout; otherwise the step may come before the read and close nothing.
     *
     * @param direction which side's reads: the server's for {@link Direction#CLIENT_TO_SERVER}
     * @param timeout   the longest wait, in real time; zero looks once without waiting
     * @return whether a read waited within the timeout
     * @throws InterruptedException if the waiting thread is interrupted
     */
    public boolean awaitReading(Direction direction, Duration timeout) throws InterruptedException {
        return pipe(direction).awaitReaderWaiting(timeout);
    }

    /**
     * Waits until the far end of one direction begins to end its input: a graceful close
     * ({@code close(grace)}) reached that connection, which from now on reads what had arrived (and the
     * rest of a message it began), then ends. A test waits for this before it plays what a peer does
     * during the drain.
     *
     * @param direction which side's input: the server's for {@link Direction#CLIENT_TO_SERVER}
     * @param timeout   the longest wait, in real time; zero looks once without waiting
     * @return whether the input began to end within the timeout
     * @throws InterruptedException if the waiting thread is interrupted
     */
    public boolean awaitInputEnding(Direction direction, Duration timeout) throws InterruptedException {
        return pipe(direction).awaitInputEnding(Objects.requireNonNull(timeout, "timeout"));
    }

    /**
     * Takes the oldest write recorded in one direction, exactly as the sender's transport wrote it.
     * A send and its framing header always go out in one write, but several sends may go out in one:
     * a connection's writer gathers the sends queued from other threads (up to 64 KiB), and the sends
     * made in one callback are gathered until it returns; so compare bytes rather than count writes.
     * Older writes are dropped first once the record passes 64 KiB per direction (each write counted
     * with 32 bytes more, for its keeping), but the newest write is always kept whole, however large.
     * A write is recorded when it is made, so the record also holds writes that did not all arrive: one
     * still blocked on a full pipe, one a {@link Fault.Close} or {@link Fault.Reset} cut short, and the
     * first write after a close, which is taken and dropped as over TCP.
     *
     * @param direction which side's writes
     * @param timeout   the longest wait, in real time; zero looks once without waiting
     * @return the bytes of one write, or empty if none came in time
     * @throws InterruptedException if the waiting thread is interrupted
     */
    public Optional<byte[]> take(Direction direction, Duration timeout) throws InterruptedException {
        return pipe(direction).take(Objects.requireNonNull(timeout, "timeout"));
    }

    /**
     * How many recorded writes were dropped because the record was full.
     *
     * @param direction which side's writes
     * @return the count
     */
    public long droppedRecords(Direction direction) {
        return pipe(direction).droppedRecords();
    }

    @Override
    public String toString() {
        return "Wire[" + client + " -> " + server + "]";
    }
}
