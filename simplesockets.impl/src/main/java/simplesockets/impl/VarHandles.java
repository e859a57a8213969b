package simplesockets.impl;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Finds the {@link VarHandle} of a field, for classes that keep an atomic field inline instead of an
 * {@code Atomic*} object of its own (an object more per connection, for fields every connection has).
 */
final class VarHandles {

    private VarHandles() {
    }

    /**
     * The handle of field {@code name} of the class that made {@code lookup}.
     *
     * @param lookup {@code MethodHandles.lookup()} of the caller, which may see its own private fields
     * @throws ExceptionInInitializerError if there is no such field: a bug, found when the class loads
     */
    static VarHandle field(MethodHandles.Lookup lookup, String name, Class<?> type) {
        return field(lookup, lookup.lookupClass(), name, type);
    }

    /** The handle of field {@code name} of {@code owner}, which {@code lookup} can see (a nestmate, say). */
    static VarHandle field(MethodHandles.Lookup lookup, Class<?> owner, String name, Class<?> type) {
        try {
            return lookup.findVarHandle(owner, name, type);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
