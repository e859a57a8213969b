package simplesockets.bench;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * The load generator, in its own process. Modes (each prints one {@code result key=value ...} line):
 * <ul>
 *   <li>{@code echo PORT CONNECTIONS WARMUP_S MEASURE_S}: closed-loop 64-byte request/response over NIO
 *       with two selector threads (so the generator neither bottlenecks nor starves connections);</li>
 *   <li>{@code blocking PORT CONNECTIONS WARMUP_S MEASURE_S [TRUSTSTORE]}: the same with a virtual thread
 *       and a blocking socket per connection, over TLS when a trust store is given;</li>
 *   <li>{@code bulk PORT BYTES}: one connection streams BYTES one way, then waits for the server to close;</li>
 *   <li>{@code bulkecho PORT BYTES}: one connection streams BYTES through an echo server and reads them back;</li>
 *   <li>{@code idle PORT CONNECTIONS}: opens idle connections, prints {@code connected}, closes them at end of stdin;</li>
 *   <li>{@code connrate PORT SECONDS CONCURRENCY}: connect, one echo, close, as fast as it goes.</li>
 * </ul>
 *
 * <p>It checks what comes back, so that a server that garbles, drops or closes cannot look fast. A message
 * starts with a 4-byte big-endian length of 60 (so that the same bytes also work as a length-prefixed frame),
 * then the connection's index (an int) and a sequence number (a long) that grows with every message sent on
 * that connection, then a fixed pattern; every reply must equal, byte for byte, the message last sent on its
 * connection. A bulk stream's byte at offset {@code k} is {@code (byte) (k % 251)}, and the bytes echoed back
 * are compared with it at their offset. The comparisons are vectorized ({@code Arrays.mismatch},
 * {@code ByteBuffer.mismatch}) and allocate nothing, so checking does not make the generator the bottleneck.
 *
 * <p>Keys besides the figures ({@code messages} and the latencies count only correct replies in the
 * measured time; the keys below count over the whole run, warm-up included):
 * <ul>
 *   <li>{@code bad_echoes} (echo, blocking, Unix echo, bulkecho, connrate): replies that differ from what was
 *       sent; in bulkecho, reads whose bytes differ from the stream's at their offset. A connection whose
 *       first echo (the greeting that proves it is served, echo mode) is wrong or missing is instead closed
 *       and counted in {@code connect_errors}, and takes no part in the run;</li>
 *   <li>{@code closed} (echo, blocking, Unix echo, bulk, bulkecho): connections the server closed, or that
 *       failed with an I/O error, during the run (in blocking mode, a reply that did not come within
 *       {@link BlockingEcho#STALL} too); in bulk and bulkecho {@code 1} if the stream ended (or
 *       failed) before everything was sent or came back;</li>
 *   <li>{@code gen_errors} (all but idle): the generator's own failures, any other exception of one of its
 *       threads (printed to stderr once), and in bulk and bulkecho a run that passed its deadline (then the
 *       figures are those of the bytes that made it); a run with {@code gen_errors > 0} measured nothing
 *       trustworthy;</li>
 *   <li>{@code stalled} (echo, Unix echo): open connections whose request, sent before the measured window
 *       began, was still unanswered at its end: a server that drops a request stalls that connection's
 *       closed loop for good, which the other counts would show only as unfairness; a server that starves a
 *       connection for the whole window counts too, so such a round is listed but not left out of the
 *       figures ({@link Results#stalledRounds}) (blocking mode prints
 *       0 here: a reply that does not come within {@link BlockingEcho#STALL} ends its connection, counted as closed);</li>
 *   <li>{@code errors} (connrate): connections that failed (connect, I/O error, time-out, or closed before
 *       their echo); {@code connections} counts only correct ones, and {@code conns_per_s} divides them by
 *       the time actually measured.</li>
 * </ul>
 * In bulk and bulkecho {@code mb_per_s} divides the bytes that made it (all of them, in a good run) by the
 * time measured; {@code bytes} stays the size asked for.
 *
 * <p>Threads: {@code main} only parses the arguments and prints the result; each mode's class
 * ({@link NioEcho}, {@link BlockingEcho}, {@link Bulk}, {@link Connections}) says which threads it runs, and
 * {@link Tally} and {@link Run} hold what they count. This class keeps what they share: the message, its
 * layout, and {@link #THREAD_END}.
 */
public final class LoadGen {

    static final int SIZE = 64;
    /** Where the sequence number sits in a message, after the length and the connection's index. */
    static final int SEQUENCE = 8;
    /** How long a generator's thread may take to end once asked to. */
    static final Duration THREAD_END = Duration.ofSeconds(30);

    private LoadGen() {
    }

    /** The first message of connection 0 (sequence 0): a valid length-prefixed frame of 60 bytes. */
    static byte[] message() {
        return message(0);
    }

    /** The message of connection {@code index} with sequence number 0; put the next ones at {@link #SEQUENCE}. */
    static byte[] message(int index) {
        byte[] m = new byte[SIZE];
        for (int i = 16; i < SIZE; i++) {
            m[i] = (byte) i;
        }
        ByteBuffer.wrap(m).putInt(SIZE - 4).putInt(index).putLong(0);
        return m;
    }

    public static void main(String[] args) throws Exception {
        if (args[1].startsWith("unix:")) { // a Unix domain socket: the echo only
            java.net.SocketAddress file = java.net.UnixDomainSocketAddress.of(args[1].substring(5));
            System.out.println("result " + NioEcho.run(file, Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                    Integer.parseInt(args[4])));
            System.out.flush();
            System.exit(0);
        }
        InetSocketAddress server = new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(args[1]));
        String result = switch (args[0]) {
            case "echo" -> NioEcho.run(server, Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
            case "blocking" -> BlockingEcho.run(server, Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                    Integer.parseInt(args[4]), args.length > 5 ? args[5] : null);
            case "bulk" -> Bulk.run(server, Long.parseLong(args[2]), false);
            case "bulkecho" -> Bulk.run(server, Long.parseLong(args[2]), true);
            case "idle" -> Connections.idle(server, Integer.parseInt(args[2]));
            case "connrate" -> Connections.rate(server, Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            default -> throw new IllegalArgumentException(args[0]);
        };
        System.out.println("result " + result);
        System.out.flush();
        System.exit(0);
    }
}
