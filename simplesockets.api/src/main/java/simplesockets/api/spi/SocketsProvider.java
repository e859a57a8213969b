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
 * <p>When exactly one provider is present, the API's factories use it. When several are present
 * (the real sockets and the testkit's in-memory network, say), the caller must choose one by
 * {@linkplain #name() name}: either with {@link TcpServer#create(ServerOptions, String)} or with the
 * system property {@value #PROVIDER_PROPERTY}. The API never picks "the first one found".
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
