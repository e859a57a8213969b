package simplesockets.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A reader gives up its carrier after a read that did not wait, and only then. */
class TurnsTest {

    @Test
    void yieldsAfterAnImmediateReadAndNotAfterOneThatWaited() {
        AtomicInteger yields = new AtomicInteger();
        Turns turns = new Turns(yields::incrementAndGet);
        turns.afterRead(0);
        turns.afterRead(Turns.IMMEDIATE_NANOS - 1);
        assertEquals(2, yields.get(), "reads that found data at once yield");
        turns.afterRead(Turns.IMMEDIATE_NANOS);
        turns.afterRead(50_000_000);
        assertEquals(2, yields.get(), "reads that waited for the peer have queued already and do not yield");
    }
}
