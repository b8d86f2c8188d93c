package dev.highwater.properties;

import dev.highwater.model.PageAllocator;
import dev.highwater.model.mm.MemorySystem;
import dev.highwater.model.trace.Op;

/**
 * What a property sees after a step.
 *
 * @param system the memory system (and through it the allocator) after the step
 * @param step   1-based step number
 * @param op     the step just executed
 * @param result its result text
 */
public record StepView(MemorySystem system, int step, Op op, String result) {
    public PageAllocator allocator() {
        return system.allocator();
    }
}
