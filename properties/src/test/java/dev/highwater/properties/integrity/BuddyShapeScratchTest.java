package dev.highwater.properties.integrity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.highwater.model.NodeConfig;
import dev.highwater.model.PageAllocator;
import dev.highwater.model.PageAllocator.FreeBlock;
import dev.highwater.model.Tunables;
import dev.highwater.model.ZoneSpec;
import dev.highwater.model.ZoneType;
import dev.highwater.model.mm.MemorySystem;
import dev.highwater.model.policy.Presets;
import dev.highwater.model.reference.ReferenceAllocator;
import dev.highwater.model.trace.Op;
import dev.highwater.properties.StepView;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * buddy-shape's quick pass keeps one order byte per page per thread between checks; every check must leave it
 * clear, or a later clean state would be sent down the slow path (its verdict stays right: {@code explain} decides,
 * but the quick pass would no longer be the quick one). Here a failing check (a pfn heading two blocks, found halfway
 * through the list) is followed by clean ones.
 */
class BuddyShapeScratchTest {
    private static final NodeConfig NODE = new NodeConfig(List.of(ZoneSpec.of(ZoneType.NORMAL, 1024)), 4, 8, 1, 0, -1);

    private static ReferenceAllocator reference() {
        return new ReferenceAllocator(Presets.LINUX_4_8, NODE,
            Tunables.defaults(Presets.LINUX_4_8.watermarkRules().highmemRatioZero()));
    }

    /** The allocator, with its free list reported twice over from the middle on. */
    private static PageAllocator duplicating(PageAllocator real) {
        return (PageAllocator) Proxy.newProxyInstance(PageAllocator.class.getClassLoader(),
            new Class<?>[] {PageAllocator.class}, (proxy, m, args) -> {
                if (m.getName().equals("freeBlocks")) {
                    List<FreeBlock> l = new ArrayList<>(real.freeBlocks((int) args[0]));
                    l.addAll(l.subList(l.size() / 2, l.size()));
                    return l;
                }
                try {
                    return m.invoke(real, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            });
    }

    @Test
    void aFailingCheckLeavesTheScratchClear() {
        Op drain = new Op.Drain(Optional.empty());
        MemorySystem bad = new MemorySystem(duplicating(reference()), List.of());
        String r = bad.apply(drain);
        StepView badView = new StepView(bad, 1, drain, r);
        assertThat(BuddyShape.wellShaped(badView)).isFalse();
        assertThat(new BuddyShape().check(badView)).hasValueSatisfying(m -> assertThat(m).contains("heads two"));

        MemorySystem good = new MemorySystem(reference(), List.of());
        r = good.apply(drain);
        assertThat(good.allocator().freeBlocks(0)).hasSizeGreaterThan(1);
        assertThat(BuddyShape.wellShaped(new StepView(good, 1, drain, r))).as("quick pass after a failing one").isTrue();
        assertThat(BuddyShape.wellShaped(new StepView(good, 2, drain, r))).isTrue();
    }
}
