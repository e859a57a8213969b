package simplesockets.impl;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The tests' host-name resolver (installed for this test JVM through {@code META-INF/services}): every
 * name as the JDK's own resolver answers it, but for names under {@code .slow.test}, which wait, as a
 * resolver that gets no answer does, until {@link #release()} (then they are not found), names under
 * {@code .missing.test}, which are not found at once, and names under {@code .broken.test}, whose lookup
 * throws an {@link Error}. No test sends a query anywhere.
 */
public final class SlowResolver extends InetAddressResolverProvider {

    private static volatile CountDownLatch answer = new CountDownLatch(1);
    private static final Semaphore ASKED = new Semaphore(0);
    private static final java.util.concurrent.atomic.AtomicInteger ASKS = new java.util.concurrent.atomic.AtomicInteger();

    /** Lets the lookups waiting now end (not found), and makes the next ones wait again. */
    static void release() {
        ASKED.drainPermits();
        ASKS.set(0);
        CountDownLatch now = answer;
        answer = new CountDownLatch(1);
        now.countDown();
    }

    /** How many lookups of slow names were asked for since the last {@link #release()}. */
    static int asks() {
        return ASKS.get();
    }

    /** Waits until a slow name has been asked for, at most {@code timeoutMillis}. */
    static boolean awaitAsked(long timeoutMillis) throws InterruptedException {
        return ASKED.tryAcquire(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public InetAddressResolver get(Configuration configuration) {
        InetAddressResolver builtin = configuration.builtinResolver();
        return new InetAddressResolver() {
            @Override
            public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
                if (host.endsWith(".slow.test")) {
                    CountDownLatch waitFor = answer;
                    ASKS.incrementAndGet();
                    ASKED.release();
                    // As the JDK's lookup: no interrupt ends it. Bounded, so a test that fails before its
                    // release() leaves no lookup behind for long.
                    Peers.holdIgnoringInterrupts(waitFor, Duration.ofSeconds(60));
                    throw new UnknownHostException(host);
                }
                if (host.endsWith(".missing.test")) {
                    throw new UnknownHostException(host);
                }
                if (host.endsWith(".broken.test")) { // a resolver with a bug
                    throw new java.util.ServiceConfigurationError("a resolver that fails with an Error: " + host);
                }
                return builtin.lookupByName(host, policy);
            }

            @Override
            public String lookupByAddress(byte[] addr) throws UnknownHostException {
                return builtin.lookupByAddress(addr);
            }
        };
    }

    @Override
    public String name() {
        return "simplesockets tests' resolver";
    }
}
