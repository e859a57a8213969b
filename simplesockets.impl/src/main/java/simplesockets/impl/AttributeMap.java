package simplesockets.impl;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import simplesockets.api.Attributes;

/**
 * A connection's {@link Attributes}: a concurrent map made on the first write, so that the many
 * connections that never use it pay one empty field. Once {@linkplain #clear() cleared} (right after
 * the connection's end was reported), it stays empty.
 */
final class AttributeMap implements Attributes {

    private static final VarHandle VALUES = VarHandles.field(MethodHandles.lookup(), "values", ConcurrentHashMap.class);

    private volatile ConcurrentHashMap<Key<?>, Object> values;
    private volatile boolean cleared;

    @Override
    public <T> Optional<T> get(Key<T> key) {
        Objects.requireNonNull(key, "key");
        ConcurrentHashMap<Key<?>, Object> map = values;
        return map == null ? Optional.empty() : value(key, map.get(key));
    }

    @Override
    public <T> Optional<T> set(Key<T> key, T value) {
        Objects.requireNonNull(key, "key");
        Object checked = key.type().cast(Objects.requireNonNull(value, "value"));
        ConcurrentHashMap<Key<?>, Object> map = map();
        if (map == null) {
            return Optional.empty();
        }
        Object previous = map.put(key, checked);
        dropIfCleared(map);
        return value(key, previous);
    }

    @Override
    public <T> Optional<T> remove(Key<T> key) {
        Objects.requireNonNull(key, "key");
        ConcurrentHashMap<Key<?>, Object> map = values;
        if (map == null) {
            return Optional.empty();
        }
        Object[] removed = {null};
        map.computeIfPresent(key, (k, stored) -> { // a value being made stays: the removal came before it
            if (stored instanceof Making) {
                return stored;
            }
            removed[0] = stored;
            return null;
        });
        return Optional.ofNullable(key.type().cast(removed[0]));
    }

    /**
     * Makes the value with no lock held while {@code create} runs (a map's {@code computeIfAbsent} would
     * hold a bin's monitor, which a clear, a set of another key in that bin and, on JDK 21, the carrier of a
     * virtual thread blocked in {@code create} would wait behind): the key holds a {@link Making} meanwhile,
     * which other callers for the key wait on and the rest see as absent.
     */
    @Override
    public <T> T computeIfAbsent(Key<T> key, Supplier<? extends T> create) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(create, "create");
        while (true) {
            ConcurrentHashMap<Key<?>, Object> map = map();
            if (map == null) {
                return make(key, create);
            }
            Object present = map.get(key);
            if (present instanceof Making making) {
                Object made = making.await(); // null: its create threw, and the key is free again
                if (made != null) {
                    return key.type().cast(made);
                }
            } else if (present != null) {
                return key.type().cast(present);
            } else {
                Making mine = new Making();
                if (map.putIfAbsent(key, mine) == null) {
                    return makeUnder(key, create, map, mine);
                }
            }
        }
    }

    private <T> T makeUnder(Key<T> key, Supplier<? extends T> create, ConcurrentHashMap<Key<?>, Object> map,
            Making mine) {
        T value = null;
        try {
            value = make(key, create);
        } finally {
            try {
                if (value == null) {
                    map.remove(key, mine);
                } else if (!map.replace(key, mine, value)) { // a set meanwhile stands (or a clear)
                    Object now = map.putIfAbsent(key, value); // a set, then a remove: this value after all
                    value = now == null || now instanceof Making ? value : key.type().cast(now);
                }
            } finally {
                mine.done(value); // whatever happened above: no caller waits on it for good
            }
        }
        dropIfCleared(map);
        return value;
    }

    private static <T> T make(Key<T> key, Supplier<? extends T> create) {
        return key.type().cast(Objects.requireNonNull(create.get(), "create returned null"));
    }

    /** A value as the API shows it: one still being made is not there yet. */
    private static <T> Optional<T> value(Key<T> key, Object stored) {
        return stored instanceof Making ? Optional.empty() : Optional.ofNullable(key.type().cast(stored));
    }

    /**
     * A value that a {@link #computeIfAbsent} is making, in the map in its place until it is made: other
     * callers for its key wait for it, and its maker calling again for the same key is refused.
     */
    private static final class Making {
        private final Thread maker = Thread.currentThread();
        private final java.util.concurrent.CountDownLatch made = new java.util.concurrent.CountDownLatch(1);
        private volatile Object value;

        void done(Object result) {
            value = result;
            made.countDown();
        }

        /** The value made, or {@code null} if its {@code create} threw; waits as a lock would, not interruptibly. */
        Object await() {
            if (maker == Thread.currentThread()) {
                throw new IllegalStateException("computeIfAbsent's create called it again for the same key");
            }
            boolean interrupted = false;
            while (true) {
                try {
                    made.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return value;
        }
    }

    /** Empties the map for good: the connection's end was reported. */
    void clear() {
        cleared = true;
        ConcurrentHashMap<Key<?>, Object> map = values;
        values = null;
        if (map != null) {
            map.clear();
        }
    }

    /** The map, made on first use (without a lock: the first of racing writers installs it); {@code null} once cleared. */
    @SuppressWarnings("unchecked")
    private ConcurrentHashMap<Key<?>, Object> map() {
        ConcurrentHashMap<Key<?>, Object> map = values;
        if (map != null || cleared) {
            return map;
        }
        ConcurrentHashMap<Key<?>, Object> made = new ConcurrentHashMap<>(4);
        map = (ConcurrentHashMap<Key<?>, Object>) VALUES.compareAndExchange(this, null, made);
        if (cleared) { // cleared meanwhile: what was just installed goes too
            values = null;
            return null;
        }
        return map == null ? made : map;
    }

    /** A write that raced with {@link #clear()} must not outlive it. */
    private void dropIfCleared(ConcurrentHashMap<Key<?>, Object> map) {
        if (cleared) {
            map.clear();
        }
    }

    @Override
    public String toString() {
        ConcurrentHashMap<Key<?>, Object> map = values;
        return "Attributes" + (map == null ? "[]" : map.entrySet().stream()
                .filter(entry -> !(entry.getValue() instanceof Making)).map(java.util.Map.Entry::getKey).toList());
    }
}
