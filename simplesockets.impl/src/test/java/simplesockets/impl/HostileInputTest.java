package simplesockets.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static simplesockets.impl.Peers.connect;
import static simplesockets.impl.Peers.loopback;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import simplesockets.api.DisconnectReason;
import simplesockets.api.Failure;
import simplesockets.api.Framing;
import simplesockets.api.TcpServer;

/**
 * Hostile input: random byte streams and malformed length headers (negative, huge, truncated) into
 * the framing decoder and into a live server. No crash, no allocation above the maximum frame, a
 * recorded failure for the bad peer, and the other peers unaffected.
 */
@Timeout(300)
class HostileInputTest {

    private static final int MAX = 64;
    private static final AtomicLong DECODER_INPUTS = new AtomicLong();
    private static final AtomicLong SERVER_INPUTS = new AtomicLong();

    /** Streams that are mostly frames, with malformed headers and truncation mixed in. */
    static Gen<byte[]> hostileStreams() {
        Gen<byte[]> header = Generate.pick(List.of(-1, Integer.MIN_VALUE, Integer.MAX_VALUE, MAX + 1, 1 << 20, 0, 1, MAX))
                .map(n -> ByteBuffer.allocate(4).putInt(n).array());
        Gen<byte[]> frame = Generate.range(0, MAX).map(n -> {
            byte[] f = new byte[4 + n];
            ByteBuffer.wrap(f).putInt(n);
            for (int i = 0; i < n; i++) {
                f[4 + i] = (byte) (i * 7 + n);
            }
            return f;
        });
        Gen<byte[]> noise = Generate.byteArrays(Generate.range(0, 12), Generate.bytes(Byte.MIN_VALUE, Byte.MAX_VALUE, Byte.valueOf((byte) 0)));
        Gen<byte[]> piece = Generate.frequency(List.of(
                org.quicktheories.api.Pair.of(6, frame),
                org.quicktheories.api.Pair.of(2, header),
                org.quicktheories.api.Pair.of(2, noise)));
        return org.quicktheories.generators.SourceDSL.lists().of(piece).ofSizeBetween(0, 12).map(pieces -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            pieces.forEach(out::writeBytes);
            return out.toByteArray();
        }).describedAs(java.util.Arrays::toString);
    }

    /** What a correct decoder makes of a stream: the frames before the first violation, and the violation. */
    record Decoded(List<byte[]> frames, Class<?> violation) {
    }

    static Decoded reference(byte[] stream) {
        List<byte[]> frames = new ArrayList<>();
        ByteBuffer in = ByteBuffer.wrap(stream);
        while (in.remaining() >= 4) {
            int n = in.getInt();
            if (n < 0 || n > MAX) {
                return new Decoded(frames, ProtocolException.class);
            }
            if (in.remaining() < n) {
                return new Decoded(frames, EOFException.class);
            }
            byte[] frame = new byte[n];
            in.get(frame);
            frames.add(frame);
        }
        return new Decoded(frames, in.hasRemaining() ? EOFException.class : null);
    }

    @Test
    void theDecoderSurvivesEveryStreamAndNeverAllocatesPastTheMaximum() {
        qt().withExamples(20_000).withShrinkCycles(100)
                .forAll(hostileStreams(), Generate.range(1, 9))
                .checkAssert((stream, chunk) -> {
                    DECODER_INPUTS.incrementAndGet();
                    Decoded expected = reference(stream);
                    Codec.LengthPrefixed codec = (Codec.LengthPrefixed) Codec.of(Framing.lengthPrefixed(MAX), 2048, new Budget(Long.MAX_VALUE));
                    List<byte[]> frames = new ArrayList<>();
                    Class<?> violation = null;
                    try {
                        for (int at = 0; at < stream.length; at += chunk) {
                            byte[] piece = java.util.Arrays.copyOfRange(stream, at, Math.min(stream.length, at + chunk));
                            codec.feed(piece, piece.length);
                            assertTrue(codec.allocated() <= MAX, "allocated " + codec.allocated());
                            for (byte[] f = codec.next(); f != null; f = codec.next()) {
                                frames.add(f);
                            }
                            codec.check();
                        }
                        codec.endOfStream();
                    } catch (ProtocolException | EOFException e) {
                        violation = e.getClass();
                    }
                    for (byte[] f = codec.next(); f != null; f = codec.next()) {
                        frames.add(f); // frames completed before the violation stay deliverable
                    }
                    assertEquals(expected.violation(), violation);
                    assertEquals(expected.frames().size(), frames.size());
                    for (int i = 0; i < frames.size(); i++) {
                        assertArrayEquals(expected.frames().get(i), frames.get(i));
                    }
                });
    }

    @Test
    void aLiveServerRecordsTheBadPeerAndKeepsServingTheOthers() throws Exception {
        Map<InetSocketAddress, List<byte[]>> received = new ConcurrentHashMap<>();
        Map<InetSocketAddress, DisconnectReason> ended = new ConcurrentHashMap<>();
        BlockingQueue<InetSocketAddress> endings = new LinkedBlockingQueue<>();
        try (TcpServer server = TcpServer.create(loopback().framing(Framing.lengthPrefixed(MAX))
                .onReceive((c, d) -> {
                    received.computeIfAbsent(c.remoteAddress(), k -> new CopyOnWriteArrayList<>()).add(d);
                    if (d.length == 4 && ByteBuffer.wrap(d).getInt() == 0x5EC0DE) {
                        c.send(d); // only the well-behaved peer asks for an echo
                    }
                })
                .onDisconnect((c, r) -> {
                    ended.put(c.remoteAddress(), r);
                    endings.add(c.remoteAddress());
                }).build())) {
            server.start();
            try (Socket good = connect(server.localAddress().orElseThrow())) {
                DataOutputStream goodOut = new DataOutputStream(good.getOutputStream());
                qt().withExamples(300).withShrinkCycles(20).forAll(hostileStreams()).checkAssert(stream -> {
                    SERVER_INPUTS.incrementAndGet();
                    try {
                        InetSocketAddress badAddress;
                        try (Socket bad = connect(server.localAddress().orElseThrow())) {
                            badAddress = (InetSocketAddress) bad.getLocalSocketAddress();
                            // Ephemeral ports come round again: forget an earlier peer on the same one.
                            received.remove(badAddress);
                            ended.remove(badAddress);
                            bad.getOutputStream().write(stream);
                            bad.shutdownOutput();
                            Peers.closedByPeer(bad, Duration.ofSeconds(5));
                        }
                        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                        for (InetSocketAddress gone = null; !badAddress.equals(gone) && System.nanoTime() < deadline; ) {
                            gone = endings.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                        }
                        Decoded expected = reference(stream);
                        List<byte[]> got = received.getOrDefault(badAddress, List.of());
                        assertEquals(expected.frames().size(), got.size(), "frames before the violation");
                        DisconnectReason reason = ended.get(badAddress);
                        if (expected.violation() == null) {
                            assertEquals(DisconnectReason.PEER_CLOSED, reason);
                        } else {
                            assertInstanceOf(DisconnectReason.Failed.class, reason);
                            Failure failure = server.drainExceptions().stream()
                                    .filter(f -> f.peer().orElse(null) != null && f.peer().get().equals(badAddress))
                                    .findFirst().orElseThrow(() -> new AssertionError("no failure recorded for " + badAddress));
                            assertInstanceOf(Failure.Protocol.class, failure, "a cut-off frame breaks the framing too");
                        }
                        // The well-behaved peer is unaffected.
                        goodOut.writeInt(4);
                        goodOut.writeInt(0x5EC0DE);
                        goodOut.flush();
                        byte[] echo = Peers.readExactly(good, 8);
                        assertEquals(0x5EC0DE, ByteBuffer.wrap(echo).getInt(4));
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                });
            }
        }
    }

    @AfterAll
    static void report() {
        System.out.println("hostile inputs tried: " + DECODER_INPUTS.get() + " into the decoder, "
                + SERVER_INPUTS.get() + " into a live server");
    }
}
