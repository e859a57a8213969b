package simplesockets.api;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A connection's own state: values the application keeps with a {@link Connection} (a user name, a
 * session, an authenticated principal), each under a typed {@link Key}. Netty calls these attributes.
 *
 * <p>Thread-safe: any thread may read and write, and {@link #computeIfAbsent} creates a value at most
 * once. None of these methods blocks, but a {@code computeIfAbsent} waiting for another thread's
 * {@code create} of the same key; none does I/O, and none holds a lock while a {@code create} runs.
 *
 * <p>The values live as long as the connection's story, and are cleared when it ends, so that a
 * connection kept somewhere by mistake does not keep its values alive. They are still there while
 * its end is handled:
 * <ul>
 *   <li>with callbacks, in {@code onDisconnect}; they are cleared when it returns (at once, when there
 *       is no {@code onDisconnect});</li>
 *   <li>with polling, while the application handles the {@link ServerEvent.Disconnected} event it
 *       took with {@link TcpServer#pollEvent()} or {@link TcpServer#awaitEvent(java.time.Duration)};
 *       they are cleared at the next of those calls, or when the server closes.</li>
 * </ul>
 * After that, reads find nothing and writes are ignored.
 *
 * {@snippet :
 * static final Attributes.Key<String> NAME = Attributes.Key.of("name", String.class);
 *
 * ServerOptions options = ServerOptions.builder()
 *         .onReceive((connection, data) -> {
 *             if (connection.attributes().get(NAME).isEmpty()) {
 *                 connection.attributes().set(NAME, new String(data, StandardCharsets.UTF_8));
 *             }
 *         })
 *         .onDisconnect((connection, reason) -> System.out.println(
 *                 connection.attributes().get(NAME).orElse("someone") + " left"))
 *         .build();
 * }
 */
public interface Attributes {

    /**
     * The value under a key.
     *
     * @param key the key
     * @param <T> the value's type
     * @return the value, or empty when none is set
     */
    <T> Optional<T> get(Key<T> key);

    /**
     * Sets the value under a key.
     *
     * @param key   the key
     * @param value the value; not {@code null} (use {@link #remove})
     * @param <T>   the value's type
     * @return the value it replaced, or empty
     * @throws ClassCastException if {@code value} is not of the key's type
     */
    <T> Optional<T> set(Key<T> key, T value);

    /**
     * Removes the value under a key.
     *
     * @param key the key
     * @param <T> the value's type
     * @return the value removed, or empty
     */
    <T> Optional<T> remove(Key<T> key);

    /**
     * The value under a key, created and set by {@code create} when there is none. {@code create} runs
     * on the calling thread, and at most once per key while it succeeds: other callers for the same key
     * wait for its value meanwhile (the key reads as absent until it is made, and a {@link #remove} leaves it
     * being made); nothing else waits for it. If it throws, its caller gets the exception, nothing is set
     * for it, and a caller that waited tries its own {@code create}. {@code create} may use these
     * attributes, but not this key; two that ask for each other's key on two threads wait for each other
     * for good, as two locks taken in opposite orders would.
     *
     * @param key    the key
     * @param create makes the value; it must not return {@code null}
     * @param <T>    the value's type
     * @return the value now set (a value {@link #set} for the key while {@code create} ran wins)
     * @throws NullPointerException  if {@code create} returned {@code null}
     * @throws ClassCastException    if what it returned is not of the key's type
     * @throws IllegalStateException if {@code create} asked for its own key
     */
    <T> T computeIfAbsent(Key<T> key, Supplier<? extends T> create);

    /**
     * A typed key for {@link Attributes}. Keys are compared by identity, so two keys with the same name
     * never collide: keep each in a {@code static final} field.
     *
     * @param <T> the type of the values under this key
     */
    final class Key<T> {
        private final String name;
        private final Class<T> type;

        private Key(String name, Class<T> type) {
            this.name = Objects.requireNonNull(name, "name");
            this.type = Objects.requireNonNull(type, "type");
        }

        /**
         * A new key.
         *
         * @param name a name for logs and {@link #toString()}
         * @param type the type of the values, a class (for numbers, {@code Integer.class}, not {@code int.class});
         *             values are checked against it when set
         * @param <T>  the type of the values
         * @return a key unlike every other
         * @throws IllegalArgumentException if {@code type} is a primitive type, which no value is an instance of
         */
        public static <T> Key<T> of(String name, Class<T> type) {
            if (type.isPrimitive()) {
                throw new IllegalArgumentException("the key " + name + " needs a class, not the primitive type " + type
                        + ": a value set is boxed, so use its wrapper class");
            }
            return new Key<>(name, type);
        }

        /**
         * The key's name.
         *
         * @return the name given to {@link #of}
         */
        public String name() {
            return name;
        }

        /**
         * The type of the values under this key.
         *
         * @return the type given to {@link #of}
         */
        public Class<T> type() {
            return type;
        }

        /**
         * The name and the type, for logs.
         *
         * @return a readable form
         */
        @Override
        public String toString() {
            return "Key[" + name + ": " + type.getSimpleName() + "]";
        }
    }
}
