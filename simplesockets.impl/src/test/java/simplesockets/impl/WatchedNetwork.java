package simplesockets.impl;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import simplesockets.impl.transport.Acceptor;
import simplesockets.impl.transport.Network;
import simplesockets.impl.transport.Transport;

/**
 * Real sockets ({@link SocketNetwork}), watched: counts the transport reads and writes in progress, and
 * the inputs asked to end.
 * The idle timeout counts only while a read waits in the transport, and the write timeout only while
 * a write is in it, so a test on a {@link simplesockets.impl.time.SteppedClock} waits for the read or
 * write to be there before it moves the clock (the engine notes the time just before it calls the
 * transport, so once the transport sees the call, the count has begun).
 */
final class WatchedNetwork implements Network {

    private final AtomicInteger reading = new AtomicInteger();
    private final AtomicInteger writing = new AtomicInteger();
    private final AtomicInteger begun = new AtomicInteger();
    private final AtomicInteger inputsEnding = new AtomicInteger();
    private final AcceptHook sockets = new AcceptHook(real -> watch(real.accept()), this::watch);

    /** How many reads wait in a transport of this network now. */
    int readsInProgress() {
        return reading.get();
    }

    /** How many transports of this network were asked to end their input (a graceful close's drain). */
    int inputsEnding() {
        return inputsEnding.get();
    }

    /** How many writes are in a transport of this network now. */
    int writesInProgress() {
        return writing.get();
    }

    /** How many writes to a transport of this network have begun so far. */
    int writesBegun() {
        return begun.get();
    }

    @Override
    public Acceptor bind(java.net.SocketAddress address, int backlog) throws IOException {
        return sockets.bind(address, backlog);
    }

    @Override
    public Transport connect(java.net.SocketAddress address, Duration timeout) throws IOException {
        return sockets.connect(address, timeout);
    }

    /** The transport as it is, but for the counts of reads and writes under way; a TLS handshake ends the watch. */
    private Transport watch(Transport real) {
        return new ForwardingTransport(real) {
            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                reading.incrementAndGet();
                try {
                    return real.read(buffer, offset, length);
                } finally {
                    reading.decrementAndGet();
                }
            }

            @Override
            public void write(byte[] buffer, int offset, int length) throws IOException {
                writing.incrementAndGet();
                begun.incrementAndGet();
                try {
                    real.write(buffer, offset, length);
                } finally {
                    writing.decrementAndGet();
                }
            }

            @Override
            public boolean endInput(simplesockets.impl.time.Clock clock) throws IOException {
                inputsEnding.incrementAndGet();
                return real.endInput(clock);
            }

            @Override
            public String toString() {
                return "Watched[" + real + "]";
            }
        };
    }
}
