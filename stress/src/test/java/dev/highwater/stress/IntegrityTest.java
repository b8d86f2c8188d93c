package dev.highwater.stress;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The arbiter's recount sees each of the FORBIDDEN states it is there to catch. */
class IntegrityTest {

    @Test
    void aCleanZoneWithHeldAndActorPagesIsOk() {
        StressZone z = new StressZone("linux-4.8", 256, 2, 4, 1, 64);
        z.take("GFP_HIGHUSER_MOVABLE", 2, StressZone.CPU0);
        long p = z.take("GFP_HIGHUSER_MOVABLE", 0, StressZone.CPU0);
        z.held.remove(z.held.size() - 1); // now the actor's
        assertThat(Integrity.check(z, p, 0)).isEqualTo(Integrity.OK);
        z.a.freePages(p, 0, StressZone.CPU1); // onto CPU 1's per-CPU list
        assertThat(Integrity.check(z)).isEqualTo(Integrity.OK);
    }

    @Test
    void aPageHeldTwiceOrHeldAndFreeIsADoubleHandout() {
        StressZone z = new StressZone("linux-6.1", 256, 2, 4, 1, 64);
        long p = z.take("GFP_HIGHUSER_MOVABLE", 0, StressZone.CPU0);
        assertThat(Integrity.check(z, p, 0)).isEqualTo(Integrity.DOUBLE_HANDOUT); // setup and an actor own it
        z.held.clear();
        z.a.freePages(p, 0, StressZone.CPU0);
        assertThat(Integrity.check(z, p, 0)).isEqualTo(Integrity.DOUBLE_HANDOUT); // an actor owns a free page
    }

    @Test
    void aPageNobodyAccountsForIsLost() {
        StressZone z = new StressZone("linux-4.8", 256, 2, 4, 1, 64);
        z.take("GFP_HIGHUSER_MOVABLE", 1, StressZone.CPU0);
        z.held.clear();
        assertThat(Integrity.check(z)).isEqualTo(Integrity.LOST);
    }
}
