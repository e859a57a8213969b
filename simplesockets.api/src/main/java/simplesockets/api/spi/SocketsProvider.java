package simplesockets.api.spi;

import simplesockets.api.ClientOptions;
import simplesockets.api.ServerOptions;
import simplesockets.api.TcpClient;
import simplesockets.api.TcpServer;

/**
 * An implementation of simplesockets, registered with {@link java.util.ServiceLoader}
 * ({@code provides simplesockets.api.spi.SocketsProvider with ...} in a module descriptor, or a
 * {@code META-INF/services} entry on the class path).
 *
 * <p>How {@link TcpServer#create(ServerOptions)} and {@link simplesockets.api.TcpClient#create(ClientOptions)}
 * choose, in this order:
 * <ol>
 *   <li>the provider named by the system property {@value #PROVIDER_PROPERTY}, if it is set;</li>
 *   <li>else the one provider that is not {@linkplain #usedOnlyWhenNamed() used only when named}: the
 *       real sockets of {@code simplesockets.impl}, even when the testkit is present too;</li>
 *   <li>else, when exactly one provider is present, that one (a provider of your own, alone, say).</li>
 * </ol>
 * Anything else (none present, or two ordinary providers) throws {@link IllegalStateException} with
 * the names present. {@link TcpServer#create(ServerOptions, String)} takes a provider by name, and
 * the testkit's {@code LoopbackNetwork} uses its own directly. The API never picks "the first one
 * found".
 *
 * <p>Implementations must be thread-safe and must have a public no-argument constructor or a
 * public static {@code provider()} method.
 */
public interface SocketsProvider {

    /** The system property that names the provider to use when several are present. */
    String PROVIDER_PROPERTY = "simplesockets.provider";

    /**
     * The provider's short, unique name, such as {@code "socket"} or {@code "loopback"}.
     *
     * @return the name, never {@code null}
     */
    String name();

    /**
     * Whether this provider is used only when it is asked for by name (or is the only one present):
     * {@code true} for an in-memory network for tests, which must never stand in for real sockets by
     * accident. The default is {@code false}.
     *
     * @return whether to stay out of the default choice
     */
    default boolean usedOnlyWhenNamed() {
        return false;
    }

    /**
     * Creates a server that has not started yet.
     *
     * @param options the server's settings
     * @return a new server in state {@link simplesockets.api.ServerState#CREATED}
     */
    TcpServer newServer(ServerOptions options);

    /**
     * Creates a client that has not connected yet.
     *
     * @param options the client's settings
     * @return a new client in state {@link simplesockets.api.ClientState#CREATED}
     */
    TcpClient newClient(ClientOptions options);
}
