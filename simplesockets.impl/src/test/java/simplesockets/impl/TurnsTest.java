package simplesockets.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A reader gives up its carrier after a read that did not wait, unless it is streaming full reads. */
class TurnsTest {

    @Test
    void yieldsAfterAnImmediateReadAndNotAfterOneThatWaited() {
        AtomicInteger yields = new AtomicInteger();
        Turns turns = new Turns(yields::incrementAndGet);
        turns.afterRead(0, false);
        turns.afterRead(Turns.IMMEDIATE_NANOS - 1, false);
        assertEquals(2, yields.get(), "reads that found data at once yield");
        turns.afterRead(Turns.IMMEDIATE_NANOS, false);
        turns.afterRead(50_000_000, true);
        assertEquals(2, yields.get(), "reads that waited for the peer have queued already and do not yield");
    }

    @Test
    void aStreamOfFullReadsYieldsOncePerRoundOfSixteen() {
        AtomicInteger yields = new AtomicInteger();
        Turns turns = new Turns(yields::incrementAndGet);
        for (int i = 0; i < Turns.MAX_STREAK; i++) {
            turns.afterRead(0, true);
        }
        assertEquals(0, yields.get(), "full reads go on, up to the streak");
        turns.afterRead(0, true);
        assertEquals(1, yields.get(), "the seventeenth ends the turn");
        for (int i = 0; i < Turns.MAX_STREAK; i++) {
            turns.afterRead(0, true);
        }
        assertEquals(1, yields.get(), "a new round of sixteen");
        turns.afterRead(0, false);
        assertEquals(2, yields.get(), "a partial immediate read ends the turn at once");
        turns.afterRead(0, true);
        turns.afterRead(10_000_000, true);
        for (int i = 0; i < Turns.MAX_STREAK; i++) {
            turns.afterRead(0, true);
        }
        assertEquals(2, yields.get(), "a read that waited starts a new round");
    }
}
