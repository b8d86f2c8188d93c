package dev.highwater.reports;

import dev.highwater.model.GfpLayout;
import dev.highwater.model.GfpMask;
import dev.highwater.model.MigrateType;
import dev.highwater.model.NodeConfig;
import dev.highwater.model.ZoneSnapshot;
import dev.highwater.model.ZoneSpec;
import dev.highwater.model.kernellog.KernelReport.BuddyEntry;
import dev.highwater.model.kernellog.KernelReport.Field;
import dev.highwater.model.kernellog.KernelReport.ZoneState;
import dev.highwater.model.policy.KernelPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Kernel-format text of a zone state, as the kernel of a preset prints it (kernel-semantics §10.1, §10.2, §10.4): the
 * warn_alloc or oom-killer header with the GFP mask in the version's numbering and names, the stack-dump line with
 * the release, {@code Mem-Info:}, the per-zone line with the version's field sequence, {@code lowmem_reserve[]}, the
 * buddy line with migratetype letters (from 4.4) and the {@code pages RAM}/{@code pages reserved} footer. Counters
 * the model does not have (LRU sizes, slab, page tables) print as 0. The text parses back with
 * {@link dev.highwater.model.kernellog.KernelLogParser} to the same free pages, watermarks, lowmem_reserve, buddy
 * counts and letters (and reserved_highatomic where the version prints it).
 */
public final class KernelText {
    private KernelText() {
    }

    /** Report format generations of §10.4. */
    enum Format { V2_6_32, V4_4, V4_8, V6_1, V6_18 }

    static Format format(KernelPolicy p) {
        return switch (p.name()) {
            case "linux-2.6.32" -> Format.V2_6_32;
            case "linux-4.4" -> Format.V4_4;
            case "linux-4.7", "linux-4.8", "linux-4.9", "linux-4.10" -> Format.V4_8;
            case "mainline" -> Format.V6_18;
            default -> Format.V6_1;
        };
    }

    /** The release string printed for a preset; parsing it selects the same preset and GFP layout again. */
    public static String release(KernelPolicy p) {
        return switch (p.name()) {
            case "linux-2.6.32" -> "2.6.32";
            case "linux-4.4" -> "4.4.1";
            case "linux-4.7" -> "4.7.10";
            case "linux-4.8" -> "4.8.15";
            case "linux-4.9" -> "4.9.123";
            case "linux-4.10" -> "4.10.17";
            case "linux-6.1" -> "6.1.192";
            case "linux-6.3" -> "6.3.8";
            case "linux-6.8" -> "6.8.12";
            case "linux-6.12" -> "6.12.19";
            default -> "6.19.0";
        };
    }

    /** What failed: a warn_alloc report or an OOM report, for which request. */
    public record Request(String comm, int order, GfpMask gfp, boolean oom) {
    }

