/**
 * The testkit: {@link simplesockets.testkit.LoopbackNetwork}, an in-memory network that runs the real
 * simplesockets engine over pipes, and {@link simplesockets.testkit.LoopbackProvider}, its
 * {@link java.util.ServiceLoader} provider.
 */
package simplesockets.testkit;
