package simplesockets.impl;

import java.net.ProtocolException;

/**
 * A {@link Codec} that parses the chunk it is fed one message at a time, as the messages are asked for,
 * so that a read of many small messages never becomes them all at once, outside every bound. A framing
 * violation stops the parsing: the messages before it are handed out first, then {@link #check()}
 * reports it. Its subclasses say how one message is parsed.
 */
abstract sealed class ChunkParser implements Codec permits Codec.LengthPrefixed, LineCodec {

    /** The chunk being parsed, from {@link #at} to {@link #end}; {@code null} once it is used up. */
    byte[] chunk;
    int at;
    int end;
    /** A message parsed by {@link #hasNext()}, or completed by the end of stream, not yet handed out. */
    private byte[] ready;
    private ProtocolException violation;

    /**
     * Parses the next message of {@link #chunk} from {@link #at}, moving {@code at} past it.
     *
     * @return the message, or {@code null} once the chunk is used up (a begun message held)
     * @throws ProtocolException if the peer broke the framing
     */
    abstract byte[] parseOne() throws ProtocolException;

    @Override
    public boolean feed(byte[] chunk, int length) {
        if (violation == null && length > 0) {
            this.chunk = chunk;
            this.at = 0;
            this.end = length;
        }
        return false;
    }

    private byte[] parseNext() {
        if (chunk == null) {
            return null;
        }
        try {
            byte[] message = parseOne();
            if (message == null || at == end) {
                chunk = null;
            }
            return message;
        } catch (ProtocolException e) {
            violation = e;
            chunk = null;
            return null;
        }
    }

    @Override
    public byte[] next() {
        byte[] message = ready != null ? ready : parseNext();
        ready = null;
        return message;
    }

    @Override
    public boolean hasNext() {
        if (ready == null) {
            ready = parseNext();
        }
        return ready != null;
    }

    @Override
    public void check() throws ProtocolException {
        if (violation != null) {
            throw violation;
        }
    }

    /** Whether the peer broke the framing. */
    boolean violated() {
        return violation != null;
    }

    /** The message the end of stream completed, handed out next. */
    void completedAtEnd(byte[] message) {
        ready = message;
    }

    /** Forgets the chunk and a message parsed ahead; a subclass's {@link #release()} lets go of the rest. */
    void forget() {
        chunk = null;
        ready = null;
    }
}