    /** The whole report for zone states of a node at one step. */
    public static String render(KernelPolicy p, NodeConfig node, List<ZoneSnapshot> zones, Optional<Request> request) {
        Format f = format(p);
        GfpLayout layout = p.gfpLayout();
        StringBuilder sb = new StringBuilder();
        if (request.isPresent()) {
            Request r = request.get();
            long v = r.gfp().encode(layout);
            String names = layout.printsGfpNames() ? "(" + layout.format(v) + ")" : "";
            String hex = "0x" + Long.toHexString(v);
            if (r.oom()) {
                sb.append(r.comm()).append(" invoked oom-killer: gfp_mask=").append(hex).append(names)
                    .append(p.name().equals("linux-4.9") || p.name().equals("linux-4.10") ? ", nodemask=(null)" : "")
                    .append(", order=").append(r.order()).append(f == Format.V2_6_32 ? ", oom_adj=0" : ", oom_score_adj=0")
                    .append('\n');
            } else {
                sb.append(r.comm()).append(": page allocation failure").append(f == Format.V2_6_32 ? ". " : ": ")
                    .append("order:").append(r.order()).append(", mode:").append(hex).append(names)
                    .append(f.compareTo(Format.V6_1) >= 0 ? ", nodemask=(null),cpuset=/,mems_allowed=0" : "")
                    .append('\n');
            }
            if (f == Format.V2_6_32) {
                sb.append("Pid: 1, comm: ").append(r.comm()).append(" Not tainted ").append(release(p)).append(" #1\n");
            } else {
                sb.append("CPU: 0 PID: 1 Comm: ").append(r.comm()).append(" Not tainted ").append(release(p))
                    .append(" #1\n");
            }
            sb.append("Hardware name: highwater model (").append(p.name()).append(")\n");
        }
        sb.append("Mem-Info:\n");
        long free = 0;
        long pcp = 0;
        for (ZoneSnapshot z : zones) {
            free += z.nrFreePages();
            pcp += z.pcpPages();
        }
        if (f == Format.V2_6_32) {
            sb.append("active_anon:0 inactive_anon:0 isolated_anon:0\n active_file:0 inactive_file:0 isolated_file:0\n"
                + " unevictable:0 dirty:0 writeback:0 unstable:0\n free:").append(free)
                .append(" slab_reclaimable:0 slab_unreclaimable:0\n mapped:0 shmem:0 pagetables:0 bounce:0\n");
        } else {
            sb.append("active_anon:0 inactive_anon:0 isolated_anon:0\n active_file:0 inactive_file:0 isolated_file:0\n"
                + " unevictable:0 dirty:0 writeback:0").append(f.compareTo(Format.V6_1) >= 0 ? "" : " unstable:0")
                .append("\n slab_reclaimable:0 slab_unreclaimable:0\n mapped:0 shmem:0 pagetables:0")
                .append(f.compareTo(Format.V6_1) >= 0 ? "\n sec_pagetables:0 bounce:0" : " bounce:0")
                .append("\n free:").append(free).append(" free_pcp:").append(pcp).append(" free_cma:0\n");
        }
        if (f.compareTo(Format.V4_8) >= 0) {
            sb.append("Node 0 active_anon:0kB inactive_anon:0kB active_file:0kB inactive_file:0kB unevictable:0kB"
                + " isolated(anon):0kB isolated(file):0kB mapped:0kB dirty:0kB writeback:0kB shmem:0kB")
                .append(f == Format.V6_18 ? "" : " writeback_tmp:0kB").append(f == Format.V4_8 ? " unstable:0kB pages_scanned:0" : "")
                .append(" all_unreclaimable? no\n");
        }
        List<ZoneState> states = new ArrayList<>();
        for (int i = 0; i < zones.size(); i++) {
            states.add(zoneState(p, node.zones().get(i), zones.get(i)));
        }
        for (ZoneState s : states) {
            sb.append(zoneLine(s)).append('\n').append(lowmemLine(s)).append('\n');
        }
        for (ZoneState s : states) {
            sb.append(buddyLine(s)).append('\n');
        }
        sb.append("0 total pagecache pages\n0 pages in swap cache\n");
        if (f.compareTo(Format.V6_1) < 0) {
            sb.append("Swap cache stats: add 0, delete 0, find 0/0\n");
        }
        sb.append("Free swap  = 0kB\nTotal swap = 0kB\n");
        long present = node.zones().stream().mapToLong(ZoneSpec::presentPages).sum();
        long managed = node.zones().stream().mapToLong(ZoneSpec::managedPages).sum();
        sb.append(present).append(" pages RAM\n");
        if (f != Format.V2_6_32) {
            sb.append("0 pages HighMem/MovableOnly\n");
        }
        sb.append(present - managed).append(" pages reserved\n");
        return sb.toString();
    }

