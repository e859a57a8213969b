package simplesockets.impl;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The events waiting for polling, in the order they happened, with their counts: data entries charged
 * to their connection's {@link Credit} and to the {@link Budget}, and other events bounded by count
 * (past it the oldest is dropped and counted). Data and other events wait in two queues, numbered in one
 * sequence, so that taking data never walks past the connects and disconnects nobody polls (a server that
 * only takes data lets up to {@code maxOtherEvents} of them wait), and the oldest of any kind is still
 * known. Not thread-safe: {@link EventState} guards it with its lock and does the waiting.
 *
 * @param <E> the event type
 */
final class EventQueue<E> {

    /** What one queued piece costs on top of its bytes, so empty pieces cannot queue unbounded memory. */
    static final int ENTRY_OVERHEAD = 64;
    /**
     * What a connection that ended with pieces still queued costs until the last of them is taken: its
     * pieces keep the whole connection (its socket's objects, its parts and counters, about 1.5 KB), so
     * peers that connect, send a byte and leave cannot keep twenty times the bound in ended connections.
     */
    static final int ENDED_CONNECTION = 2048;

    private record Entry<E>(E event, Credit credit, int bytes, long order) {
    }

    private final ArrayDeque<Entry<E>> data = new ArrayDeque<>();
    private final ArrayDeque<Entry<E>> others = new ArrayDeque<>();
    /** The order of the next event queued, of either kind. */
    private long next;
    /** The credits of the pieces taken since the last {@link #settle()}. */
    private final List<Credit> inHand = new ArrayList<>();
    private final int maxOtherEvents;
    private final Budget budget;
    private long queuedTotal;
    private volatile long droppedEvents; // written under the event state's lock; read without it (stats)

    EventQueue(int maxOtherEvents, Budget budget) {
        this.maxOtherEvents = maxOtherEvents;
        this.budget = budget;
    }

    /** Queues a piece of data, charged to its connection's credit and to the budget. */
    void addData(Credit credit, E event, int bytes) {
        int cost = bytes + ENTRY_OVERHEAD;
        data.addLast(new Entry<>(event, credit, cost, next++));
        credit.charge(bytes, ENTRY_OVERHEAD);
        queuedTotal += cost;
        budget.charge(cost);
    }

    /** A connection ended with pieces still queued: charged {@link #ENDED_CONNECTION} until they are taken. */
    void ended(Credit credit) {
        if (credit.waiting() && !credit.endedCharged) {
            credit.endedCharged = true;
            queuedTotal += ENDED_CONNECTION;
            budget.charge(ENDED_CONNECTION);
        }
    }

    /** Queues another kind of event, dropping the oldest such event when full. */
    void addOther(E event) {
        if (!others.isEmpty() && others.size() >= maxOtherEvents) {
            others.pollFirst();
            droppedEvents++;
        }
        others.addLast(new Entry<>(event, null, 0, next++));
    }

    /**
     * Takes up to {@code max} data entries, oldest first; other events stay. Each one's bytes are held
     * by its credit until the next {@link #settle()}; the budget gets them back now, once for all.
     */
    List<E> takeData(int max) {
        List<E> taken = new ArrayList<>(Math.min(max, data.size()));
        long released = 0;
        for (Entry<E> entry; taken.size() < max && (entry = data.pollFirst()) != null; ) {
            released += give(entry);
            taken.add(entry.event());
        }
        budget.release(released);
        return taken;
    }

    /** Takes the oldest event of any kind, or {@code null}. */
    E poll() {
        Entry<E> piece = data.peekFirst();
        Entry<E> other = others.peekFirst();
        if (piece != null && (other == null || piece.order() < other.order())) {
            budget.release(give(data.pollFirst()));
            return piece.event();
        }
        return other == null ? null : others.pollFirst().event();
    }

    /**
     * A data entry was taken: its bytes leave the total now, and its credit holds them until the
     * application comes back for more ({@link #settle()}).
     */
    private int give(Entry<E> entry) {
        Credit credit = entry.credit();
        if (!credit.holding()) {
            inHand.add(credit);
        }
        credit.release(entry.bytes(), ENTRY_OVERHEAD);
        int released = entry.bytes();
        if (!credit.waiting()) {
            credit.room.signal(); // a drain after end of stream waits for this (Credit.awaitDrainedThenGrace)
            if (credit.endedCharged) { // the last piece of a connection that ended: it is let go
                credit.endedCharged = false;
                released += ENDED_CONNECTION;
            }
        }
        queuedTotal -= released;
        return released;
    }

    /**
     * The application came back for more (or the state closes): what it took before is done with, and
     * the readers those pieces held back are signalled.
     */
    void settle() {
        for (Credit credit : inHand) {
            credit.settle();
        }
        inHand.clear();
    }

    boolean isEmpty() {
        return data.isEmpty() && others.isEmpty();
    }

    int dataEntries() {
        return data.size();
    }

    /** The bytes of every queued data entry, overhead included. */
    long queuedTotal() {
        return queuedTotal;
    }

    long droppedEvents() {
        return droppedEvents;
    }
}
