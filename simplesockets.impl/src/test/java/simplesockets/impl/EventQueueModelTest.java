package simplesockets.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import org.quicktheories.generators.SourceDSL;

/**
 * The events waiting for polling against the obvious model, one list in the order things happened:
 * data and other events interleaved at random, taken by the ways an application takes them (all the
 * data, the oldest event of any kind, asking for the flag), with the other events' bound. Data and other
 * events now wait apart, so that taking data never walks past connects and disconnects nobody polls;
 * this checks that the order seen is still the one list's.
 */
class EventQueueModelTest {

    private static final int MAX_OTHERS = 3;

    /** One step: 0 queues data, 1 another event, 2 takes all data, 3 takes the oldest event, 4 asks the flag. */
    private static Gen<List<Integer>> steps() {
        return SourceDSL.lists().of(Generate.range(0, 4)).ofSizeBetween(1, 60);
    }

    @Test
    void eventsComeOutInTheOrderTheyHappened() {
        qt().withExamples(3_000).withShrinkCycles(100).forAll(steps()).checkAssert(EventQueueModelTest::run);
    }

    private static void run(List<Integer> steps) {
        EventState<String> events = new EventState<>(MAX_OTHERS, 1 << 20);
        Credit credit = events.newCredit(new Meter(null, null));
        List<String> model = new ArrayList<>();
        long dropped = 0;
        int made = 0;
        for (int step : steps) {
            switch (step) {
                case 0 -> {
                    String name = "d" + made++;
                    events.publishData(credit, 1 << 20, new byte[1], () -> null, piece -> name);
                    model.add(name);
                }
                case 1 -> {
                    String name = "o" + made++;
                    if (model.stream().filter(e -> e.startsWith("o")).count() >= MAX_OTHERS) {
                        for (Iterator<String> it = model.iterator(); it.hasNext(); ) {
                            if (it.next().startsWith("o")) {
                                it.remove();
                                dropped++;
                                break;
                            }
                        }
                    }
                    events.publish(name);
                    model.add(name);
                }
                case 2 -> {
                    List<String> data = model.stream().filter(e -> e.startsWith("d")).toList();
                    model.removeAll(data);
                    assertEquals(data, events.drainData(), "all the data, oldest first");
                }
                case 3 -> {
                    Optional<String> oldest = model.isEmpty() ? Optional.empty() : Optional.of(model.removeFirst());
                    assertEquals(oldest, events.poll(), "the oldest event of any kind");
                }
                default -> assertEquals(model.stream().anyMatch(e -> e.startsWith("d")), events.hasData(), "the flag");
            }
            assertEquals(dropped, events.droppedEvents(), "dropped events counted");
        }
        List<String> rest = new ArrayList<>();
        for (Optional<String> e = events.poll(); e.isPresent(); e = events.poll()) {
            rest.add(e.get());
        }
        assertEquals(model, rest, "what is left, in order");
    }
}
