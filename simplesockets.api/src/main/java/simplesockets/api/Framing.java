package simplesockets.api;

/**
 * How bytes on the wire are cut into pieces of data.
 *
 * <ul>
 *   <li>{@link Raw} (the default) is what the Python original does and what {@code nc} or any raw TCP
 *       peer speaks: each read of up to the receive buffer size is delivered as one piece, and a
 *       send writes its bytes as they are. Two quick sends may arrive as one piece, and one large
 *       send may arrive as several.</li>
 *   <li>{@link LengthPrefixed} puts a 4-byte big-endian length before each message, so a message
 *       sent is exactly a message received.</li>
 * </ul>
 */
public sealed interface Framing {

    /** Raw framing, the default. */
    Framing RAW = new Raw();

    /**
     * Length-prefixed framing with a maximum frame size.
     *
     * @param maxFrameBytes the largest message accepted or sent, in bytes (at least 1)
     * @return the framing
     */
    static Framing lengthPrefixed(int maxFrameBytes) {
        return new LengthPrefixed(maxFrameBytes);
    }

    /** Raw bytes: every read chunk is one piece of data. */
    record Raw() implements Framing {
    }

    /**
     * Each message is a 4-byte big-endian length followed by that many bytes. A peer that announces
     * more than {@code maxFrameBytes} is disconnected before anything is allocated for its frame,
     * and the violation is recorded as a {@link Failure.Protocol}.
     *
     * @param maxFrameBytes the largest message, in bytes; at least 1
     */
    record LengthPrefixed(int maxFrameBytes) implements Framing {
        /**
         * Checks the maximum.
         *
         * @throws IllegalArgumentException if {@code maxFrameBytes} is less than 1
         */
        public LengthPrefixed {
            if (maxFrameBytes < 1) {
                throw new IllegalArgumentException("maxFrameBytes must be at least 1: " + maxFrameBytes);
            }
        }
    }
}