    /** A snapshot as the parser's {@link ZoneState}, with the field sequence of the preset's version (§10.1 item 7). */
    public static ZoneState zoneState(KernelPolicy p, ZoneSpec spec, ZoneSnapshot z) {
        Format f = format(p);
        List<Field> fs = new ArrayList<>();
        fs.add(kb("free", z.nrFreePages()));
        if (f.compareTo(Format.V6_1) >= 0) {
            fs.add(kb("boost", z.boost()));
        }
        fs.add(kb("min", z.min()));
        fs.add(kb("low", z.low()));
        fs.add(kb("high", z.high()));
        if (f.compareTo(Format.V6_1) >= 0) {
            fs.add(new Field("reserved_highatomic", z.nrReservedHighatomic() * 4, "KB"));
        }
        if (f == Format.V6_18) {
            fs.add(new Field("free_highatomic", z.nrFreeHighatomic() * 4, "KB"));
        }
        for (String n : List.of("active_anon", "inactive_anon", "active_file", "inactive_file", "unevictable")) {
            fs.add(kb(n, 0));
        }
        if (f.compareTo(Format.V4_8) >= 0) {
            fs.add(kb("writepending", 0));
            if (f == Format.V6_18) {
                fs.add(kb("zspages", 0));
            }
            fs.add(kb("present", spec.presentPages()));
            fs.add(kb("managed", spec.managedPages()));
            fs.add(kb("mlocked", 0));
            if (f == Format.V4_8) {
                for (String n : List.of("slab_reclaimable", "slab_unreclaimable", "kernel_stack", "pagetables")) {
                    fs.add(kb(n, 0));
                }
            }
            fs.add(kb("bounce", 0));
            fs.add(kb("free_pcp", z.pcpPages()));
            fs.add(kb("local_pcp", 0));
            fs.add(kb("free_cma", 0));
        } else {
            fs.add(kb("isolated(anon)", 0));
            fs.add(kb("isolated(file)", 0));
            fs.add(kb("present", spec.presentPages()));
            if (f == Format.V4_4) {
                fs.add(kb("managed", spec.managedPages()));
            }
            for (String n : List.of("mlocked", "dirty", "writeback", "mapped", "shmem", "slab_reclaimable",
                "slab_unreclaimable", "kernel_stack", "pagetables", "unstable", "bounce")) {
                fs.add(kb(n, 0));
            }
            if (f == Format.V4_4) {
                fs.add(kb("free_pcp", z.pcpPages()));
                fs.add(kb("local_pcp", 0));
                fs.add(kb("free_cma", 0));
            }
            fs.add(kb("writeback_tmp", 0));
            fs.add(new Field("pages_scanned", 0, ""));
        }
        Optional<Boolean> allUnrec = f.compareTo(Format.V4_8) >= 0 ? Optional.empty() : Optional.of(false);
        List<BuddyEntry> buddy = new ArrayList<>();
        long total = 0;
        for (int o = 0; o < z.freeBlocks().size(); o++) {
            List<Long> row = z.freeBlocks().get(o);
            long count = 0;
            StringBuilder letters = new StringBuilder();
            for (MigrateType t : MigrateType.values()) {
                long c = row.get(t.ordinal());
                count += c;
                if (c > 0 && f != Format.V2_6_32) {
                    letters.append(t.letter());
                }
            }
            buddy.add(new BuddyEntry(count, 4L << o, letters.toString()));
            total += count * (4L << o);
        }
        return new ZoneState(spec.type().kernelName(), 0, fs, allUnrec, z.lowmemReserve(), buddy, total,
            f == Format.V2_6_32 ? "Node 0 " : "");
    }

    private static Field kb(String name, long pages) {
        return new Field(name, pages * 4, "kB");
    }

    /** {@code [Node 0 ]Normal free:1492kB min:964kB ...} */
    public static String zoneLine(ZoneState z) {
        StringBuilder sb = new StringBuilder(z.prefix()).append(z.name());
        for (Field f : z.fields()) {
            sb.append(' ').append(f);
        }
        z.allUnreclaimable().ifPresent(b -> sb.append(" all_unreclaimable? ").append(b ? "yes" : "no"));
        return sb.toString();
    }

    /** {@code lowmem_reserve[]: 0 1952 1952 1952} */
    public static String lowmemLine(ZoneState z) {
        StringBuilder sb = new StringBuilder("lowmem_reserve[]:");
        for (long r : z.lowmemReserve()) {
            sb.append(' ').append(r);
        }
        return sb.toString();
    }

    /** {@code DMA32: 7*4kB (H) 8*8kB (H) ... = 19484kB} */
    public static String buddyLine(ZoneState z) {
        StringBuilder sb = new StringBuilder(z.prefix().startsWith("Node 0, ") ? "" : z.prefix()).append(z.name())
            .append(": ");
        for (BuddyEntry e : z.buddy()) {
            sb.append(e.count()).append('*').append(e.sizeKb()).append("kB ");
            if (e.count() > 0 && !e.letters().isEmpty()) {
                sb.append('(').append(e.letters()).append(") ");
            }
        }
        sb.append("= ").append(z.buddyTotalKb()).append("kB");
        return sb.toString();
    }
}
