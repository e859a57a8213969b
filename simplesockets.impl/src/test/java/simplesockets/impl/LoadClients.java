package simplesockets.impl;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

/**
 * The load generator of {@link LoadSuiteTest}, run as its own process so that client and server
 * sockets do not share one descriptor limit. Each connection sends {@code messages} checksummed,
 * length-prefixed messages on one virtual thread and checks every echo on another.
 *
 * <p>Prints one line: {@code result CONNECTIONS MESSAGES_OK BYTES_OK MISMATCHES MILLIS PEAK_RSS_KB}.
 */
public final class LoadClients {

    private LoadClients() {
    }

    /** Builds message {@code seq} of connection {@code conn}: seq, conn, payload, CRC32 of all of it. */
    static byte[] message(int conn, int seq, SplittableRandom random) {
        byte[] payload = new byte[8 + random.nextInt(33)];
        random.nextBytes(payload);
        ByteBuffer out = ByteBuffer.allocate(8 + payload.length + 8);
        out.putInt(seq).putInt(conn).put(payload);
        CRC32 crc = new CRC32();
        crc.update(out.array(), 0, out.position());
        out.putLong(crc.getValue());
        return out.array();
    }

    /** Whether a message's checksum holds. */
    static boolean valid(byte[] message) {
        if (message.length < 16) {
            return false;
        }
        CRC32 crc = new CRC32();
        crc.update(message, 0, message.length - 8);
        return ByteBuffer.wrap(message, message.length - 8, 8).getLong() == crc.getValue();
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int connections = Integer.parseInt(args[1]);
        int messages = Integer.parseInt(args[2]);
        InetSocketAddress server = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        AtomicLong okMessages = new AtomicLong();
        AtomicLong okBytes = new AtomicLong();
        AtomicLong mismatches = new AtomicLong();
        long started = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            int conn = c;
            Socket socket = new Socket();
            socket.connect(server, 30_000);
            socket.setSoTimeout(120_000);
            SplittableRandom seeds = new SplittableRandom(conn);
            long seed = seeds.nextLong();
            threads.add(Thread.ofVirtual().start(() -> {
                try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()))) {
                    SplittableRandom random = new SplittableRandom(seed);
                    for (int seq = 0; seq < messages; seq++) {
                        byte[] m = message(conn, seq, random);
                        out.writeInt(m.length);
                        out.write(m);
                        if (seq % 16 == 15) {
                            out.flush();
                        }
                    }
                    out.flush();
                    Thread.currentThread().join(); // keep the socket open until the reader is done
                } catch (InterruptedException done) {
                    // the reader finished
                } catch (Exception e) {
                    mismatches.incrementAndGet();
                }
            }));
            Thread writer = threads.getLast();
            threads.add(Thread.ofVirtual().start(() -> {
                try (DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()))) {
                    SplittableRandom random = new SplittableRandom(seed);
                    for (int seq = 0; seq < messages; seq++) {
                        byte[] expected = message(conn, seq, random);
                        byte[] echo = new byte[in.readInt()];
                        in.readFully(echo);
                        if (valid(echo) && Arrays.equals(expected, echo)) {
                            okMessages.incrementAndGet();
                            okBytes.addAndGet(echo.length);
                        } else {
                            mismatches.incrementAndGet();
                        }
                    }
                } catch (Exception e) {
                    mismatches.incrementAndGet();
                } finally {
                    writer.interrupt();
                    try {
                        socket.close();
                    } catch (java.io.IOException ignored) {
                        // closing
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        System.out.println("result " + connections + " " + okMessages.get() + " " + okBytes.get() + " "
                + mismatches.get() + " " + millis + " " + peakRssKb());
    }

    /** The process's peak resident set, from /proc/self/status, in KiB (0 where there is no /proc). */
    static long peakRssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (Exception e) {
            return 0;
        }
        return 0;
    }
}
