package simplesockets.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/** The read size follows the reads: it grows with full ones and shrinks with small ones, within bounds. */
class ReadBufferTest {

    @Test
    void startsSmallDoublesOnFullReadsAndStopsAtTheMaximum() {
        ReadBuffer reads = new ReadBuffer(2048);
        assertEquals(ReadBuffer.FIRST, reads.size());
        assertEquals(ReadBuffer.FIRST, reads.array().length);
        int expected = ReadBuffer.FIRST;
        while (expected < ReadBuffer.MAX) {
            reads.filled(reads.size(), false);
            expected *= 2;
            assertEquals(expected, reads.size());
            assertEquals(expected, reads.array().length);
        }
        reads.filled(reads.size(), false);
        assertEquals(ReadBuffer.MAX, reads.size(), "no larger than the maximum");
    }

    @Test
    void aLargerReceiveSizeRaisesTheMaximum() {
        ReadBuffer reads = new ReadBuffer(1 << 20);
        for (int i = 0; i < 30; i++) {
            reads.filled(reads.size(), false);
        }
        assertEquals(1 << 20, reads.size());
    }

    @Test
    void twoSmallReadsInARowHalveItDownToTheMinimum() {
        ReadBuffer reads = new ReadBuffer(2048);
        reads.filled(1, false);
        assertEquals(ReadBuffer.FIRST, reads.size(), "one small read changes nothing");
        reads.filled(ReadBuffer.FIRST / 2, false);
        reads.filled(1, false);
        assertEquals(ReadBuffer.FIRST, reads.size(), "a read of a quarter or more breaks the run");
        reads.filled(1, false);
        assertEquals(ReadBuffer.FIRST / 2, reads.size(), "the second small read in a row halves it");
        for (int i = 0; i < 20; i++) {
            reads.filled(1, false);
        }
        assertEquals(ReadBuffer.MIN, reads.size(), "never below the minimum");
    }

    @Test
    void anArrayHandedOverIsNeverReadIntoAgain() {
        ReadBuffer reads = new ReadBuffer(2048);
        byte[] first = reads.array();
        reads.filled(100, false);
        assertSame(first, reads.array(), "kept when the size stays and the bytes were copied out");
        reads.filled(100, true);
        assertNotSame(first, reads.array(), "a new array when the old one was handed over");
        assertEquals(ReadBuffer.FIRST, reads.array().length);
    }
}
