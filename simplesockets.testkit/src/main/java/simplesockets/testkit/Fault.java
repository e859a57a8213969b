package simplesockets.testkit;

import java.time.Duration;
import java.util.Objects;

/**
 * A fault the in-memory network injects into one connection, as a real network or a misbehaving
 * peer would. Apply it to a live connection with {@link Wire#apply(Fault)}, or queue it for the next
 * connection with {@link LoopbackNetwork#faultNextConnection(Fault...)}.
 *
 * <p>A fault queued with {@code faultNextConnection} acts from the connection's first byte, so its
 * effect is the same every run. One applied to a live connection acts from the moment it is applied,
 * and which bytes it meets then depends on how far the engine's reader and writer got: {@link Fragment}
 * and {@link Stall} act as bytes are read, so they also meet bytes already in the pipe; {@link Delay}
 * holds back only bytes written after it. To fault a live connection at a known point, first wait for
 * that point ({@link Wire#awaitReading}, a received event).
 *
 * {@snippet :
 * Wire wire = network.takeWire(Duration.ofSeconds(1)).orElseThrow();
 * wire.apply(new Fault.Fragment(Direction.CLIENT_TO_SERVER, 1)); // the server reads one byte at a time
 * wire.apply(new Fault.Reset());                                 // both sides see a reset
 * }
 */
public sealed interface Fault {

    /**
     * Resets the connection: bytes in flight are discarded, and both sides' next read or write fails
     * with a reset (their disconnect reason is {@code Reset}).
     */
    record Reset() implements Fault {
    }

    /**
     * Closes the connection: both directions end after the bytes already in flight, so both sides
     * read end of stream (their disconnect reason is {@code PeerClosed}). As over TCP, the first write
     * after it is taken and dropped, so one reply sent after the close is no failure, and a later write
     * fails as a broken pipe (the peer's reset answered the first), so a sender that goes on learns the
     * peer is gone: a side that writes twice before it ends ends with {@code Reset} instead.
     */
    record Close() implements Fault {
    }

    /**
     * Ends one direction after the bytes already in flight, as the sending side's
     * {@code shutdownOutput()} would: its reader sees end of stream, and further writes in that
     * direction fail.
     *
     * @param direction the direction to end
     */
    record HalfClose(Direction direction) implements Fault {
        /** Checks the direction. */
        public HalfClose {
            Objects.requireNonNull(direction, "direction");
        }
    }

    /**
     * Stops delivering bytes in one direction until {@link Wire#release(Direction)}. Writes go on until
     * the direction's buffer is full, then block, as over a stalled TCP connection.
     *
     * @param direction the direction to stall
     */
    record Stall(Direction direction) implements Fault {
        /** Checks the direction. */
        public Stall {
            Objects.requireNonNull(direction, "direction");
        }
    }

    /**
     * Delivers bytes in one direction in pieces of at most {@code bytes}, so every read returns at
     * most that many: a frame split at every odd place.
     *
     * @param direction the direction
     * @param bytes     the largest piece; at least 1
     */
    record Fragment(Direction direction, int bytes) implements Fault {
        /** Checks the components. */
        public Fragment {
            Objects.requireNonNull(direction, "direction");
            if (bytes < 1) {
                throw new IllegalArgumentException("bytes must be at least 1: " + bytes);
            }
        }
    }

    /**
     * Delays every write in one direction, from now on, by {@code delay} before its reader can see it.
     * Order is kept. On a network with a {@link ManualClock}, the delay counts the clock's time: the
     * bytes arrive when the clock is advanced past it, not before.
     *
     * @param direction the direction
     * @param delay     the delay; not negative
     */
    record Delay(Direction direction, Duration delay) implements Fault {
        /** Checks the components. */
        public Delay {
            Objects.requireNonNull(direction, "direction");
            Objects.requireNonNull(delay, "delay");
            if (delay.isNegative()) {
                throw new IllegalArgumentException("delay must not be negative: " + delay);
            }
        }
    }
}
