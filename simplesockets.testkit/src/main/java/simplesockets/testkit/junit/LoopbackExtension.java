package simplesockets.testkit.junit;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import simplesockets.testkit.LoopbackNetwork;

/**
 * Gives each test method a fresh {@link LoopbackNetwork} as a parameter, of the method or of the test
 * class's constructor (with JUnit's default lifecycle, an instance per method), and closes it (with
 * every server and client made on it) after the test.
 *
 * <p>A network asked for by the class instead (a {@code @BeforeAll} method's parameter, or the
 * constructor's under {@code @TestInstance(PER_CLASS)}) belongs to the class: every test method of it is
 * given that same network, which JUnit closes after the last one. What one test leaves on a shared
 * network stays for the next: its open servers and clients, connections it did not
 * {@linkplain LoopbackNetwork#takeWire take}, and faults it {@linkplain LoopbackNetwork#faultNextConnection
 * queued} and no connection used; take or close them in each test, or keep the default lifecycle. Two
 * parameters of one method are the same network. The network is made with the defaults; a test that
 * wants a {@link simplesockets.testkit.ManualClock} or another pipe size makes its own, in a
 * try-with-resources.
 *
 * <p>It needs JUnit Jupiter 5.13 or later (the build uses 5.14): older versions neither resolve a
 * constructor's parameter in the test method's context nor close what an extension keeps for a class,
 * so a network could be shared by every test of a class and never closed.
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

    /**
     * A constructor's parameter is resolved in the test method's context, as a method's is, so that
     * each test gets its own network and {@link #afterEach} closes it; JUnit's default would keep one
     * for the whole class.
     */
    @Override
    public ExtensionContextScope getTestInstantiationExtensionContextScope(ExtensionContext rootContext) {
        return ExtensionContextScope.TEST_METHOD;
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
