package simplesockets.impl;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The tests' host-name resolver (installed for this test JVM through {@code META-INF/services}): every
 * name as the JDK's own resolver answers it, but for names under {@code .slow.test}, which wait, as a
 * resolver that gets no answer does, until {@link #release()} (then they are not found), and names under
 * {@code .missing.test}, which are not found at once. No test sends a query anywhere.
 */
public final class SlowResolver extends InetAddressResolverProvider {

    private static volatile CountDownLatch answer = new CountDownLatch(1);
    private static final Semaphore ASKED = new Semaphore(0);

    /** Lets the lookups waiting now end (not found), and makes the next ones wait again. */
    static void release() {
        ASKED.drainPermits();
        CountDownLatch now = answer;
        answer = new CountDownLatch(1);
        now.countDown();
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
                    ASKED.release();
                    boolean interrupted = false;
                    while (true) { // as the JDK's lookup: no interrupt ends it
                        try {
                            waitFor.await();
                            break;
                        } catch (InterruptedException e) {
                            interrupted = true;
                        }
                    }
                    if (interrupted) {
                        Thread.currentThread().interrupt();
                    }
                    throw new UnknownHostException(host);
                }
                if (host.endsWith(".missing.test")) {
                    throw new UnknownHostException(host);
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
