package simplesockets.impl;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import simplesockets.api.Connection;
import simplesockets.api.DisconnectReason;
import simplesockets.impl.time.Clock;
import simplesockets.impl.transport.Transport;

/**
 * The server's live connections, keyed by connection id (never by remote address: a reused ephemeral
 * port must not overwrite a live entry), and the slots they hold against {@code maxConnections}.
 *
 * <p>A slot is taken when a connection is admitted, before its PROXY protocol header and TLS
 * handshake, and freed the moment its end is decided, before its failure, if any, is recorded: like
 * {@link Connection#isOpen()}, {@code clients()} and the open count are true for the failure's
 * {@code onFailure} and for a poller that takes its event. Once closed, nothing more is admitted, and the
 * connections still in their header or handshake are closed, so that no close waits for them.
 */
final class Registry {

    private static final Logger LOG = LoggerFactory.getLogger(Registry.class);

    private final ConcurrentHashMap<Long, Link> links = new ConcurrentHashMap<>();
    /**
     * Links whose end was decided (so they left {@link #links} and their slot) that still finish on their
     * own threads, writing their last sends: a graceful close waits for them too, and a close ends them.
     */
    private final Set<Link> finishing = ConcurrentHashMap.newKeySet();
    /** Admitted connections that are not links yet: in their PROXY protocol header or TLS handshake. */
    private final Set<Transport> preparing = ConcurrentHashMap.newKeySet();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition emptied = lock.newCondition();
    /** Slots taken: live links plus admitted connections still in their handshake. Guarded by lock. */
    private int slots;
    private volatile boolean closed;
    /** Set when a graceful close began: a connection that becomes a link after that drains at once. Guarded by lock. */
    private boolean draining;

