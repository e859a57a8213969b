package simplesockets.testkit;

import simplesockets.api.ClientOptions;
import simplesockets.api.ServerOptions;
import simplesockets.api.TcpClient;
import simplesockets.api.TcpServer;
import simplesockets.api.spi.SocketsProvider;

/**
 * The in-memory provider, named {@value #NAME}, for code that creates its servers and clients with
 * {@link TcpServer#create(ServerOptions, String)}. It is never chosen by {@link TcpServer#create(ServerOptions)}
 * while the real implementation is present, so a project with the testkit in test scope still gets real
 * sockets from its quick start. All of them share one process-wide
 * {@link LoopbackNetwork}, which does not keep them: close what you create. Tests that want isolation make their own {@link LoopbackNetwork} instead.
 */
public final class LoopbackProvider implements SocketsProvider {

    /** This provider's name. */
    public static final String NAME = "loopback";

    private static final LoopbackNetwork SHARED = new LoopbackNetwork(LoopbackNetwork.DEFAULT_PIPE_BYTES, false, null);

    /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
    public LoopbackProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * Always {@code true}: the in-memory network stands in for real sockets only when asked for, by
     * this provider's name or through a {@link LoopbackNetwork}, or when it is the only provider present.
     *
     * @return {@code true}
     */
    @Override
    public boolean usedOnlyWhenNamed() {
        return true;
    }

    @Override
    public TcpServer newServer(ServerOptions options) {
        return SHARED.server(options);
    }

    @Override
    public TcpClient newClient(ClientOptions options) {
        return SHARED.client(options);
    }
}
