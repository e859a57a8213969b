/**
 * Thin JUnit 5 support for the testkit: {@link simplesockets.testkit.junit.LoopbackExtension}.
 * Only this package needs JUnit Jupiter on the path.
 */
package simplesockets.testkit.junit;
