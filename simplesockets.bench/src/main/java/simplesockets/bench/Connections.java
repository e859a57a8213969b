package simplesockets.bench;

import static simplesockets.bench.LoadGen.SEQUENCE;
import static simplesockets.bench.LoadGen.SIZE;
import static simplesockets.bench.LoadGen.message;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The modes that count connections rather than messages: {@code idle} holds many open; {@code connrate}
 * opens them, echoes once on each, and closes them, as fast as it goes.
 *
 * <p>Threads: {@code idle} runs on the caller's thread alone; {@code connrate} on a virtual thread per
 * concurrent connection, which the caller waits for.
 */
final class Connections {

    private Connections() {
    }

    /** The {@code idle} mode: opens {@code connections}, prints {@code connected}, and closes them at end of stdin. */
    static String idle(InetSocketAddress server, int connections) throws Exception {
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            Socket s = new Socket();
            s.connect(server);
            sockets.add(s);
        }
        System.out.println("connected " + connections);
        System.out.flush();
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        for (Socket s : sockets) {
            s.close();
        }
        return "connections=" + connections;
    }

    /** How long connrate waits for a connect or an echo before counting the connection failed. */
    static final int CONNRATE_TIMEOUT_MS = 10_000;

    /** The {@code connrate} mode: {@code concurrency} loops of connect, one echo, close, for {@code seconds}. */
    static String rate(InetSocketAddress server, int seconds, int concurrency) throws Exception {
        AtomicLong done = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        Tally tally = new Tally();
        long started = System.nanoTime();
        long deadline = started + seconds * 1_000_000_000L;
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < concurrency; t++) {
            int index = t;
            threads.add(Thread.ofVirtual().start(() -> {
                byte[] m = message(index);
                ByteBuffer sequence = ByteBuffer.wrap(m);
                byte[] back = new byte[SIZE];
                try {
                    for (long n = 1; System.nanoTime() < deadline; n++) {
                        sequence.putLong(SEQUENCE, n);
                        try (Socket s = new Socket()) {
                            s.setTcpNoDelay(true);
                            s.setSoTimeout(CONNRATE_TIMEOUT_MS);
                            s.connect(server, CONNRATE_TIMEOUT_MS);
                            s.getOutputStream().write(m);
                            if (s.getInputStream().readNBytes(back, 0, SIZE) < SIZE) {
                                errors.incrementAndGet(); // closed before its echo
                            } else if (Arrays.mismatch(back, m) >= 0) {
                                tally.badEchoes.incrementAndGet();
                            } else {
                                done.incrementAndGet();
                            }
                        } catch (IOException e) {
                            errors.incrementAndGet();
                        }
                    }
                } catch (Throwable e) {
                    tally.genError(e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        double elapsed = (System.nanoTime() - started) / 1e9;
        return String.format(java.util.Locale.ROOT, "connections=%d conns_per_s=%.0f errors=%d bad_echoes=%d gen_errors=%d",
                done.get(), done.get() / elapsed, errors.get(), tally.badEchoes.get(), tally.genErrors.get());
    }
}
