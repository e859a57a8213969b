package simplesockets.api;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What the three stats snapshots share: their figures in one array (so that equality, hashing and the
 * one-line text are written once), and the failure counts by kind.
 */
final class Figures {

    private Figures() {
    }

    /** Checks a figure that counts or measures something: never negative. */
    static long count(String name, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must not be negative: " + value);
        }
        return value;
    }

    /** Checks a duration figure and returns it in nanoseconds. */
    static long nanos(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative: " + value);
        }
        if (value.compareTo(Duration.ofNanos(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException(name + " is longer than nanoseconds can count (about 292 years): " + value);
        }
        return value.toNanos();
    }

    /**
     * The failure counts, checked and copied: kinds with a count of zero are left out, and the order
     * is the order of {@link Failure}'s kinds.
     */
    static Map<Class<? extends Failure>, Long> failures(Map<Class<? extends Failure>, Long> counts) {
        Objects.requireNonNull(counts, "failures");
        Map<Class<? extends Failure>, Long> copy = new LinkedHashMap<>();
        for (Class<?> kind : Failure.class.getPermittedSubclasses()) {
            Long count = counts.get(kind);
            if (count != null && count(kind.getSimpleName(), count) > 0) {
                copy.put(kind.asSubclass(Failure.class), count);
            }
        }
        for (Map.Entry<Class<? extends Failure>, Long> e : counts.entrySet()) {
            Objects.requireNonNull(e.getKey(), "a failure kind");
            Objects.requireNonNull(e.getValue(), "a failure count");
            if (!copy.containsKey(e.getKey()) && e.getValue() != 0) {
                throw new IllegalArgumentException("not a kind of Failure: " + e.getKey());
            }
        }
        return Collections.unmodifiableMap(copy);
    }

    /**
     * One line: {@code Type[name=value name=value ...]}, with durations in milliseconds and the
     * failures by kind last, when there are any.
     */
    static String line(String type, String[] names, long[] values, int durationAt,
            Map<Class<? extends Failure>, Long> failures) {
        StringBuilder line = new StringBuilder(type).append('[');
        for (int i = 0; i < names.length; i++) {
            if (i > 0) {
                line.append(' ');
            }
            line.append(names[i]).append('=');
            if (i == durationAt) {
                line.append(values[i] / 1_000_000).append("ms");
            } else {
                line.append(values[i]);
            }
        }
        if (failures != null) {
            line.append(" failures={");
            String separator = "";
            for (Map.Entry<Class<? extends Failure>, Long> e : failures.entrySet()) {
                line.append(separator).append(e.getKey().getSimpleName()).append('=').append(e.getValue());
                separator = ", ";
            }
            line.append('}');
        }
        return line.append(']').toString();
    }
}
