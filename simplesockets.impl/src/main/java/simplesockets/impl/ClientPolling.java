package simplesockets.impl;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import simplesockets.api.ClientEvent;

/**
 * The client's side of polling for data: {@code receive} and the awaits, and background receiving.
 * Waiting makes sense only while connected or while the reconnect loop may still connect (a poll loop
 * then waits for it, instead of spinning on empty returns through its back-off); otherwise only what is
 * queued is taken. With background
 * receiving off, the reader reads only while someone waits here (the event state's pull mode).
 */
final class ClientPolling {

    private final EventState<ClientEvent> events;
    private final BooleanSupplier connected;
    private volatile boolean autoReceive;
    private final java.util.concurrent.locks.ReentrantLock switching = new java.util.concurrent.locks.ReentrantLock();

    ClientPolling(Delivery<ClientEvent> delivery, BooleanSupplier connected, boolean autoReceive) {
        this.events = delivery.events();
        this.connected = connected;
        autoReceive(autoReceive);
    }

    /** Both together, so that two calls at once leave the flag and the reader's mode agreeing. */
    void autoReceive(boolean on) {
        switching.lock();
        try {
            autoReceive = on;
            events.pull(!on);
        } finally {
            switching.unlock();
        }
    }

    boolean isAutoReceiving() {
        return autoReceive;
    }

    Optional<byte[]> receive(Duration timeout) throws InterruptedException {
        long since = events.endings();
        return events.takeData(whileConnected(timeout), since, 1).stream().findFirst().map(ClientPolling::data);
    }

    boolean awaitNewData(Duration timeout) throws InterruptedException {
        long since = events.endings();
        return events.awaitAnyData(whileConnected(timeout), since);
    }

    List<byte[]> drainReceived() {
        return events.drainData().stream().map(ClientPolling::data).toList();
    }

    List<byte[]> awaitReceived(Duration timeout) throws InterruptedException {
        long since = events.endings();
        return events.takeData(whileConnected(timeout), since, Integer.MAX_VALUE).stream().map(ClientPolling::data).toList();
    }

    /**
     * The wait, if connected or reconnecting. The caller counted the ended connections before it asked: the end of the
     * connection marks the client disconnected before it counts, so an end that comes after the count,
     * even before this looks, ends the wait; so does a reconnect loop that stops without a connection.
     */
    private Duration whileConnected(Duration timeout) {
        Duration wait = WaitLimit.of(timeout);
        return connected.getAsBoolean() ? wait : Duration.ZERO;
    }

    private static byte[] data(ClientEvent event) {
        return ((ClientEvent.Received) event).data();
    }
}
