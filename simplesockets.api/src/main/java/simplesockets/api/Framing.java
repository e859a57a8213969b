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
 *   <li>{@link Lines} cuts text at each {@code \n} (with {@code \r\n} accepted), as {@code ncat},
 *       {@code telnet} and line-based protocols speak: a line sent is a line received, however TCP
 *       splits or joins the bytes.</li>
 * </ul>
 */
public sealed interface Framing {

    /** Raw framing, the default. */
    Framing RAW = new Raw();

    /**
     * The largest maximum a frame or a line may have: 1 GiB. A message past it could not be held in one
     * Java array as its buffer doubles; messages that large belong in a stream of smaller ones.
     */
    int LARGEST = 1 << 30;

    /**
     * Length-prefixed framing with a maximum frame size.
     *
     * @param maxFrameBytes the largest message accepted or sent, in bytes (1 to {@link #LARGEST})
     * @return the framing
     * @throws IllegalArgumentException if {@code maxFrameBytes} is out of that range
     */
    static Framing lengthPrefixed(int maxFrameBytes) {
        return new LengthPrefixed(maxFrameBytes);
    }

    /**
     * Line framing with a maximum line length.
     *
     * @param maxLineBytes the longest line accepted or sent, in bytes, not counting its terminator
     *                     (1 to {@link #LARGEST})
     * @return the framing
     * @throws IllegalArgumentException if {@code maxLineBytes} is out of that range
     */
    static Framing lines(int maxLineBytes) {
        return new Lines(maxLineBytes);
    }

    /** Raw bytes: every read chunk is one piece of data. */
    record Raw() implements Framing {
    }

    /**
     * Each message is a 4-byte big-endian length followed by that many bytes. A peer that announces
     * more than {@code maxFrameBytes} is disconnected before anything is allocated for its frame,
     * and the violation is recorded as a {@link Failure.Protocol}. So is a stream that ends inside a
     * frame (its length or its body): the part that came is no message and is not delivered.
     *
     * @param maxFrameBytes the largest message, in bytes; 1 to {@link Framing#LARGEST}
     */
    record LengthPrefixed(int maxFrameBytes) implements Framing {
        /**
         * Checks the maximum.
         *
         * @throws IllegalArgumentException if {@code maxFrameBytes} is less than 1 or past {@link Framing#LARGEST}
         */
        public LengthPrefixed {
            if (maxFrameBytes < 1 || maxFrameBytes > LARGEST) {
                throw new IllegalArgumentException("maxFrameBytes must be 1 to " + LARGEST + " (1 GiB): " + maxFrameBytes);
            }
        }
    }

    /**
     * Each message is one line, ended by {@code \n}. A received piece is the line without its
     * terminator: the {@code \n} and a {@code \r} just before it are dropped, so {@code \r\n} peers
     * work too, and an empty line arrives as an empty array. Any other {@code \r} is data.
     *
     * <p>A peer whose line grows past {@code maxLineBytes} (not counting the terminator) is
     * disconnected as soon as it does, with nothing past the maximum held for it: the violation is
     * recorded as a {@link Failure.Protocol} (a {@link java.net.ProtocolException} that names the
     * maximum) and the disconnect is reported with {@link DisconnectReason.Failed}. The lines it
     * completed before that are still delivered. When the stream ends after a last line with no
     * {@code \n}, that line is delivered as if the {@code \n} had come, as
     * {@link java.io.BufferedReader#readLine()} does.
     *
     * <p>A send writes the data followed by {@code \n}. Data that contains a {@code \n}, or is
     * longer than {@code maxLineBytes}, is refused with a {@link java.net.ProtocolException} before
     * anything is written. Data that ends with {@code \r} is sent, but a line-framed peer drops that
     * {@code \r} as part of the terminator.
     *
     * @param maxLineBytes the longest line, in bytes, not counting its terminator; 1 to {@link Framing#LARGEST}
     */
    record Lines(int maxLineBytes) implements Framing {
        /**
         * Checks the maximum.
         *
         * @throws IllegalArgumentException if {@code maxLineBytes} is less than 1 or past {@link Framing#LARGEST}
         */
        public Lines {
            if (maxLineBytes < 1 || maxLineBytes > LARGEST) {
                throw new IllegalArgumentException("maxLineBytes must be 1 to " + LARGEST + " (1 GiB): " + maxLineBytes);
            }
        }
    }
}
