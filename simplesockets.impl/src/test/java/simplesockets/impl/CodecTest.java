package simplesockets.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.net.ProtocolException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import simplesockets.api.Framing;

/** The framing codecs, fed every way TCP may split the bytes. */
class CodecTest {

    @Test
    void lengthPrefixedSurvivesEverySplitPoint() throws Exception {
        List<byte[]> messages = List.of(new byte[0], Peers.pattern(1, 1), Peers.pattern(2, 300), Peers.pattern(3, 5));
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        Codec encoder = Codec.of(Framing.lengthPrefixed(1000), 2048, new Budget(Long.MAX_VALUE));
        for (byte[] m : messages) {
            wire.writeBytes(encoder.encode(m));
        }
        byte[] bytes = wire.toByteArray();
        Random random = new Random(42);
        for (int trial = 0; trial < 500; trial++) {
            Codec decoder = Codec.of(Framing.lengthPrefixed(1000), 2048, new Budget(Long.MAX_VALUE));
            List<byte[]> out = new ArrayList<>();
            int at = 0;
            while (at < bytes.length) {
                int n = trial < bytes.length ? Math.min(trial + 1, bytes.length - at) : 1 + random.nextInt(bytes.length - at);
                byte[] chunk = new byte[n + 3];
                System.arraycopy(bytes, at, chunk, 0, n);
                decoder.feed(chunk, n);
                for (byte[] m = decoder.next(); m != null; m = decoder.next()) {
                    out.add(m);
                }
                at += n;
            }
            decoder.endOfStream();
            assertEquals(messages.size(), out.size());
            for (int i = 0; i < messages.size(); i++) {
                assertArrayEquals(messages.get(i), out.get(i));
            }
        }
    }

    /**
     * A length-prefixed frame costs the bound on bytes in flight no more than twice what has arrived of it:
     * a header alone costs nothing. Before, every header was charged 8 KiB at once, so 8,192 connections
     * that each sent a header announcing a large frame, and nothing more (32 KiB in all), spent the default
     * bound of 64 MiB, and every frame spanning reads waited for the one pass.
     */
    @Test
    void aLengthPrefixedFrameIsChargedAtMostTwiceWhatArrived() throws Exception {
        Budget budget = new Budget(Long.MAX_VALUE);
        Codec decoder = Codec.of(Framing.lengthPrefixed(1 << 20), 2048, budget);
        decoder.feed(new byte[] {0, 0x10, 0, 0}, 4); // announces 1 MiB
        assertNull(decoder.next());
        assertEquals(0, budget.used(), "a header alone");
        int arrived = 0;
        for (int n : new int[] {1, 10, 100, 1000, 10_000, 60_000}) {
            decoder.feed(new byte[n], n);
            assertNull(decoder.next());
            arrived += n;
            assertTrue(budget.used() <= 2L * arrived, budget.used() + " charged for " + arrived + " bytes arrived");
            assertTrue(budget.used() >= arrived, "what arrived is held");
        }
        decoder.feed(new byte[(1 << 20) - arrived], (1 << 20) - arrived);
        assertEquals(1 << 20, decoder.next().length);
        assertEquals(0, budget.used(), "given back once the frame is done");
    }

    @Test
    void lengthPrefixedRejectsOversizedAndNegativeLengthsBeforeAllocating() {
        Codec decoder = Codec.of(Framing.lengthPrefixed(10), 2048, new Budget(Long.MAX_VALUE));
        decoder.feed(new byte[] {0, 0, 0, 1, 7, 0, 0, 0, 11}, 9);
        assertArrayEquals(new byte[] {7}, decoder.next(), "the frame before the violation is kept");
        assertNull(decoder.next());
        assertThrows(ProtocolException.class, decoder::check);
        Codec negative = Codec.of(Framing.lengthPrefixed(10), 2048, new Budget(Long.MAX_VALUE));
        negative.feed(new byte[] {(byte) 0xff, 0, 0, 0}, 4);
        assertNull(negative.next());
        assertThrows(ProtocolException.class, negative::check);
        assertThrows(ProtocolException.class, () -> Codec.of(Framing.lengthPrefixed(10), 2048, new Budget(Long.MAX_VALUE)).encode(new byte[11]));
    }

