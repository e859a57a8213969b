package simplesockets.impl;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import simplesockets.api.Failure;

/**
 * What servers and clients share of the seed's polled model: the event queue and the exception list,
 * and the methods that read them. The engines extend it and add their own lifecycles.
 *
 * @param <E> the event type: {@code ServerEvent} or {@code ClientEvent}
 */
abstract class PolledEngine<E> {

    final EventState<E> events;
    final FailureLog failures;

    PolledEngine(EventState<E> events, FailureLog failures) {
        this.events = events;
        this.failures = failures;
    }

    public boolean hasNewData() {
        return events.hasData();
    }

    public Optional<E> pollEvent() {
        return events.poll();
    }

    public Optional<E> awaitEvent(Duration timeout) throws InterruptedException {
        return events.awaitEvent(Objects.requireNonNull(timeout, "timeout"));
    }

    public boolean hasExceptions() {
        return failures.occurred();
    }

    public List<Failure> exceptions(boolean delete, boolean reset) {
        return failures.snapshot(delete, reset);
    }

    public long droppedExceptions() {
        return failures.dropped();
    }
}
