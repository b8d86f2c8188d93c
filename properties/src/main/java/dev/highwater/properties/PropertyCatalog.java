package dev.highwater.properties;

import dev.highwater.properties.integrity.BuddyShape;
import dev.highwater.properties.integrity.FreeCounters;
import dev.highwater.properties.integrity.HighatomicAccounting;
import dev.highwater.properties.integrity.PageConservation;
import dev.highwater.properties.policy.HighOrderWithFreeBlock;
import dev.highwater.properties.policy.HighatomicWithinCap;
import dev.highwater.properties.policy.KswapdRestoresHigh;
import dev.highwater.properties.policy.NoOomAboveMin;
import dev.highwater.properties.policy.NoOomWithCleanCache;
import dev.highwater.properties.policy.Order0AtomicAboveFloor;
import dev.highwater.properties.policy.SlowPathTerminates;
import java.util.List;
import java.util.Optional;

/** Every property Highwater checks, integrity first. */
public final class PropertyCatalog {
    private PropertyCatalog() {
    }

    private static final List<Property> INTEGRITY = List.of(new PageConservation(), new BuddyShape(),
        new FreeCounters(), new HighatomicAccounting());

    public static List<Property> integrity() {
        return INTEGRITY;
    }

    private static final List<Property> POLICY = List.of(new NoOomAboveMin(), new Order0AtomicAboveFloor(),
        new HighatomicWithinCap(), new NoOomWithCleanCache(), new KswapdRestoresHigh(), new SlowPathTerminates(),
        new HighOrderWithFreeBlock());

    private static final List<Property> ALL;

    static {
        List<Property> all = new java.util.ArrayList<>(INTEGRITY);
        all.addAll(POLICY);
        ALL = List.copyOf(all);
    }

    public static List<Property> policy() {
        return POLICY;
    }

    public static List<Property> all() {
        return ALL;
    }

    public static Optional<Property> byId(String id) {
        return all().stream().filter(p -> p.id().equals(id)).findFirst();
    }
}
