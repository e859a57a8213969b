/**
 * Time as a seam: {@link simplesockets.impl.time.Clock}, the one source of time and scheduling for
 * every timeout, grace and back-off of a server or client. Real time over sockets; the testkit's
 * manual clock in tests. Exported to {@code simplesockets.testkit} only.
 */
package simplesockets.impl.time;
