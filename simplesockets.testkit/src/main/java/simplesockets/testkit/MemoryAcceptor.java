package simplesockets.testkit;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;
import simplesockets.impl.transport.Acceptor;
import simplesockets.impl.transport.Transport;

/** A listening in-memory endpoint with a bounded backlog, as a kernel's listen queue. */
final class MemoryAcceptor implements Acceptor {

    /** The longest listen queue, as Linux caps one (its somaxconn can be at most this). */
    static final int MAX_BACKLOG = 65_535;

    /** Put in the backlog to wake a blocked accept when the acceptor closes. */
    private static final Wire CLOSED = new Wire(new InetSocketAddress(0), new InetSocketAddress(0), 1);

    private final InetSocketAddress address;
    private final BlockingQueue<Wire> backlog;
    private final Consumer<MemoryAcceptor> onClose;
    private final java.util.concurrent.locks.ReentrantLock lock = new java.util.concurrent.locks.ReentrantLock();
    private volatile boolean open = true;

    MemoryAcceptor(InetSocketAddress address, int backlog, Consumer<MemoryAcceptor> onClose) {
        this.address = address;
        // The kernel caps a listen queue (somaxconn); made as it fills, so a large backlog costs nothing up front.
        this.backlog = new java.util.concurrent.LinkedBlockingQueue<>(Math.min(Math.max(1, backlog), MAX_BACKLOG) + 1);
        this.onClose = onClose;
    }

    /** Queues a new connection; {@code false} when the backlog is full or the acceptor closed. */
    boolean offer(Wire wire) {
        lock.lock();
        try {
            return open && backlog.offer(wire);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Transport accept() throws IOException {
        try {
            Wire next = backlog.take();
            if (next == CLOSED || !open) {
                if (next != CLOSED) {
                    next.apply(new Fault.Reset());
                }
                backlog.offer(CLOSED);
                throw new SocketException("Socket closed");
            }
            return next.serverEnd();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("accept interrupted");
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

    /** Stops listening; connections still in the backlog are reset, as the kernel does. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (!open) {
                return;
            }
            open = false;
        } finally {
            lock.unlock();
        }
        onClose.accept(this);
        for (Wire waiting; (waiting = backlog.poll()) != null; ) {
            if (waiting != CLOSED) {
                waiting.apply(new Fault.Reset());
            }
        }
        backlog.offer(CLOSED);
    }
}
