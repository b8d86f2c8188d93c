package dev.highwater.properties.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.highwater.model.Context;
import dev.highwater.model.Gfp;
import dev.highwater.model.NodeConfig;
import dev.highwater.model.PageAllocator;
import dev.highwater.model.Tunables;
import dev.highwater.model.ZoneSpec;
import dev.highwater.model.ZoneType;
import dev.highwater.model.mm.MemorySystem;
import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.policy.Presets;
import dev.highwater.model.trace.Op;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@link Differential#compare} on free lists that hold the same blocks with the same counters: only their order
 * differs, which the packed comparison must see and the list comparison then name.
 */
class DifferentialCompareTest {
    private static final KernelPolicy P = Presets.LINUX_6_1;
    private static final NodeConfig NODE = new NodeConfig(List.of(ZoneSpec.of(ZoneType.NORMAL, 1024)), 4, 8, 1, 0, -1);

    /** The reference allocator, its zone-0 free lists shown in reverse order when {@code reverse}. */
    private static PageAllocator allocator(boolean reverse) {
        PageAllocator real = AllocatorKind.REFERENCE.create(P, NODE, Tunables.defaults(P.watermarkRules().highmemRatioZero()));
        return (PageAllocator) Proxy.newProxyInstance(PageAllocator.class.getClassLoader(),
            new Class<?>[] {PageAllocator.class}, (proxy, m, args) -> {
                if (reverse && m.getName().equals("freeBlocks")) {
                    List<PageAllocator.FreeBlock> l = new ArrayList<>(real.freeBlocks((int) args[0]));
                    Collections.reverse(l);
                    return l;
                }
                if (reverse && m.getName().equals("forEachFreeBlock")) {
                    List<PageAllocator.FreeBlock> l = new ArrayList<>(real.freeBlocks((int) args[0]));
                    Collections.reverse(l);
                    PageAllocator.BlockVisitor v = (PageAllocator.BlockVisitor) args[1];
                    for (PageAllocator.FreeBlock b : l) {
                        v.block(b.pfn(), b.order(), b.list());
                    }
                    return null;
                }
                try {
                    return m.invoke(real, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            });
    }

    private static MemorySystem after(Op op, boolean reverse) {
        MemorySystem ms = new MemorySystem(allocator(reverse), List.of());
        ms.apply(op);
        return ms;
    }

    @Test
    void listOrderAloneIsADifferenceAndIsNamed() {
        // an order-0 allocation splits the boot's blocks: several free blocks of several orders
        Op op = new Op.Alloc("1", 0, 0, Gfp.of("GFP_KERNEL"), Context.PROCESS, 0, 1, Optional.empty());
        MemorySystem a = after(op, false);
        assertThat(a.allocator().freeBlocks(0)).hasSizeGreaterThan(2);
        assertThat(Differential.compare(1, op, a, after(op, false))).isEmpty();
        Optional<Differential.Mismatch> m = Differential.compare(1, op, a, after(op, true));
        assertThat(m).hasValueSatisfying(x -> {
            assertThat(x.field()).isEqualTo("zone 0 freeBlocks[0]");
            assertThat(x.expected()).isEqualTo(a.allocator().freeBlocks(0).get(0).toString());
            assertThat(x.expected()).isNotEqualTo(x.actual());
        });
    }
}