    /** As for lines: a chunk's frames are parsed as they are asked for, not all at once. */
    @Test
    void lengthPrefixedParsesAChunkOneFrameAtATime() {
        Codec decoder = Codec.of(Framing.lengthPrefixed(10), 2048, new Budget(Long.MAX_VALUE));
        byte[] empties = new byte[64 * 1024]; // 16,384 headers of empty frames
        takingTenOfAChunkCostsLittle(decoder, empties, 8, empties.length / 4, "frames");
    }

    /**
     * Feeds {@code chunk}, a run of empty messages, and checks that taking ten of them allocates far less
     * than the chunk (so they are parsed as they are taken), and that all {@code messages} still come.
     *
     * @param warmUp the bytes of {@code chunk} fed and taken first, so that the measured round's code ran once
     */
    static void takingTenOfAChunkCostsLittle(Codec codec, byte[] chunk, int warmUp, int messages, String what) {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        codec.feed(chunk, warmUp);
        while (codec.next() != null) {
            // the warm-up's messages
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        codec.feed(chunk, chunk.length);
        for (int i = 0; i < 10; i++) {
            assertArrayEquals(new byte[0], codec.next());
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 64 * 1024, allocated + " bytes allocated to take 10 " + what + " of a 64 KiB read");
        int rest = 0;
        while (codec.next() != null) {
            rest++;
        }
        assertEquals(messages - 10, rest, "and every one of the " + what + " is still there");
    }

    @Test
    void lengthPrefixedReportsAStreamThatEndsInsideAFrame() throws Exception {
        Codec decoder = Codec.of(Framing.lengthPrefixed(10), 2048, new Budget(Long.MAX_VALUE));
        decoder.feed(new byte[] {0, 0, 0, 5, 1, 2}, 6);
        assertNull(decoder.next());
        assertThrows(EOFException.class, decoder::endOfStream);
    }

    @Test
    void rawDeliversEachChunkAsItIs() throws Exception {
        Codec raw = Codec.of(Framing.RAW, 2048, new Budget(Long.MAX_VALUE));
        byte[] buffer = {1, 2, 3, 4};
        raw.feed(buffer, 3);
        assertTrue(raw.hasNext());
        byte[] piece = raw.next();
        buffer[0] = 9;
        assertArrayEquals(new byte[] {1, 2, 3}, piece, "a copy of the bytes read");
        assertFalse(raw.hasNext());
        assertNull(raw.next());
        byte[] data = {5, 6};
        assertArrayEquals(data, raw.encode(data));
    }

    @Test
    void rawHandsOutAFullChunkThatIsOnePieceWithoutACopyAndSaysSo() {
        Codec raw = Codec.of(Framing.RAW, 8, new Budget(Long.MAX_VALUE));
        byte[] full = {1, 2, 3, 4, 5, 6, 7, 8};
        assertTrue(raw.feed(full, 8), "the codec keeps the array, so the reader must read into a new one");
        assertSame(full, raw.next());
        assertNull(raw.next());
        byte[] partial = new byte[8];
        assertFalse(raw.feed(partial, 5), "a partial read is copied out");
        assertNotSame(partial, raw.next());
        byte[] longer = new byte[16];
        assertFalse(raw.feed(longer, 16), "a read longer than a piece is split into copies");
        assertFalse(Codec.of(Framing.lengthPrefixed(10), 8, new Budget(Long.MAX_VALUE)).feed(new byte[] {0, 0, 0, 0}, 4));
    }

    @Test
    void rawSplitsALongChunkIntoPiecesOfAtMostTheReceiveSize() {
        Codec raw = Codec.of(Framing.RAW, 1000, new Budget(Long.MAX_VALUE));
        byte[] chunk = new byte[2500];
        new Random(7).nextBytes(chunk);
        raw.feed(chunk, 2345);
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        List<Integer> sizes = new ArrayList<>();
        for (byte[] piece = raw.next(); piece != null; piece = raw.next()) {
            sizes.add(piece.length);
            joined.writeBytes(piece);
        }
        assertEquals(List.of(1000, 1000, 345), sizes);
        assertArrayEquals(Arrays.copyOf(chunk, 2345), joined.toByteArray());
        assertThrows(IllegalArgumentException.class, () -> Codec.of(Framing.RAW, 0, new Budget(Long.MAX_VALUE)));
    }
}
