package simplesockets.api;

/**
 * What a send from a thread other than the connection's own does when the connection's pending
 * sends would pass {@code maxPendingSendBytes} (see {@link ServerOptions#maxPendingSendBytes()} and
 * {@link ClientOptions#maxPendingSendBytes()}).
 *
 * <p>Such sends never write to the socket themselves: they queue their bytes for the connection's own
 * writer thread and return, so a polling loop, a {@link TcpServer#broadcast(byte[])} or any other thread
 * never waits on a peer that does not read. The bound is what keeps a peer that never reads from
 * growing that queue without end.
 */
public enum SendOverflow {
    /**
     * The connection is closed with {@link DisconnectReason.SlowConsumer}, a
     * {@link Failure.SlowConsumer} is recorded, and the send throws the failure's
     * {@link java.net.SocketException}. Everyone else goes on being served. The server's default.
     */
    DISCONNECT,
    /**
     * The send waits until the writer has made room (room comes as whole queued sends are written),
     * for as long as the connection stays open. A peer that stops reading blocks the writer: with a
     * write timeout set, the connection then closes with {@link DisconnectReason.TimedOut} once a write
     * has been blocked that long, which ends the wait (the send throws). A peer that reads, however
     * slowly, is not timed out: the write timeout bounds a write that makes no progress, not a large
     * send. The client's default: a client that sends faster than its server reads is slowed down, as a
     * blocking socket would slow it.
     */
    WAIT
}
