package simplesockets.impl;

import java.io.EOFException;
import java.net.ProtocolException;
import java.util.Arrays;
import simplesockets.api.Framing;

/**
 * Framing on the wire: turns read chunks into pieces of data, and data into bytes to write.
 * A decoder belongs to one connection's reader and is not thread-safe; encoding is stateless.
 */
sealed interface Codec permits Codec.Raw, ChunkParser {

    /**
     * Makes a fresh codec for one connection.
     *
     * @param maxRawPiece for raw framing, the largest piece handed out; a longer chunk is split
     */
    static Codec of(Framing framing, int maxRawPiece, Budget budget) {
        return switch (framing) {
            case Framing.Raw raw -> new Raw(maxRawPiece);
            case Framing.LengthPrefixed lp -> new LengthPrefixed(lp.maxFrameBytes(), budget);
            case Framing.Lines lines -> new LineCodec(lines.maxLineBytes(), budget);
        };
    }

    /** Bytes held for a frame still arriving; 0 when none is. */
    default int allocated() {
        return 0;
    }

    /**
     * Whether a message has begun and not ended: part of a frame's header or body, or of a line, is
     * held. A graceful close waits for its rest, within its grace
     * ({@link simplesockets.impl.transport.Transport#awaitRest()}).
     * Raw framing has no messages: never.
     */
    default boolean midMessage() {
        return false;
    }

    /**
     * Takes a chunk just read. The caller leaves {@code chunk} unchanged until {@link #next()} has
     * returned {@code null}, and feeds again only then. A framing violation stops the parsing; the
     * pieces completed before it stay available from {@link #next()}, and {@link #check()} then
     * reports it.
     *
     * @return whether the codec keeps the {@code chunk} array itself as a piece, so that the caller
     *         must read into a new array next time; otherwise the pieces handed out are copies
     */
    boolean feed(byte[] chunk, int length);

    /** The next complete piece of data, or {@code null} if more bytes are needed. */
    byte[] next();

    /** Whether {@link #next()} would return a piece now. */
    boolean hasNext();

    /** Throws the framing violation that stopped the parsing, if any. */
    void check() throws ProtocolException;

    /**
     * Called at end of stream. A piece the end completes (a last line without its newline) is then
     * available from {@link #next()}.
     *
     * @throws EOFException if the stream ended inside a piece that cannot be completed
     */
    void endOfStream() throws EOFException;

    /** The bytes to write for one piece of data. */
    byte[] encode(byte[] data) throws ProtocolException;

    /** Lets go of every buffer: the connection ended, and nothing is decoded any more. */
    void release();

    /**
     * Raw: a chunk is handed out as it came, in pieces of at most the configured size, and data goes
     * out as it is. Pieces are copied out of the chunk one at a time, as they are asked for, except
     * that a full chunk that is one piece is handed out as it is.
     */
    final class Raw implements Codec {
        private final int maxPiece;
        private byte[] chunk;
        private int at;
        private int end;
        /** Whether the whole chunk array is the one piece, handed out without a copy. */
        private boolean whole;

        Raw(int maxPiece) {
            if (maxPiece < 1) {
                throw new IllegalArgumentException("maxPiece must be positive: " + maxPiece);
            }
            this.maxPiece = maxPiece;
        }

        @Override
        public boolean feed(byte[] chunk, int length) {
            this.chunk = chunk;
            this.at = 0;
            this.end = length;
            this.whole = length == chunk.length && length <= maxPiece;
            return whole;
        }

        @Override
        public void check() {
        }

        @Override
        public boolean hasNext() {
            return at < end;
        }

        @Override
        public byte[] next() {
            if (at >= end) {
                chunk = null;
                return null;
            }
            int size = Math.min(maxPiece, end - at);
            byte[] piece = whole ? chunk : Arrays.copyOfRange(chunk, at, at + size);
            at += size;
            return piece;
        }

        @Override
        public void endOfStream() {
        }