    /**
     * Takes a slot for a new connection, if there is one.
     *
     * @param max the most slots, or 0 for no limit
     * @return whether a slot was taken
     */
    boolean reserve(int max) {
        lock.lock();
        try {
            if (closed || max > 0 && slots >= max) {
                return false;
            }
            slots++;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Frees a slot whose connection never became a link (its handshake failed). */
    void release() {
        lock.lock();
        try {
            slots--;
            emptied.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Puts a link in the slot it reserved.
     *
     * @return {@code false} if the registry closed meanwhile; the slot is freed and the caller closes the link
     */
    boolean add(Link link) {
        boolean drainNow;
        lock.lock();
        try {
            if (closed) {
                slots--;
                emptied.signalAll();
                return false;
            }
            links.put(link.id(), link);
            drainNow = draining;
        } finally {
            lock.unlock();
        }
        if (drainNow) { // it was still in its PROXY header or TLS handshake when the drain began
            link.drain();
        }
        return true;
    }

    /**
     * Removes a link whose end was decided and frees its slot; harmless if it is not here. It stays
     * among the finishing ones until {@link #finished}.
     */
    void remove(Link link) {
        lock.lock();
        try {
            if (links.remove(link.id(), link)) {
                slots--;
                finishing.add(link);
                if (link.isFinished()) { // it finished before it was added: finished() found nothing to remove
                    finishing.remove(link);
                }
                emptied.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** A link finished on its own thread: a graceful close no longer waits for it. */
    void finished(Link link) {
        if (finishing.remove(link)) {
            lock.lock();
            try {
                emptied.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    boolean contains(Link link) {
        return links.get(link.id()) == link;
    }

    /**
     * The one live link from {@code address}: empty if none is, and also if several are, which no lookup
     * by address can tell apart (the peers of a Unix domain socket all show its path; a PROXY protocol
     * header can name one client twice).
     */
    Optional<Link> byAddress(InetSocketAddress address) {
        List<Link> from = from(address);
        return from.size() == 1 ? Optional.of(from.get(0)) : Optional.empty();
    }

    /** Whether several live links are from {@code address} ({@link #byAddress} gives none of them). */
    boolean shared(InetSocketAddress address) {
        return from(address).size() > 1;
    }

    /** Up to two live links from {@code address}: enough to tell none, one and several apart. */
    private List<Link> from(InetSocketAddress address) {
        return links.values().stream().filter(link -> link.remoteAddress().equals(address)).limit(2).toList();
    }

    /** The live links, then those still finishing: what a close ends, and what the timeouts watch. */
    Iterable<Link> links() {
        return () -> java.util.stream.Stream.concat(links.values().stream(), finishing.stream()).iterator();
    }

    int size() {
        return links.size();
    }

    /**
     * Sends framed bytes to every live connection; a send that fails has ended its connection and
     * recorded why.
     *
     * @param framed the bytes as the framing writes them, the registry's to share: one array for every
     *               connection's queue
     * @return how many connections took the bytes
     */
    int broadcast(byte[] framed) {
        int sent = 0;
        for (Link link : links.values()) {
            try {
                link.sendShared(framed);
                sent++;
            } catch (IOException e) {
                LOG.debug("Broadcast to {} failed: {}", link, e.toString());
            }
        }
        return sent;
    }

    /** The live connections, oldest first. */
    List<Connection> snapshot() {
        List<Connection> all = new ArrayList<>(links.values());
        all.sort(Comparator.comparingLong(Connection::id));
        return List.copyOf(all);
    }

    /**
     * Notes a connection that is being prepared on its own thread, until {@link #prepared}; if the
     * registry is closed already, closes it (its header or handshake then fails at once).
     */
    void preparing(Transport transport) {
        preparing.add(transport);
        if (closed) {
            Transports.closeQuietly(transport);
        }
    }

    /** The connection is a link now, or was refused. */
    void prepared(Transport transport) {
        preparing.remove(transport);
    }

    /** Admits nothing more, and closes the connections still being prepared. */
    void close() {
        lock.lock();
        try {
            closed = true;
            emptied.signalAll(); // a graceful close's wait ends: the forced close took over (and stopped its timer)
        } finally {
            lock.unlock();
        }
        preparing.forEach(Transports::closeQuietly); // after the lock: closing may block, briefly
    }

    /**
     * What a graceful close still waits for, besides the caller's own connections (those it is called from,
     * which cannot finish meanwhile): the slots of the others and those of them still finishing; under the lock.
     */
    /**
     * The links the calling thread serves (its handler's or callback's, or those whose failure it is
     * recording), live or finishing; distinct, as one may move to finishing while they are looked at.
     */
    private List<Link> callersOwn() {
        return java.util.stream.StreamSupport.stream(links().spliterator(), false)
                .filter(Link::onItsThreads).distinct().toList();
    }

    private int othersThan(List<Link> mine) {
        int others = slots + finishing.size();
        for (Link self : mine) {
            boolean live = links.get(self.id()) == self; // holds its slot until its end is decided and recorded
            others -= (live ? 1 : 0) + (finishing.contains(self) ? 1 : 0);
        }
        return others;
    }

    /**
     * How many connections a close cuts off now, without a grace: those live or still finishing, but for the
     * caller's own (a handler or callback that closes), as {@link #drain} counts them.
     */
    int busy() {
        List<Link> mine = callersOwn();
        lock.lock();
        try {
            return othersThan(mine);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Asks every live connection to finish the work in hand ({@link Link#drain()}), and every connection
     * still in its PROXY header or TLS handshake to do the same once it is a link, then waits until no
     * slot is taken and no link still finishes, for at most {@code max} of the clock's time; but for the
     * caller's own connection, when a handler or callback calls it, which is neither waited for nor counted.
     *
     * @return the connections still there: 0 when everything ended in time
     */
    int drain(Duration max, Clock clock) throws InterruptedException {
        lock.lock();
        try {
            draining = true; // before the links are looked at: one added meanwhile is drained by add
        } finally {
            lock.unlock();
        }
        links.values().forEach(Link::drain);
        // A handler or callback that calls this cannot finish its connection while it waits here: not waited
        // for, whether still live or decided already (a disconnect, or the failure whose onFailure this is).
        // (Two, when a connection's callback finds another a slow consumer, and that one's onFailure closes.)
        List<Link> mine = callersOwn();
        boolean[] expired = new boolean[1];
        Clock.Timer timer = clock.schedule(max, () -> {
            lock.lock();
            try {
                expired[0] = true;
                emptied.signalAll();
            } finally {
                lock.unlock();
            }
        });
        lock.lock();
        try {
            while (othersThan(mine) > 0 && !expired[0] && !closed) {
                emptied.await();
            }
            return othersThan(mine);
        } finally {
            lock.unlock();
            timer.cancel();
        }
    }
}
