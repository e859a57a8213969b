package simplesockets.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static simplesockets.impl.Peers.bytes;
import static simplesockets.impl.Peers.text;

import java.io.ByteArrayOutputStream;
import java.net.ProtocolException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import org.quicktheories.generators.SourceDSL;
import simplesockets.api.Framing;

/** The line codec, fed every way TCP may split the bytes, and hostile streams. */
class LineCodecTest {

    private static LineCodec codec(int max) {
        return (LineCodec) Codec.of(Framing.lines(max), 2048, new Budget(Long.MAX_VALUE));
    }

    /** What the decoder made of a stream: the lines, and whether it stopped at a violation. */
    record Decoded(List<String> lines, boolean violated) {
    }

    /** Feeds the stream in chunks of the given size (into arrays with slack past the length), then ends it. */
    private static Decoded decode(LineCodec codec, byte[] stream, int chunk, int max) {
        List<String> lines = new ArrayList<>();
        boolean violated = false;
        try {
            for (int at = 0; at < stream.length; at += chunk) {
                int n = Math.min(chunk, stream.length - at);
                byte[] read = new byte[n + 5];
                System.arraycopy(stream, at, read, 0, n);
                Arrays.fill(read, n, read.length, (byte) '\n'); // bytes past the length must be ignored
                assertFalse(codec.feed(read, n), "lines are always copies");
                assertTrue(codec.allocated() <= max, "allocated " + codec.allocated() + " over " + max);
                for (byte[] line = codec.next(); line != null; line = codec.next()) {
                    lines.add(text(line));
                }
                codec.check();
            }
            codec.endOfStream();
        } catch (ProtocolException e) {
            violated = true;
            assertTrue(e.getMessage().contains("maximum of " + max + " bytes"), e.getMessage());
        }
        for (byte[] line = codec.next(); line != null; line = codec.next()) {
            lines.add(text(line)); // lines completed before the violation stay deliverable
        }
        return new Decoded(lines, violated);
    }

    /** The obvious decoder: split at each \n, drop one \r before it, the tail is a last line. */
    private static Decoded reference(byte[] stream, int max) {
        String all = new String(stream, java.nio.charset.StandardCharsets.ISO_8859_1);
        List<String> lines = new ArrayList<>();
        String[] parts = all.split("\n", -1);
        for (int i = 0; i < parts.length; i++) {
            String line = parts[i];
            boolean last = i == parts.length - 1;
            if (last && line.isEmpty()) {
                break;
            }
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            if (line.length() > max) {
                return new Decoded(lines, true);
            }
            lines.add(line);
        }
        return new Decoded(lines, false);
    }

    @Test
    void everySplitPointGivesTheSameLines() {
        byte[] stream = bytes("one\r\ntwo\n\n\r\nthree\rstill three\r\r\nfour without a newline\r");
        List<String> expected = List.of("one", "two", "", "", "three\rstill three\r", "four without a newline");
        for (int chunk = 1; chunk <= stream.length; chunk++) {
            Decoded decoded = decode(codec(64), stream, chunk, 64);
            assertEquals(expected, decoded.lines(), "chunks of " + chunk);
            assertFalse(decoded.violated());
        }
    }

    @Test
    void aLineOfExactlyTheMaximumFitsWithEitherTerminatorAndOneMoreByteIsAViolation() {
        for (int chunk = 1; chunk <= 12; chunk++) {
            assertEquals(new Decoded(List.of("12345678", "abcdefgh", "x"), false),
                    decode(codec(8), bytes("12345678\nabcdefgh\r\nx"), chunk, 8), "chunks of " + chunk);
            assertEquals(new Decoded(List.of("12345678"), true),
                    decode(codec(8), bytes("12345678\n123456789\nnever"), chunk, 8), "chunks of " + chunk);
            assertEquals(new Decoded(List.of(), true),
                    decode(codec(8), bytes("12345678\r\r\n"), chunk, 8), "a \\r that is data counts: chunks of " + chunk);
        }
    }

    /**
     * A chunk's lines are parsed as they are asked for: one read of 64 KiB of empty lines, of which the
     * reader may queue only a few, costs a few lines' allocations, not 65,536 arrays and a queue for them
     * (about 1.5 MiB per connection, outside every bound, before this).
     */
    @Test
    void aChunkOfManyLinesIsParsedOneLineAtATime() {
        LineCodec codec = codec(16);
        byte[] empties = new byte[64 * 1024];
        Arrays.fill(empties, (byte) '\n');
        CodecTest.takingTenOfAChunkCostsLittle(codec, empties, 16, empties.length, "lines");
    }

