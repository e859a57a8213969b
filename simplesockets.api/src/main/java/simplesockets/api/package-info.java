/**
 * The simplesockets API: {@link simplesockets.api.TcpServer}, {@link simplesockets.api.TcpClient},
 * their options, and the sealed event, failure and framing types.
 *
 * <p>Everything here is an interface, a record, an enum or a sealed type. Implementations come
 * from a {@link simplesockets.api.spi.SocketsProvider} found through
 * {@link java.util.ServiceLoader}.
 */
package simplesockets.api;
