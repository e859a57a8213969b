/**
 * The service provider interface: what an implementation of simplesockets offers to
 * {@link java.util.ServiceLoader}. Applications do not call it; they use the static factories
 * {@link simplesockets.api.TcpServer#create(simplesockets.api.ServerOptions)} and
 * {@link simplesockets.api.TcpClient#create(simplesockets.api.ClientOptions)}.
 */
package simplesockets.api.spi;
