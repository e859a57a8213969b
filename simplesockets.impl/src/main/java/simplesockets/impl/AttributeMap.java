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
        return map == null ? Optional.empty() : Optional.ofNullable(key.type().cast(map.get(key)));
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
        return Optional.ofNullable(key.type().cast(previous));
    }

    @Override
    public <T> Optional<T> remove(Key<T> key) {
        Objects.requireNonNull(key, "key");
        ConcurrentHashMap<Key<?>, Object> map = values;
        return map == null ? Optional.empty() : Optional.ofNullable(key.type().cast(map.remove(key)));
    }

    @Override
    public <T> T computeIfAbsent(Key<T> key, Supplier<? extends T> create) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(create, "create");
        ConcurrentHashMap<Key<?>, Object> map = map();
        if (map == null) {
            return Objects.requireNonNull(create.get(), "create returned null");
        }
        Object value = map.computeIfAbsent(key, k -> key.type().cast(Objects.requireNonNull(create.get(),
                "create returned null")));
        dropIfCleared(map);
        return key.type().cast(value);
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
        return "Attributes" + (map == null ? "{}" : map.keySet());
    }
}
