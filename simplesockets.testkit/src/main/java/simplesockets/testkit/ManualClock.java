package simplesockets.testkit;

import java.time.Duration;
import java.time.Instant;
import simplesockets.impl.time.SteppedClock;

/**
 * Time that moves only when a test moves it. Give it to a {@link LoopbackNetwork}
 * ({@link LoopbackNetwork#LoopbackNetwork(ManualClock)}), and every server and client made there
 * measures its idle and write timeouts, PROXY protocol header timeouts, half-close and graceful-close
 * graces, and accept and reconnect back-offs on it:
 *
 * {@snippet :
 * ManualClock clock = new ManualClock();
 * try (LoopbackNetwork network = new LoopbackNetwork(clock)) {
 *     TcpServer server = network.server(ServerOptions.builder().port(0)
 *             .idleTimeout(Duration.ofSeconds(30)).build());
 *     server.start();
 *     RawPeer peer = network.dial(server.localAddress().orElseThrow()); // a client that stays silent
 *     peer.wire().awaitReading(Direction.CLIENT_TO_SERVER, Duration.ofSeconds(5)); // the server reads: idle counts
 *     clock.advance(Duration.ofSeconds(38)); // past 30 s and the check after it: the connection closes
 * }
 * }
 *
 * <p>Idle and write timeouts are checked every quarter of the shortest one (at least every 10 ms), so
 * a timeout fires between its time and a quarter after it; advance past both. Idle time counts from
 * the moment the server's read begins (or its last write ends, if later), which its own thread does
 * when it gets to it: wait for that with
 * {@link Wire#awaitReading} before a step that must close the connection.
 *
 * <p>{@link #advance} runs the timers that come due on the calling thread, in order, so that what they
 * do (closing a connection, say) has been done, or at least begun, when it returns; a timer's work can
 * take real time on the calling thread (closing the connections an idle check found). A back-off or
 * delay that a thread of the engine sleeps on this clock (a reconnect's or the accept loop's back-off)
 * is different: the step wakes that thread, which then does its work (the next connect attempt, say)
 * on its own, after {@code advance} may have returned. Wait for what it does by its event
 * ({@code awaitEvent}, a callback's latch), not by the step. Thread-safe.
 */
public final class ManualClock {

    private final SteppedClock clock = new SteppedClock();

    /** A clock at zero, whose wall time starts now. */
    public ManualClock() {
    }

    /**
     * Moves time forward, running every timer that comes due on the way, on the calling thread, and
     * waking every thread that sleeps until a time on the way (see above: their work follows on their
     * own threads).
     *
     * @param step how far; not negative
     * @throws IllegalArgumentException if {@code step} is negative
     */
    public void advance(Duration step) {
        clock.advance(step);
    }

    /**
     * How far the clock has been advanced.
     *
     * @return the time since the clock was made, on this clock
     */
    public Duration elapsed() {
        return Duration.ofNanos(clock.nanoTime());
    }

    /**
     * The wall time on this clock: its creation time plus {@link #elapsed()}. Events of servers and
     * clients on this clock carry it.
     *
     * @return now, on this clock
     */
    public Instant now() {
        return clock.now();
    }

    /**
     * Waits, in real time, until at least {@code count} threads wait on this clock (a reconnect or
     * accept back-off, for example), so that a test knows the wait has begun before it advances past
     * it. Blocks the calling thread.
     *
     * @param count   how many waiting threads
     * @param timeout the longest real wait; zero looks once without waiting
     * @return whether that many were waiting in time
     * @throws InterruptedException if the calling thread is interrupted
     */
    public boolean awaitWaiters(int count, Duration timeout) throws InterruptedException {
        return clock.awaitSleepers(count, timeout);
    }

    SteppedClock stepped() {
        return clock;
    }

    @Override
    public String toString() {
        return "ManualClock[" + elapsed() + "]";
    }
}
