package simplesockets.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import simplesockets.api.ClientEvent;
import simplesockets.api.ClientOptions;
import simplesockets.api.TcpClient;

/**
 * A client connected again reports the end of its last connection before the new connection, even
 * when that end takes a while to report (its last sends are still being written). Before, the state
 * said disconnected at once, a {@code connect()} then reported {@code Connected} at once, and the old
 * connection's {@code Disconnected} came after it, as if the new one had ended.
 */
@Timeout(60)
class ClientEventOrderTest {

    /**
     * A {@code disconnect()} from another thread while {@code onConnect} still runs returns only once
     * {@code onDisconnect} has run, as it says. Before, the connection's reader was not registered yet,
     * so the disconnect did not wait for it.
     */
    @Test
    void aDisconnectDuringOnConnectReturnsOnceOnDisconnectRan() throws Exception {
        java.util.concurrent.CountDownLatch inOnConnect = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean onDisconnectRan = new java.util.concurrent.atomic.AtomicBoolean();
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                TcpClient client = TcpClient.create(ClientOptions.builder().host("127.0.0.1").port(listener.getLocalPort())
                        .onConnect(() -> {
                            inOnConnect.countDown();
                            try {
                                release.await(Peers.WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        })
                        .onDisconnect(reason -> onDisconnectRan.set(true)).build())) {
            var connecting = Peers.startOn(Thread.ofVirtual(), "connecting", () -> {
                client.connect();
                return "connected";
            });
            try (Socket accepted = listener.accept()) {
                org.junit.jupiter.api.Assertions.assertTrue(inOnConnect.await(Peers.WAIT.toMillis(),
                        java.util.concurrent.TimeUnit.MILLISECONDS), "onConnect did not run");
                java.util.concurrent.atomic.AtomicReference<Thread> disconnecting = new java.util.concurrent.atomic.AtomicReference<>();
                var seen = Peers.startOn(Thread.ofVirtual(), "disconnecting", () -> {
                    disconnecting.set(Thread.currentThread());
                    client.disconnect();
                    return onDisconnectRan.get();
                });
                // Once the disconnect waits (or, as before, has returned), let onConnect finish.
                Peers.awaitCondition(() -> disconnecting.get() != null && disconnecting.get().getState() != Thread.State.RUNNABLE
                        && disconnecting.get().getState() != Thread.State.NEW, Peers.WAIT, () -> "the disconnect did not begin");
                release.countDown();
                org.junit.jupiter.api.Assertions.assertTrue(seen.get(Peers.WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS),
                        "onDisconnect had run when disconnect() returned");
                connecting.get(Peers.WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
            }
        }
    }

    /**
     * The slowest end a {@code disconnect()} waits for: its last sends cannot go out (the server does not
     * read, and the connection's writer is blocked), so they are given the close timeout, then the socket's
     * close ends the writer. It still returns once {@code onDisconnect} has run, with a margin for that close
     * (it gave up 100 ms after the close timeout, thin on a loaded machine).
     */
    @Test
    void aDisconnectWhoseWriterIsBlockedReturnsOnceOnDisconnectRan() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean ran = new java.util.concurrent.atomic.AtomicBoolean();
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                TcpClient client = TcpClient.create(ClientOptions.builder().host("127.0.0.1").port(listener.getLocalPort())
                        .closeTimeout(Duration.ofMillis(300)).onDisconnect(reason -> ran.set(true)).build())) {
            client.connect();
            try (Socket server = listener.accept()) {
                client.send(new byte[16 << 20]); // more than the kernels hold for a server that does not read
                long started = System.nanoTime();
                client.disconnect();
                long tookMillis = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                org.junit.jupiter.api.Assertions.assertTrue(ran.get(), "onDisconnect had run when disconnect() returned");
                // The scenario, not a speed: the last sends were given their close timeout, so the writer was blocked.
                org.junit.jupiter.api.Assertions.assertTrue(tookMillis >= 290, "the writer was not blocked: " + tookMillis + " ms");
            }
        }
    }

    @Test
    void theLastConnectionsEndIsReportedBeforeTheNextConnection() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                TcpClient client = TcpClient.create(ClientOptions.builder().host("127.0.0.1").port(listener.getLocalPort())
                        .autoReceive(true).closeTimeout(Duration.ofSeconds(2)).build())) {
            client.connect();
            try (Socket first = listener.accept()) {
                // More than the kernels hold for a server that does not read: the writer is still at it...
                client.send(new byte[16 << 20]);
                first.shutdownOutput(); // ...when the server ends its side: the client's end is decided at once
                Peers.awaitCondition(() -> !client.isConnected(), Peers.WAIT, () -> "the end was not seen");
                client.connect(); // reconnecting, as a user's loop does when it finds the client disconnected
                try (Socket second = listener.accept()) {
                    List<Class<?>> kinds = new ArrayList<>();
                    while (kinds.size() < 3) {
                        Optional<ClientEvent> event = client.awaitEvent(Peers.WAIT);
                        if (event.isEmpty()) {
                            break;
                        }
                        if (!(event.get() instanceof ClientEvent.Failed)) {
                            kinds.add(event.get().getClass());
                        }
                    }
                    assertEquals(List.of(ClientEvent.Connected.class, ClientEvent.Disconnected.class,
                            ClientEvent.Connected.class), kinds, "the first connection's end, then the second connection");
                }
            }
        }
    }

    /**
     * Against a server that closes every connection at once, a client that connects again each time it
     * finds itself disconnected reports each end before the next connection. A reader that ended before
     * its thread was registered was not waited for, so the next {@code Connected} could come first.
     */
    @Test
    void endsComeBeforeTheNextConnectionWhenEachConnectionEndsAtOnce() throws Exception {
        int rounds = 200;
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                TcpClient client = TcpClient.create(ClientOptions.builder().host("127.0.0.1")
                        .port(listener.getLocalPort()).autoReceive(true).build())) {
            listener.setSoTimeout((int) Peers.WAIT.toMillis());
            var closer = Peers.startOn(Thread.ofPlatform(), "closer", () -> {
                for (int i = 0; i < rounds; i++) {
                    listener.accept().close();
                }
                return rounds;
            });
            for (int i = 0; i < rounds; i++) {
                client.connect();
                Peers.awaitCondition(() -> !client.isConnected(), Peers.WAIT, () -> "the end was not seen");
            }
            assertEquals(rounds, closer.get(10, java.util.concurrent.TimeUnit.SECONDS));
            List<Class<?>> kinds = new ArrayList<>();
            while (kinds.size() < 2 * rounds) {
                Optional<ClientEvent> event = client.awaitEvent(Peers.WAIT);
                if (event.isEmpty()) {
                    break;
                }
                if (event.get() instanceof ClientEvent.Connected || event.get() instanceof ClientEvent.Disconnected) {
                    kinds.add(event.get().getClass());
                }
            }
            assertEquals(2 * rounds, kinds.size());
            for (int i = 0; i < kinds.size(); i++) {
                assertEquals(i % 2 == 0 ? ClientEvent.Connected.class : ClientEvent.Disconnected.class, kinds.get(i),
                        "event " + i + " of " + kinds);
            }
        }
    }
}
