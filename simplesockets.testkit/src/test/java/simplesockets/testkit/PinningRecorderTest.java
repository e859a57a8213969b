package simplesockets.testkit;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class PinningRecorderTest {

    /** Blocking in a class initializer pins a virtual thread on every JDK from 21 on. */
    static final class SlowToInitialize {
        static {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        static void touch() {
        }
    }

    @Test
    void failsWhenAVirtualThreadWasPinned() throws Exception {
        PinningRecorder recorder = new PinningRecorder();
        Thread.ofVirtual().start(SlowToInitialize::touch).join();
        AssertionError error = assertThrows(AssertionError.class, recorder::close);
        assertTrue(error.getMessage().contains("pinned"), error.getMessage());
        assertTrue(recorder.count() >= 1);
        recorder.close(); // idempotent
    }

    @Test
    void passesWhenNothingPinned() throws Exception {
        PinningRecorder recorder = new PinningRecorder();
        Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(Duration.ofMillis(20));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }).join();
        assertDoesNotThrow(recorder::close);
    }
}
