package simplesockets.bench;

import static simplesockets.bench.LoadGen.SEQUENCE;
import static simplesockets.bench.LoadGen.SIZE;
import static simplesockets.bench.LoadGen.THREAD_END;
import static simplesockets.bench.LoadGen.message;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.HdrHistogram.Histogram;

/**
 * The closed-loop echo over blocking sockets ({@code blocking}), plain or over TLS: each connection
 * writes its message, reads the whole reply, checks it, and writes the next.
 *
 * <p>Threads: a virtual thread per connection; the caller connects (and handshakes) them one by one,
 * then measures and waits for them to end.
 */
final class BlockingEcho {

    private BlockingEcho() {
    }

    /**
     * The {@code blocking} mode: {@code connections} blocking sockets, over TLS when {@code trustStore} (a PKCS12
     * file) is given, each looping for {@code warmup} and {@code measure} seconds.
     */
    static String run(InetSocketAddress server, int connections, int warmup, int measure, String trustStore)
            throws Exception {
        SSLContext tls = null;
        if (trustStore != null) {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(Path.of(trustStore))) {
                trust.load(in, "changeit".toCharArray());
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            tls = SSLContext.getInstance("TLS");
            tls.init(null, tmf.getTrustManagers(), null);
        }
        Run run = new Run(connections, 1);
        List<Histogram> histograms = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            Socket socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(server);
            if (tls != null) {
                SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(socket, "127.0.0.1", server.getPort(), true);
                ssl.startHandshake();
                socket = ssl;
            }
            socket.setSoTimeout((int) STALL.toMillis()); // a server that stops answering ends the connection
            Histogram histogram = new Histogram(3_600_000_000L, 3);
            histograms.add(histogram);
            Socket s = socket;
            int index = i;
            threads.add(Thread.ofVirtual().start(() -> {
                byte[] m = message(index);
                ByteBuffer sequence = ByteBuffer.wrap(m);
                byte[] back = new byte[SIZE];
                try (s; OutputStream out = s.getOutputStream(); InputStream in = s.getInputStream()) {
                    for (long n = 1; !run.stop; n++) {
                        sequence.putLong(SEQUENCE, n);
                        long sent = System.nanoTime();
                        out.write(m);
                        int got = 0;
                        while (got < SIZE) {
                            int r = in.read(back, got, SIZE - got);
                            if (r < 0) {
                                throw new java.io.EOFException("closed by the server");
                            }
                            got += r;
                        }
                        if (Arrays.mismatch(back, m) >= 0) {
                            run.badEchoes.incrementAndGet();
                        } else if (run.measuring) {
                            synchronized (histogram) {
                                histogram.recordValue(Math.min(System.nanoTime() - sent, 3_600_000_000L));
                            }
                            run.counts.incrementAndGet(index);
                        }
                    }
                } catch (IOException e) {
                    if (!run.stop) {
                        run.closed.incrementAndGet();
                    }
                } catch (Throwable e) {
                    run.genError(e);
                }
            }));
        }
        double seconds = run.measureThenStop(warmup, measure);
        long deadline = System.nanoTime() + STALL.plus(THREAD_END).toNanos();
        for (Thread t : threads) {
            if (!t.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))) {
                run.genError(new IllegalStateException("a connection's thread did not end within " + STALL.plus(THREAD_END)));
                break;
            }
        }
        return run.summarize(histograms, seconds);
    }

    /**
     * How long a blocking connection waits for its reply before it counts as closed ({@code closed}): a
     * server that stops answering ends the run's wait instead of holding it.
     */
    static final Duration STALL = Duration.ofSeconds(30);
}