    @Test
    void theViolationComesAtTheFirstByteOverTheMaximumAndHoldsNoMore() throws Exception {
        LineCodec codec = codec(1000);
        byte[] flood = new byte[999];
        Arrays.fill(flood, (byte) 'x');
        codec.feed(flood, flood.length);
        assertNull(codec.next(), "a chunk's lines are parsed as they are asked for, as the reader does");
        codec.check();
        assertTrue(codec.allocated() >= 999 && codec.allocated() <= 1000, "held " + codec.allocated());
        codec.feed(new byte[] {'x'}, 1);
        assertNull(codec.next());
        codec.check(); // exactly the maximum so far: still fine
        codec.feed(new byte[] {'\r'}, 1);
        assertNull(codec.next());
        codec.check(); // could still be a terminator
        codec.feed(new byte[] {'x'}, 1);
        assertNull(codec.next());
        ProtocolException e = assertThrows(ProtocolException.class, codec::check);
        assertEquals("line longer than the maximum of 1000 bytes (Framing.lines)", e.getMessage());
        assertTrue(codec.allocated() <= 1000);
        codec.feed(bytes("more\n"), 5);
        assertNull(codec.next(), "nothing is parsed after a violation");
        codec.release();
        assertEquals(0, codec.allocated());
    }

    @Test
    void theUnfinishedLineIsChargedToTheBudgetAndGivenBackWhenDone() throws Exception {
        Budget budget = new Budget(Long.MAX_VALUE);
        Codec codec = Codec.of(Framing.lines(10_000), 2048, budget);
        codec.feed(bytes("whole\nhalf"), 10);
        assertEquals("whole", text(codec.next()));
        assertNull(codec.next());
        assertEquals(codec.allocated(), budget.used(), "only the unfinished line is held");
        assertTrue(budget.used() > 0);
        codec.feed(bytes(" done\n"), 6);
        assertEquals("half done", text(codec.next()));
        assertEquals(0, budget.used());
        assertEquals(0, codec.allocated());
        codec.feed(bytes("cut off"), 7);
        assertNull(codec.next());
        assertTrue(budget.used() > 0);
        codec.release();
        assertEquals(0, budget.used(), "an ended connection gives back its unfinished line");
    }

    @Test
    void endOfStreamDeliversTheLastLineOnlyWhenThereIsOne() throws Exception {
        LineCodec codec = codec(16);
        codec.feed(bytes("done\n"), 5);
        assertEquals("done", text(codec.next()));
        codec.endOfStream();
        assertNull(codec.next(), "no phantom empty line after a final newline");
        LineCodec lone = codec(16);
        lone.feed(bytes("\r"), 1);
        assertNull(lone.next());
        lone.endOfStream();
        assertArrayEquals(new byte[0], lone.next(), "a lone \\r at the end is an empty last line");
    }

    @Test
    void encodeAppendsANewlineAndRefusesEmbeddedNewlinesAndLongLines() throws Exception {
        LineCodec codec = codec(5);
        assertArrayEquals(bytes("hello\n"), codec.encode(bytes("hello")));
        assertArrayEquals(bytes("\n"), codec.encode(new byte[0]));
        byte[] data = bytes("a\r");
        assertArrayEquals(bytes("a\r\n"), codec.encode(data));
        assertArrayEquals(bytes("a\r"), data, "the caller's array is not changed");
        ProtocolException newline = assertThrows(ProtocolException.class, () -> codec.encode(bytes("a\nb")));
        assertTrue(newline.getMessage().contains("newline"), newline.getMessage());
        ProtocolException tooLong = assertThrows(ProtocolException.class, () -> codec.encode(bytes("123456")));
        assertTrue(tooLong.getMessage().contains("maximum of 5"), tooLong.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new LineCodec(0, new Budget(1)));
    }

    /** Streams of short lines, long lines, stray \r and missing newlines. */
    private static Gen<byte[]> hostileStreams() {
        Gen<String> piece = Generate.pick(List.of("a", "bc", "\r", "\n", "\r\n", "\n\n", "xxxxxxxxxxx", "0123456789012345"));
        return SourceDSL.lists().of(piece).ofSizeBetween(0, 30).map(pieces -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            pieces.forEach(p -> out.writeBytes(bytes(p)));
            return out.toByteArray();
        }).describedAs(stream -> text(stream).replace("\r", "\\r").replace("\n", "\\n"));
    }

    @Test
    void theDecoderAgreesWithTheObviousOneOnHostileStreams() {
        qt().withExamples(20_000).withShrinkCycles(100)
                .forAll(hostileStreams(), Generate.range(1, 9), Generate.range(1, 20))
                .checkAssert((stream, chunk, max) ->
                        assertEquals(reference(stream, max), decode(codec(max), stream, chunk, max)));
    }
}
