package dev.highwater.cli.kernel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The module's console output parsed: sysctls, and per command its result line and the zone states it printed. */
public record KernelReport(Map<String, String> sysctl, List<Step> steps, List<String> dmesg) {

    /**
     * One zone as the module printed it. {@code file} is the zone's page cache (active + inactive file pages);
     * {@code freeBlocks} maps "order:migratetype" to a count.
     */
    public record Zone(String name, long free, long min, long low, long high, long boost, long ha, long managed,
                       long file, List<Long> protection, Map<String, Long> freeBlocks) {
        /** Free pages on the lists of migratetype index {@code mt} (3 = HIGHATOMIC). */
        public long freeOfType(int mt) {
            long n = 0;
            for (Map.Entry<String, Long> e : freeBlocks.entrySet()) {
                String[] p = e.getKey().split(":");
                if (Integer.parseInt(p[1]) == mt) {
                    n += e.getValue() << Integer.parseInt(p[0]);
                }
            }
            return n;
        }
    }

    /**
     * One command: its result line, the zones it printed, and for an alloc that failed each zone's free pages at the
     * moment its first request failed (the module's "HW failfree" line; empty otherwise).
     */
    public record Step(String command, String result, List<Zone> zones, Map<String, Long> freeAtFirstFailure) {
    }

    public static KernelReport parse(List<String> lines) {
        Map<String, String> sysctl = new LinkedHashMap<>();
        List<Step> steps = new ArrayList<>();
        String cmd = null;
        String result = "";
        Map<String, Long> failFree = new LinkedHashMap<>();
        List<Zone> zones = new ArrayList<>();
        Map<String, Zone> byName = new LinkedHashMap<>();
        List<String> dmesg = new ArrayList<>();
        for (String l : lines) {
            if (l.startsWith("HW sysctl ")) {
                for (String kv : l.substring(10).trim().split(" ")) {
                    int eq = kv.indexOf('=');
                    if (eq > 0) {
                        sysctl.put(kv.substring(0, eq), kv.substring(eq + 1));
                    }
                }
            } else if (l.startsWith("HW dmesg ")) {
                dmesg.add(l.substring(9));
            } else if (l.startsWith("HW cmd ")) {
                if (cmd != null) {
                    steps.add(new Step(cmd, result, List.copyOf(zones), Map.copyOf(failFree)));
                }
                cmd = l.substring(7).trim();
                result = "";
                failFree = new LinkedHashMap<>();
                zones = new ArrayList<>();
                byName.clear();
            } else if (l.startsWith("HW result ")) {
                result = l.substring(10).trim();
            } else if (l.startsWith("HW failfree")) {
                for (String kv : l.substring(11).trim().split(" ")) {
                    int eq = kv.indexOf('=');
                    if (eq > 0) {
                        try {
                            failFree.put(kv.substring(0, eq), Long.parseLong(kv.substring(eq + 1)));
                        } catch (NumberFormatException e) {
                            // a garbled console line (interleaved printk) leaves the count unknown
                        }
                    }
                }
            } else if (l.startsWith("HW zone ")) {
                String[] t = l.substring(8).trim().split(" ");
                Map<String, String> kv = new LinkedHashMap<>();
                for (int i = 1; i < t.length; i++) {
                    int eq = t[i].indexOf('=');
                    kv.put(t[i].substring(0, eq), t[i].substring(eq + 1));
                }
                List<Long> prot = new ArrayList<>();
                for (String p : kv.get("protection").split(",")) {
                    prot.add(Long.parseLong(p));
                }
                Zone z = new Zone(t[0], num(kv, "free"), num(kv, "min"), num(kv, "low"), num(kv, "high"),
                    num(kv, "boost"), num(kv, "ha"), num(kv, "managed"), num(kv, "file"), List.copyOf(prot),
                    new LinkedHashMap<>());
                zones.add(z);
                byName.put(z.name(), z);
            } else if (l.startsWith("HW buddy ")) {
                String[] t = l.substring(9).trim().split(" ");
                Zone z = byName.get(t[0]);
                if (z != null) {
                    for (int i = 1; i < t.length; i++) {
                        int c = t[i].lastIndexOf(':');
                        z.freeBlocks().put(t[i].substring(0, c), Long.parseLong(t[i].substring(c + 1)));
                    }
                }
            }
        }
        if (cmd != null) {
            steps.add(new Step(cmd, result, List.copyOf(zones), Map.copyOf(failFree)));
        }
        return new KernelReport(sysctl, steps, List.copyOf(dmesg));
    }

    private static long num(Map<String, String> kv, String k) {
        return Long.parseLong(kv.getOrDefault(k, "0"));
    }

    /** The zones of the last step that printed a state. */
    public List<Zone> lastZones() {
        for (int i = steps.size() - 1; i >= 0; i--) {
            if (!steps.get(i).zones().isEmpty()) {
                return steps.get(i).zones();
            }
        }
        return List.of();
    }
}
