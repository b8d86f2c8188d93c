package dev.highwater.model.policy;

/** When kswapd considers the node balanced (kernel-semantics §8.2). */
public enum KswapdBalance {
    /** 4.4 (and 2.6.32): every populated zone up to the class zone passes high; order &gt; 0: zones holding ≥ 25 % of the node. */
    ALL_ZONES_OR_QUARTER,
    /** 4.8–4.11: every managed zone up to the class zone passes high at the order. */
    ALL_ZONES,
    /** 4.12+: any managed zone up to the highest index passes high at the order (flags 0, HA subtracted). */
    ANY_ZONE
}
