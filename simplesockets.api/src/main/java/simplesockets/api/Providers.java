package simplesockets.api;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import simplesockets.api.spi.SocketsProvider;

/** Finds the {@link SocketsProvider} to use, by the rule in its documentation; never the first one found. */
final class Providers {

    private Providers() {
    }

    static SocketsProvider find(String requested) {
        if (requested != null && requested.isBlank()) {
            throw new IllegalStateException("A simplesockets provider's name is not blank; the real sockets' is 'socket'");
        }
        List<SocketsProvider> found = new ArrayList<>();
        List<ServiceConfigurationError> broken = new ArrayList<>();
        Iterator<SocketsProvider> providers = ServiceLoader.load(SocketsProvider.class).iterator();
        while (broken.size() < 16) { // the loader goes on past a provider that fails to load, as far as it can
            try {
                if (!providers.hasNext()) {
                    break;
                }
                found.add(providers.next());
            } catch (ServiceConfigurationError e) {
                broken.add(e);
            }
        }
        String name = requested != null ? requested : System.getProperty(SocketsProvider.PROVIDER_PROPERTY);
        try {
            return choose(found, name);
        } catch (IllegalStateException e) {
            broken.forEach(e::addSuppressed); // a provider that could not be loaded may be the one that was wanted
            throw e;
        }
    }

    /** The selection rule, apart from {@link ServiceLoader} so that it can be tested alone. */
    static SocketsProvider choose(List<SocketsProvider> found, String name) {
        Objects.requireNonNull(found, "found");
        String names = found.stream().map(SocketsProvider::name).collect(Collectors.joining(", ", "[", "]"));
        if (name != null && !name.isBlank()) {
            return found.stream()
                    .filter(p -> p.name().equals(name))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException(
                            "No simplesockets provider named '" + name + "'; present: " + names));
        }
        List<SocketsProvider> ordinary = found.stream().filter(p -> !p.usedOnlyWhenNamed()).toList();
        if (ordinary.size() == 1) {
            return ordinary.getFirst();
        }
        if (ordinary.isEmpty() && found.size() == 1) {
            return found.getFirst();
        }
        if (found.isEmpty()) {
            throw new IllegalStateException("No simplesockets implementation found: add io.github.simplesockets:simplesockets-impl"
                    + " (module simplesockets.impl) to the class path or module path");
        }
        throw new IllegalStateException("Several simplesockets providers are present " + names + " and none is the"
                + " default: choose one by name with create(options, name) or -D" + SocketsProvider.PROVIDER_PROPERTY
                + "=NAME");
    }
}
