package simplesockets.testkit;

import simplesockets.api.ClientOptions;
import simplesockets.api.ServerOptions;
import simplesockets.api.TcpClient;
import simplesockets.api.TcpServer;
import simplesockets.api.spi.SocketsProvider;

/**
 * The in-memory provider, named {@value #NAME}, for code that creates its servers and clients with
 * {@link TcpServer#create(ServerOptions, String)}. All of them share one process-wide
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

    @Override
    public TcpServer newServer(ServerOptions options) {
        return SHARED.server(options);
    }

    @Override
    public TcpClient newClient(ClientOptions options) {
        return SHARED.client(options);
    }
}
