package simplesockets.impl;

import java.net.ProtocolException;
import java.util.Arrays;

/**
 * Line framing: each piece is one line without its {@code \n}, and without a {@code \r} just before
 * it. A chunk's lines are parsed one at a time, as they are asked for (a read of 64 KiB of empty lines
 * is never 65,536 arrays at once). A line that lies whole in one chunk is copied out of it once. A line that a chunk leaves
 * unfinished is held in a buffer that grows as its bytes arrive, charged to the budget, and never
 * past the maximum: the byte that would take the line over it is a violation, so an endless line
 * costs at most the maximum. A {@code \r} at the end of a chunk is not held but remembered, since
 * only the next byte tells whether it is data or part of the terminator; so a line of exactly the
 * maximum followed by {@code \r\n} fits.
 *
 * <p>At end of stream an unfinished line is delivered as if its {@code \n} had come.
 */
final class LineCodec extends ChunkParser {

    private static final byte NEWLINE = '\n';
    private static final byte RETURN = '\r';
    private static final byte[] RETURN_ONLY = {RETURN};
    /** The first buffer for an unfinished line, unless the maximum or the bytes in hand are smaller or larger. */
    private static final int FIRST_ALLOCATION = 256;

    private final int max;
    private final Budget budget;
    /** The unfinished line's bytes so far, or null when none are held. */
    private byte[] partial;
    private int filled;
    /** Whether the last byte seen was a {@code \r} not yet known to be data or terminator. */
    private boolean pendingReturn;

    /**
     * @param max    the longest line, in bytes, not counting its terminator
     * @param budget charged with the unfinished line's buffer as it grows; given back when it is done
     */
    LineCodec(int max, Budget budget) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be positive: " + max);
        }
        this.max = max;
        this.budget = budget;
    }

    @Override
    byte[] parseOne() throws ProtocolException {
        int newline = indexOfNewline(chunk, at, end);
        if (newline < 0) {
            hold(chunk, at, end);
            at = end;
            return null;
        }
        int stop = newline;
        if (stop > at && chunk[stop - 1] == RETURN) {
            stop--;
        } else if (stop == at && pendingReturn) {
            pendingReturn = false; // the \r that ended the last chunk belongs to this terminator
        }
        byte[] line = finishLine(chunk, at, stop);
        at = newline + 1;
        return line;
    }

    private static int indexOfNewline(byte[] chunk, int from, int to) {
        for (int i = from; i < to; i++) {
            if (chunk[i] == NEWLINE) {
                return i;
            }
        }
        return -1;
    }

    /** Keeps the bytes of a line that this chunk does not finish; a last {@code \r} is only remembered. */
    private void hold(byte[] chunk, int from, int to) throws ProtocolException {
        takePendingReturn();
        boolean endsWithReturn = chunk[to - 1] == RETURN;
        append(chunk, from, endsWithReturn ? to - 1 : to);
        pendingReturn = endsWithReturn;
    }

    /** Completes a line whose last bytes are {@code chunk[from, to)}, its terminator already cut off. */
    private byte[] finishLine(byte[] chunk, int from, int to) throws ProtocolException {
        if (partial == null && !pendingReturn) {
            if (to - from > max) {
                throw tooLong();
            }
            return Arrays.copyOfRange(chunk, from, to); // the common case: one copy, no buffer
        }
        takePendingReturn();
        append(chunk, from, to);
        byte[] line;
        if (partial == null) {
            line = new byte[0];
        } else {
            line = filled == partial.length ? partial : Arrays.copyOf(partial, filled);
            budget.release(partial.length);
        }
        partial = null;
        filled = 0;
        return line;
    }

    /** A remembered {@code \r} that is followed by more than a {@code \n} is data. */
    private void takePendingReturn() throws ProtocolException {
        if (pendingReturn) {
            pendingReturn = false;
            append(RETURN_ONLY, 0, 1);
        }
    }

    /** Adds bytes to the unfinished line, growing its buffer up to the maximum and no further. */
    private void append(byte[] bytes, int from, int to) throws ProtocolException {
        int n = to - from;
        if (n == 0) {
            return;
        }
        if (filled + n > max) {
            throw tooLong();
        }
        int have = partial == null ? 0 : partial.length;
        if (filled + n > have) {
            int grown = (int) Math.min(max, Math.max(Math.max(2L * have, FIRST_ALLOCATION), filled + n));
            budget.charge(grown - have);
            partial = partial == null ? new byte[grown] : Arrays.copyOf(partial, grown);
        }
        System.arraycopy(bytes, from, partial, filled, n);
        filled += n;
    }

    private ProtocolException tooLong() {
        return new ProtocolException("line longer than the maximum of " + max + " bytes (Framing.lines)");
    }

    @Override
    public boolean midMessage() {
        return !violated() && (partial != null || pendingReturn);
    }

    /** A last line without its {@code \n} is delivered; a {@code \r} that ended it is dropped, as before a {@code \n}. */
    @Override
    public void endOfStream() {
        if (!violated() && (partial != null || pendingReturn)) {
            pendingReturn = false;
            try {
                completedAtEnd(finishLine(RETURN_ONLY, 0, 0));
            } catch (ProtocolException e) {
                throw new IllegalStateException("a held line is never over the maximum", e);
            }
        }
    }

    @Override
    public byte[] encode(byte[] data) throws ProtocolException {
        if (data.length > max) {
            throw new ProtocolException("line of " + data.length + " bytes is over the maximum of " + max
                    + " bytes (Framing.lines)");
        }
        int newline = indexOfNewline(data, 0, data.length);
        if (newline >= 0) {
            throw new ProtocolException("a line to send must not contain a newline (\\n at index " + newline + ")");
        }
        byte[] out = Arrays.copyOf(data, data.length + 1);
        out[data.length] = NEWLINE;
        return out;
    }

    /** The bytes held for the unfinished line; never more than the maximum. */
    @Override
    public int allocated() {
        return partial == null ? 0 : partial.length;
    }

    @Override
    public void release() {
        forget();
        if (partial != null) {
            budget.release(partial.length);
        }
        partial = null;
        filled = 0;
        pendingReturn = false;
    }
}
