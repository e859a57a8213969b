package simplesockets.impl;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;

/**
 * An accepted socket that runs a hook just before it closes, whoever closes it: the engine, a
 * deadline, or the JDK's TLS engine after the alert of a failed handshake. A server gives back the slot
 * of a connection that fails in its handshake this way, before the peer can see the close and come back.
 */
final class HookedSocket extends Socket {

    private static final VarHandle FIRST = VarHandles.field(MethodHandles.lookup(), "first", Runnable.class);

    /** The hook, until it runs; a field rather than an atomic reference, as every accepted socket has one. */
    private volatile Runnable first;

    /** Runs {@code hook} (once) before the socket closes; {@code null} clears it. */
    void beforeClose(Runnable hook) {
        first = hook;
    }

    @Override
    public void close() throws IOException {
        Runnable hook = (Runnable) FIRST.getAndSet(this, null);
        if (hook != null) {
            hook.run();
        }
        super.close();
    }

    /** A listening socket whose accepted sockets are {@link HookedSocket}s. */
    static final class Listening extends ServerSocket {

        Listening() throws IOException {
        }

        @Override
        public Socket accept() throws IOException {
            if (isClosed()) {
                throw new SocketException("Socket is closed");
            }
            HookedSocket accepted = new HookedSocket();
            implAccept(accepted);
            return accepted;
        }
    }
}
