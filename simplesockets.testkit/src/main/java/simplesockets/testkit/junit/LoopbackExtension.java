package simplesockets.testkit.junit;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import simplesockets.testkit.LoopbackNetwork;

/**
 * Gives each test method a fresh {@link LoopbackNetwork} as a parameter, and closes it (with every
 * server and client made on it) after the test.
 *
 * {@snippet :
 * @ExtendWith(LoopbackExtension.class)
 * class EchoProtocolTest {
 *     @Test
 *     void echoes(LoopbackNetwork network) throws Exception {
 *         TcpServer server = network.server(ServerOptions.builder().port(0)
 *                 .onReceive((c, d) -> c.send(d)).build());
 *         server.start();
 *         // ...
 *     }
 * }
 * }
 */
public final class LoopbackExtension implements ParameterResolver, AfterEachCallback {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(LoopbackExtension.class);
    private static final String KEY = "network";

    /** Creates the extension; JUnit calls this. */
    public LoopbackExtension() {
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == LoopbackNetwork.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getStore(NAMESPACE).getOrComputeIfAbsent(KEY, key -> new LoopbackNetwork(), LoopbackNetwork.class);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        LoopbackNetwork network = context.getStore(NAMESPACE).remove(KEY, LoopbackNetwork.class);
        if (network != null) {
            network.close();
        }
    }
}
