package simplesockets.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.quicktheories.core.stateful.Command;
import org.quicktheories.core.stateful.Sequential;

/** Runs one QuickTheories model check on a fresh system under test, and always closes it. */
final class ModelCheck {

    private ModelCheck() {
    }

    static <S extends AutoCloseable, M> void run(M initial, List<? extends Command<S, M>> steps, Supplier<S> fresh,
            Function<S, M> observe) {
        run(initial, steps, fresh, observe, system -> { });
    }

    /** The same, with a last check on the system after every step passed, before it is closed. */
    static <S extends AutoCloseable, M> void run(M initial, List<? extends Command<S, M>> steps, Supplier<S> fresh,
            Function<S, M> observe, java.util.function.Consumer<S> afterwards) {
        List<S> made = new ArrayList<>();
        Throwable failed = null;
        try {
            Sequential.modelCheck(initial, steps, m -> {
                S system = fresh.get();
                made.add(system);
                return system;
            }, observe);
            afterwards.accept(made.getFirst());
        } catch (Throwable t) {
            failed = t;
            throw t;
        } finally {
            // Closes everything; a failure to close is reported, but never in place of the assertion
            // that failed first, which it only joins as a suppressed exception.
            AssertionError closing = null;
            for (S system : made) {
                try {
                    system.close();
                } catch (Exception e) {
                    if (closing == null) {
                        closing = new AssertionError("closing the system under test failed", e);
                    } else {
                        closing.addSuppressed(e);
                    }
                }
            }
            if (closing != null) {
                if (failed != null) {
                    failed.addSuppressed(closing);
                } else {
                    throw closing;
                }
            }
        }
    }
}
