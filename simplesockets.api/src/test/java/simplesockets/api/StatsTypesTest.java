package simplesockets.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The stats snapshots: made only by their builders, checked, equal by value, one line of text. */
class StatsTypesTest {

    @Test
    void snapshotsAreFinalAndHaveNoPublicConstructorsSoAFigureCanBeAdded() {
        for (Class<?> type : List.of(ServerStats.class, ClientStats.class, ConnectionStats.class)) {
            assertEquals(0, type.getConstructors().length, type + " is made only by its builder");
            assertTrue(Modifier.isFinal(type.getModifiers()), type + " is final");
            assertFalse(type.isRecord(), type + " is not deconstructed by its components");
        }
    }

    @Test
    void figuresAreCheckedWhenSet() {
        assertThrows(IllegalArgumentException.class, () -> ConnectionStats.builder().bytesIn(-1));
        assertThrows(IllegalArgumentException.class, () -> ServerStats.builder().connectionsRefused(-1));
        assertThrows(IllegalArgumentException.class, () -> ClientStats.builder().readerStallTime(Duration.ofNanos(-1)));
        assertThrows(IllegalArgumentException.class, () -> ClientStats.builder().readerStallTime(Duration.ofDays(200_000)),
                "too long for nanoseconds: it threw ArithmeticException");
        assertThrows(NullPointerException.class, () -> ServerStats.builder().readerStallTime(null));
        assertThrows(NullPointerException.class, () -> ServerStats.builder().failures(null));
        assertThrows(IllegalArgumentException.class,
                () -> ServerStats.builder().failures(Map.of(Failure.Io.class, -1L)));
        Map<Class<? extends Failure>, Long> nullCount = new HashMap<>();
        nullCount.put(Failure.Io.class, null);
        assertThrows(NullPointerException.class, () -> ClientStats.builder().failures(nullCount));
    }

    @Test
    void failuresKeepTheOrderOfTheKindsAndLeaveOutZeros() {
        Map<Class<? extends Failure>, Long> given = new HashMap<>();
        given.put(Failure.SlowConsumer.class, 2L);
        given.put(Failure.Accept.class, 1L);
        given.put(Failure.Tls.class, 0L);
        ServerStats stats = ServerStats.builder().failures(given).build();
        assertEquals(List.of(Failure.Accept.class, Failure.SlowConsumer.class), List.copyOf(stats.failures().keySet()));
        assertEquals(2, stats.failures(Failure.SlowConsumer.class));
        assertEquals(0, stats.failures(Failure.Tls.class));
        assertThrows(UnsupportedOperationException.class, () -> stats.failures().clear());
        given.clear();
        assertEquals(2, stats.failures().size(), "copied in");
    }

    @Test
    void snapshotsAreEqualByValueAndPrintOneLine() {
        ConnectionStats a = ConnectionStats.builder().bytesIn(64).messagesIn(1).readerStalled(true)
                .readerStallTime(Duration.ofMillis(25)).build();
        ConnectionStats b = ConnectionStats.builder().bytesIn(64).messagesIn(1).readerStalled(true)
                .readerStallTime(Duration.ofMillis(25)).build();
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, ConnectionStats.builder().bytesIn(65).build());
        assertTrue(a.isReaderStalled());
        assertEquals(Duration.ofMillis(25), a.readerStallTime());
        assertEquals("ConnectionStats[bytesIn=64 bytesOut=0 messagesIn=1 messagesOut=0 queuedBytes=0 pendingBytes=0"
                + " readerStalled=1 readerStalls=0 readerStallTime=25ms]", a.toString());

        ServerStats server = ServerStats.builder().connectionsOpen(2).connectionsAccepted(3).bytesIn(10)
                .failures(Map.of(Failure.Io.class, 4L, Failure.Callback.class, 1L)).build();
        assertEquals(server, ServerStats.builder().connectionsOpen(2).connectionsAccepted(3).bytesIn(10)
                .failures(Map.of(Failure.Callback.class, 1L, Failure.Io.class, 4L)).build());
        String line = server.toString();
        assertTrue(line.startsWith("ServerStats[connectionsOpen=2 connectionsAccepted=3 connectionsRefused=0"), line);
        assertTrue(line.endsWith(" failures={Io=4, Callback=1}]"), line);
        assertFalse(line.contains("\n"));

        ClientStats client = ClientStats.builder().connects(1).readerStalled(true).build();
        assertTrue(client.isReaderStalled());
        assertTrue(client.toString().startsWith("ClientStats[connects=1 disconnects=0 "), client.toString());
        assertTrue(client.toString().endsWith(" failures={}]"), client.toString());
    }

    @Test
    void theBuilderCanBeReusedWithoutChangingWhatItBuilt() {
        ServerStats.Builder builder = ServerStats.builder().bytesOut(1);
        ServerStats first = builder.build();
        builder.bytesOut(2);
        assertEquals(1, first.bytesOut());
        assertEquals(2, builder.build().bytesOut());
    }
}