        @Override
        public byte[] encode(byte[] data) {
            return data;
        }

        @Override
        public void release() {
            chunk = null;
            at = end;
        }
    }

    /**
     * A 4-byte big-endian length, then that many bytes. The length is checked against the maximum
     * before anything is allocated for the frame, and the frame's buffer holds what has arrived, growing
     * by doubling: never more than twice what the peer sent.
     */
    final class LengthPrefixed extends ChunkParser {
        private static final int HEADER = 4;
        private final int max;
        private final byte[] header = new byte[HEADER];
        private int headerFilled;
        /** Bytes of the current frame so far; grows as they arrive, never past the announced size. */
        private byte[] frame;
        private int frameSize;
        private int frameFilled;

        /** Charged with the frame buffer as it grows; given back when the frame is complete. */
        private final Budget budget;

        LengthPrefixed(int max, Budget budget) {
            this.max = max;
            this.budget = budget;
        }

        @Override
        byte[] parseOne() throws ProtocolException {
            while (at < end) {
                if (frame == null) {
                    int take = Math.min(HEADER - headerFilled, end - at);
                    System.arraycopy(chunk, at, header, headerFilled, take);
                    headerFilled += take;
                    at += take;
                    if (headerFilled == HEADER) {
                        startFrame();
                    }
                } else {
                    int take = Math.min(frameSize - frameFilled, end - at);
                    if (frameFilled + take > frame.length) {
                        int grown = (int) Math.min(frameSize, Math.max(2L * frame.length, frameFilled + take));
                        budget.charge(grown - frame.length);
                        frame = Arrays.copyOf(frame, grown);
                    }
                    System.arraycopy(chunk, at, frame, frameFilled, take);
                    frameFilled += take;
                    at += take;
                }
                if (frame != null && frameFilled == frameSize) {
                    byte[] done = frame;
                    budget.release(frame.length);
                    frame = null;
                    headerFilled = 0;
                    return done;
                }
            }
            return null;
        }

        private void startFrame() throws ProtocolException {
            int size = ((header[0] & 0xff) << 24) | ((header[1] & 0xff) << 16) | ((header[2] & 0xff) << 8)
                    | (header[3] & 0xff);
            if (size < 0 || size > max) {
                throw new ProtocolException("frame of " + Integer.toUnsignedString(size)
                        + " bytes is over the maximum of " + max);
            }
            // Allocate as bytes arrive: a header alone costs nothing, and the frame then grows to what has
            // arrived, doubling, so a peer is charged at most twice what it sent. (A first allocation of a
            // fixed size let headers alone, one per connection, spend the bound on bytes in flight.)
            frame = new byte[Math.min(size, end - at)];
            budget.charge(frame.length);
            frameSize = size;
            frameFilled = 0;
        }

        @Override
        public void release() {
            forget();
            if (frame != null) {
                budget.release(frame.length);
            }
            frame = null;
            headerFilled = 0;
        }

        @Override
        public boolean midMessage() {
            return !violated() && headerFilled > 0;
        }

        /** The bytes allocated for the frame in progress; never more than the maximum. */
        @Override
        public int allocated() {
            return frame == null ? 0 : frame.length;
        }

        @Override
        public void endOfStream() throws EOFException {
            if (headerFilled > 0) {
                throw new EOFException("stream ended inside a frame");
            }
        }

        @Override
        public byte[] encode(byte[] data) throws ProtocolException {
            if (data.length > max) {
                throw new ProtocolException("message of " + data.length + " bytes is over the maximum frame of " + max);
            }
            byte[] out = new byte[HEADER + data.length];
            out[0] = (byte) (data.length >>> 24);
            out[1] = (byte) (data.length >>> 16);
            out[2] = (byte) (data.length >>> 8);
            out[3] = (byte) data.length;
            System.arraycopy(data, 0, out, HEADER, data.length);
            return out;
        }
    }
}
