package simplesockets.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static simplesockets.impl.Peers.loopback;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import simplesockets.api.Connection;
import simplesockets.api.Framing;
import simplesockets.api.TcpServer;

/**
 * Load: many concurrent connections, each sending checksummed messages that the server checks and
 * echoes, and the client checks again: both directions, every byte, in order per connection.
 *
 * <p>CI runs {@value #CI_CONNECTIONS} connections x {@value #CI_MESSAGES} messages. The full run:
 * {@code ./mvnw verify -pl simplesockets.impl -am -Dtest=LoadSuiteTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dsimplesockets.load.connections=10000 -Dsimplesockets.load.messages=1000}.
 */
@Timeout(1800)
class LoadSuiteTest {

    static final int CI_CONNECTIONS = 2000;
    static final int CI_MESSAGES = 1000;

    @Test
    void everyMessageArrivesWholeAndInOrderBothWays() throws Exception {
        int connections = Integer.getInteger("simplesockets.load.connections", CI_CONNECTIONS);
        int messages = Integer.getInteger("simplesockets.load.messages", CI_MESSAGES);
        Map<Connection, AtomicInteger> nextSeq = new ConcurrentHashMap<>();
        AtomicLong serverBad = new AtomicLong();
        AtomicLong serverOk = new AtomicLong();
        try (TcpServer server = TcpServer.create(loopback().backlog(4096).framing(Framing.lengthPrefixed(256))
                .onReceive((c, d) -> {
                    int seq = ByteBuffer.wrap(d).getInt();
                    int expected = nextSeq.computeIfAbsent(c, k -> new AtomicInteger()).getAndIncrement();
                    if (LoadClients.valid(d) && seq == expected) {
                        serverOk.incrementAndGet();
                    } else {
                        serverBad.incrementAndGet();
                    }
                    c.send(d);
                })
                .onDisconnect((c, r) -> nextSeq.remove(c))
                .build())) {
            server.start();
            String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
            Process clients = new ProcessBuilder(java, "-Xss256k", "-cp", System.getProperty("java.class.path"),
                    LoadClients.class.getName(), String.valueOf(server.localAddress().orElseThrow().getPort()),
                    String.valueOf(connections), String.valueOf(messages))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String result;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(clients.getInputStream(), StandardCharsets.UTF_8))) {
                result = out.lines().filter(l -> l.startsWith("result ")).findFirst().orElse("result missing");
            }
            assertTrue(clients.waitFor(10, TimeUnit.MINUTES), "the load generator did not finish");
            String[] f = result.split(" ");
            long expectedMessages = (long) connections * messages;
            long okMessages = Long.parseLong(f[2]);
            long mismatches = Long.parseLong(f[4]);
            System.out.printf("load: %d connections x %d messages each way in %s ms; server checked %d ok, %d bad;"
                            + " client checked %d ok (%s bytes), %d mismatches; lost %d; peak RSS server %d KiB, clients %s KiB%n",
                    connections, messages, f[5], serverOk.get(), serverBad.get(), okMessages, f[3], mismatches,
                    expectedMessages - okMessages, LoadClients.peakRssKb(), f[6]);
            assertEquals(0, clients.exitValue());
            assertEquals(0, serverBad.get(), "the server saw a bad or out-of-order message");
            assertEquals(expectedMessages, serverOk.get(), "the server lost messages");
            assertEquals(0, mismatches, "the clients saw a bad, out-of-order or missing echo");
            assertEquals(expectedMessages, okMessages, "the clients lost echoes");
        }
    }
}
