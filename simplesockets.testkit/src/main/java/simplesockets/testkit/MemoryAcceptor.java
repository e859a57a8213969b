package simplesockets.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;
import simplesockets.impl.transport.Acceptor;
import simplesockets.impl.transport.Transport;

/** A listening in-memory endpoint with a bounded backlog, as a kernel's listen queue. */
final class MemoryAcceptor implements Acceptor {

    /** Put in the backlog to wake a blocked accept when the acceptor closes. */
    private static final MemoryTransport CLOSED = MemoryTransport.pair(
            new InetSocketAddress(0), new InetSocketAddress(0), 1)[1];

    private final InetSocketAddress address;
    private final BlockingQueue<MemoryTransport> backlog;
    private final Consumer<MemoryAcceptor> onClose;
    private volatile boolean open = true;

    MemoryAcceptor(InetSocketAddress address, int backlog, Consumer<MemoryAcceptor> onClose) {
        this.address = address;
        this.backlog = new ArrayBlockingQueue<>(Math.max(1, backlog) + 1);
        this.onClose = onClose;
    }

    /** Queues a connection's server end; {@code false} when the backlog is full or closed. */
    boolean offer(MemoryTransport serverEnd) {
        return open && backlog.offer(serverEnd);
    }

    @Override
    public Transport accept() throws IOException {
        try {
            MemoryTransport next = backlog.take();
            if (next == CLOSED || !open) {
                backlog.offer(CLOSED);
                throw new SocketException("Socket closed");
            }
            return next;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("accept interrupted");
        }
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public InetSocketAddress localAddress() {
        return address;
    }

    @Override
    public void close() {
        if (!open) {
            return;
        }
        open = false;
        onClose.accept(this);
        for (MemoryTransport waiting; (waiting = backlog.poll()) != null; ) {
            if (waiting != CLOSED) {
                waiting.reset();
            }
        }
        backlog.offer(CLOSED);
    }
}
