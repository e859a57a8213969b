package simplesockets.api;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import simplesockets.api.spi.SocketsProvider;

/** The provider choice is explicit whenever it is not obvious: never "the first one found". */
class ProvidersTest {

    private record Named(String name) implements SocketsProvider {
        @Override
        public TcpServer newServer(ServerOptions options) {
            throw new UnsupportedOperationException();
        }

        @Override
        public TcpClient newClient(ClientOptions options) {
            throw new UnsupportedOperationException();
        }
    }

    /** Like the testkit's in-memory network: used only when asked for. */
    private record OnRequest(String name) implements SocketsProvider {
        @Override
        public boolean usedOnlyWhenNamed() {
            return true;
        }

        @Override
        public TcpServer newServer(ServerOptions options) {
            throw new UnsupportedOperationException();
        }

        @Override
        public TcpClient newClient(ClientOptions options) {
            throw new UnsupportedOperationException();
        }
    }

    private final SocketsProvider socket = new Named("socket");
    private final SocketsProvider loopback = new OnRequest("loopback");
    private final SocketsProvider other = new Named("other");

    /** A blank name given to {@code create} names no provider: refused, not taken for "the default". */
    @Test
    void aBlankNameIsRefused() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> TcpServer.create(ServerOptions.builder().build(), " "));
        assertTrue(e.getMessage().contains("not blank"), e.getMessage());
    }

    @Test
    void theOnlyProviderIsUsed() {
        assertSame(socket, Providers.choose(List.of(socket), null));
    }

    @Test
    void realSocketsWinOverAProviderUsedOnlyWhenNamed() {
        assertSame(socket, Providers.choose(List.of(loopback, socket), null), "whatever the order found");
        assertSame(socket, Providers.choose(List.of(socket, loopback), null));
        assertSame(loopback, Providers.choose(List.of(socket, loopback), "loopback"));
        assertSame(socket, Providers.choose(List.of(socket, loopback), "socket"));
    }

    @Test
    void aProviderUsedOnlyWhenNamedIsUsedWhenItIsAlone() {
        assertSame(loopback, Providers.choose(List.of(loopback), null));
    }

    @Test
    void twoOrdinaryProvidersNeedAName() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Providers.choose(List.of(socket, other, loopback), null));
        assertTrue(e.getMessage().contains("[socket, other, loopback]"), e.getMessage());
        assertTrue(e.getMessage().contains(SocketsProvider.PROVIDER_PROPERTY), e.getMessage());
        assertSame(other, Providers.choose(List.of(socket, other, loopback), "other"));
    }

    @Test
    void anUnknownNameOrNoProviderIsAClearError() {
        IllegalStateException unknown = assertThrows(IllegalStateException.class,
                () -> Providers.choose(List.of(socket), "netty"));
        assertTrue(unknown.getMessage().contains("netty"), unknown.getMessage());
        IllegalStateException none = assertThrows(IllegalStateException.class, () -> Providers.choose(List.of(), null));
        assertTrue(none.getMessage().contains("simplesockets-impl"), none.getMessage());
    }

    @Test
    void withNoImplementationOnTheClassPathTheFactoriesSaySo() {
        // This module's tests have no provider at all.
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> TcpServer.create(ServerOptions.builder().build()));
        assertTrue(e.getMessage().contains("No simplesockets implementation"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> TcpClient.create(ClientOptions.builder().build(), "socket"));
    }
}
