package simplesockets.impl;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.UnaryOperator;
import simplesockets.impl.transport.Acceptor;
import simplesockets.impl.transport.Network;
import simplesockets.impl.transport.Transport;

/**
 * Real sockets, with a hook around each accept: the way a test makes accepting fail (out of
 * descriptors, out of memory) or watches what was accepted.
 */
final class AcceptHook implements Network {

    /** What runs around one accept: it may throw before calling {@code accept}, or wrap what it returns. */
    @FunctionalInterface
    interface Around {
        Transport accept(Acceptor real) throws IOException;
    }

    /** What runs in place of each look at whether the listener is open. */
    @FunctionalInterface
    interface Looks {
        boolean isOpen(Acceptor real);
    }

    private final Around around;
    private final UnaryOperator<Transport> connected;
    private final Looks looks;

    /**
     * @param around    runs in place of each accept
     * @param connected wraps each client connection
     */
    AcceptHook(Around around, UnaryOperator<Transport> connected) {
        this(around, connected, Acceptor::isOpen);
    }

    private AcceptHook(Around around, UnaryOperator<Transport> connected, Looks looks) {
        this.around = around;
        this.connected = connected;
        this.looks = looks;
    }

    /** A network whose accepts go through {@code around}, with client connections as they are. */
    static Network around(Around around) {
        return new AcceptHook(around, t -> t);
    }

    /**
     * A network whose accept thread, once its listener is closed, lingers (ignoring interrupts) until
     * {@code release}, at most 15 s: the JDK's accept holding on to a closed listener. {@code accepting} is
     * counted down as it accepts, {@code lingering} once it lingers.
     */
    static Network lingeringOnceClosed(java.util.concurrent.CountDownLatch accepting,
            java.util.concurrent.CountDownLatch lingering, java.util.concurrent.CountDownLatch release) {
        return around(real -> {
            try {
                accepting.countDown();
                return real.accept();
            } catch (IOException e) {
                if (!real.isOpen()) {
                    lingering.countDown();
                    Peers.holdIgnoringInterrupts(release, java.time.Duration.ofSeconds(15));
                }
                throw e;
            }
        });
    }

    /** The same, with each look at whether the listener is open going through {@code looks}. */
    static Network around(Around around, Looks looks) {
        return new AcceptHook(around, t -> t, looks);
    }

    @Override
    public Acceptor bind(java.net.SocketAddress address, int backlog) throws IOException {
        Acceptor real = SocketNetwork.INSTANCE.bind(address, backlog);
        return new Acceptor() {
            @Override
            public Transport accept() throws IOException {
                return around.accept(real);
            }

            @Override
            public boolean isOpen() {
                return looks.isOpen(real);
            }

            @Override
            public InetSocketAddress localAddress() {
                return real.localAddress();
            }

            @Override
            public void close() throws IOException {
                real.close();
            }
        };
    }

    @Override
    public Transport connect(java.net.SocketAddress address, Duration timeout) throws IOException {
        return connected.apply(SocketNetwork.INSTANCE.connect(address, timeout));
    }
}
