package dev.highwater.reports.explain;

import dev.highwater.model.AllocFlags;
import dev.highwater.model.Context;
import dev.highwater.model.GfpFlag;
import dev.highwater.model.GfpLayout;
import dev.highwater.model.GfpMask;
import dev.highwater.model.MigrateType;
import dev.highwater.model.WatermarkCheck;
import dev.highwater.model.ZoneType;
import dev.highwater.model.kernellog.KernelReport;
import dev.highwater.model.kernellog.KernelReport.Kind;
import dev.highwater.model.kernellog.KernelReport.ZoneState;
import dev.highwater.model.policy.FirstFix;
import dev.highwater.model.policy.HighOrderCheck;
import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.policy.Presets;
import dev.highwater.model.policy.SwitchChange;
import dev.highwater.reports.explain.Replay.Pass;
import dev.highwater.reports.explain.Replay.Request;
import dev.highwater.reports.explain.Replay.ZoneTry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code highwater explain}: reconstructs the zone state of a parsed report, replays the failing request under the
 * preset matching the log's kernel version ({@link Replay}), classifies the failure by what-if replays (highatomic
 * lists usable? lowmem_reserve 0? an order-0 request?), and looks for advice that changes the replay's outcome: a
 * later preset (a kernel fix) or a tunable, with the value at which it does.
 */
public final class Explainer {
    private Explainer() {
    }

    /** The preset for a kernel version (kernel-semantics §13 columns). */
    public static KernelPolicy presetFor(int major, int minor) {
        String name;
        if (major < 4 || (major == 4 && minor < 4)) {
            name = "linux-2.6.32";
        } else if (major == 4 && minor < 7) {
            name = "linux-4.4";
        } else if (major == 4 && minor == 7) {
            name = "linux-4.7";
        } else if (major == 4 && minor == 8) {
            name = "linux-4.8";
        } else if (major == 4 && minor == 9) {
            name = "linux-4.9";
        } else if (major == 4 || major == 5 || (major == 6 && minor == 0)) {
            name = "linux-4.10";
        } else if (major == 6 && minor < 3) {
            name = "linux-6.1";
        } else if (major == 6 && minor < 8) {
            name = "linux-6.3";
        } else if (major == 6 && minor < 12) {
            name = "linux-6.8";
        } else if (major == 6 && minor < 18) {
            name = "linux-6.12";
        } else {
            name = "mainline";
        }
        return Presets.byName(name).orElseThrow();
    }

    /** The model's zone type of a printed zone name; ZONE_DEVICE (never allocated from) sorts above all. */
    static ZoneType zoneType(String name) {
        return name.equals("Device") ? null : ZoneType.parse(name);
    }

    /**
     * Explains every report of one file (a /proc snapshot or buddyinfo dumps of the file back header-only failure
     * reports); a snapshot is asked the {@link Probe#DEFAULTS}.
     */
    public static List<Explanation> explainAll(List<KernelReport> reports) {
        return explainAll(reports, Probe.DEFAULTS);
    }

    /** As {@link #explainAll(List)}, asking a snapshot {@code probes}. */
    public static List<Explanation> explainAll(List<KernelReport> reports, List<Probe> probes) {
        List<Explanation> out = new ArrayList<>();
        for (KernelReport r : reports) {
            out.add(r.kind() == Kind.SNAPSHOT ? snapshot(r, reports, probes) : explain(r, reports));
        }
        return out;
    }

    /** The version of a report: its own release, else another report's of the same file, else the header's format. */
    static int[] version(KernelReport r, List<KernelReport> file) {
        Optional<int[]> v = r.version();
        if (v.isPresent()) {
            return v.get();
        }
        if (r.header().contains("failure. order")) {
            // 2.6.32-style header (§10.4): "failure." with a period, ≤4.3
            for (KernelReport o : file) {
                if (o.version().isPresent() && o.version().get()[0] < 4) {
                    return o.version().get();
                }
            }
            return new int[] {2, 6};
        }
        for (KernelReport o : file) {
            if (o.version().isPresent()) {
                return o.version().get();
            }
        }
        if (r.gfpNames().isEmpty()) {
            // no symbolic mode (≤4.4) and no release: a mask with neither __GFP_DIRECT_RECLAIM nor
            // __GFP_KSWAPD_RECLAIM (4.4's 0x400000, 0x2000000), which 4.4's GFP_KERNEL and GFP_ATOMIC both carry, is
            // in the ≤4.3 layout (a 3.x ARM board's 'gfp_mask=0x201da': GFP_HIGHUSER_MOVABLE|__GFP_COLD there, a
            // request that cannot reclaim in 4.4's)
            long mask = r.gfpValue().orElse(0);
            return (mask & 0x2400000L) == 0 ? new int[] {2, 6} : new int[] {4, 4};
        }
        // symbolic names and no release: the newest layout in which the value reads as the printed names (a 6.6
        // 'mode:0x820(GFP_ATOMIC)' is GFP_ATOMIC only in 6.3's layout; 4.9's reads __GFP_HIGH|__GFP_NOFAIL)
        List<GfpLayout> naming = layoutsNaming(r.gfpValue().orElse(0), r.gfpNames());
        return naming.isEmpty() ? new int[] {4, 9} : FIRST_OF_LAYOUT.get(naming.get(naming.size() - 1));
    }

    /** The layouts (oldest first) in which {@code value} prints as {@code names}, among those that print names. */
    static List<GfpLayout> layoutsNaming(long value, String names) {
        return Arrays.stream(GfpLayout.values()).filter(l -> l.printsGfpNames() && sameNames(l.format(value), names))
            .toList();
    }

    /** The release a layout's numbers start with (the 4.5–4.9 one stands for 4.9, the default before). */
    private static final Map<GfpLayout, int[]> FIRST_OF_LAYOUT = Map.of(GfpLayout.V4_8, new int[] {4, 9},
        GfpLayout.V4_10, new int[] {4, 10}, GfpLayout.V4_15, new int[] {4, 15}, GfpLayout.V5_1, new int[] {5, 1},
        GfpLayout.V6_3, new int[] {6, 3});

    /**
     * The same flag names, in any order: kernels print them in their name table's order, which moved between
     * releases (a 6.7 kernel printed GFP_KERNEL|__GFP_COMP|__GFP_ZERO where the 6.3+ table gives __GFP_ZERO first).
     */
    static boolean sameNames(String a, String b) {
        return new java.util.TreeSet<>(List.of(a.split("\\|"))).equals(new java.util.TreeSet<>(List.of(b.split("\\|"))));
    }

    private static final java.util.regex.Pattern RELEASE_2_6 = java.util.regex.Pattern.compile("^2\\.(\\d+)\\.(\\d+)");
    private static final java.util.regex.Pattern NODEMASK = java.util.regex.Pattern.compile("nodemask=([0-9][0-9,\\-]*)");
    private static final java.util.regex.Pattern NODE = java.util.regex.Pattern.compile("Node (\\d+)");

    /** A release older than 2.6.32, the oldest preset ("2.6.24-19-generic"): judged by 2.6.32's rules, and said so. */
    static boolean predatesPresets(String release) {
        java.util.regex.Matcher m = RELEASE_2_6.matcher(release);
        return m.find() && (Integer.parseInt(m.group(1)) < 6 || Integer.parseInt(m.group(2)) < 32);
    }

    public static Explanation explain(KernelReport r, List<KernelReport> file) {
        if (r.kind() == Kind.NOT_ALLOCATOR) {
            return new Explanation(r, Diagnosis.NOT_ALLOCATOR, "", r.header(),
                "Not a page-allocator failure: " + notAllocatorWhy(r) + " The buddy allocator's checks did not fail"
                    + " here, so there is no request to replay.", List.of(), Map.of());
        }
        if (r.kind() == Kind.BUDDYINFO) {
            return buddyinfoProfile(r);
        }
        if (r.kind() == Kind.SNAPSHOT) {
            return snapshot(r, file, Probe.DEFAULTS);
        }
        int[] ver = version(r, file);
        KernelPolicy p = presetFor(ver[0], ver[1]);
        GfpLayout releaseLayout = GfpLayout.forKernel(ver[0], ver[1]);
        long value = r.gfpValue().orElse(0);
        // the printed names cross-check the release's layout (§10.3): a release between two numberings (4.15-rc6
        // printing 4.10-4.14's 0x14280ca as GFP_HIGHUSER_MOVABLE|__GFP_ZERO) is read in the layout that gives them
        List<GfpLayout> naming = r.gfpNames().isEmpty() ? List.of() : layoutsNaming(value, r.gfpNames());
        GfpLayout layout = naming.isEmpty() || sameNames(releaseLayout.format(value), r.gfpNames()) ? releaseLayout
            : naming.get(0);
        GfpMask.Decoded dec = GfpMask.decode(value, layout);
        GfpMask gfp = dec.mask();
        Context ctx = r.inInterrupt() ? Context.SOFTIRQ : Context.PROCESS;
        MigrateType mt = gfp.migratetype();
        Request req = new Request(gfp, Math.max(0, r.order()), mt, ctx);
        String names = layout.format(value);
        String request = "order-" + req.order() + " " + (names.isEmpty() ? "0x" + Long.toHexString(value) : names)
            + (ctx == Context.SOFTIRQ ? " in softirq" : "") + (gfp.canDirectReclaim() ? "" : " (cannot reclaim)")
            + (vmallocPage(r) ? " for one of vmalloc's pages" : "");
        // without a release, the printed names may fit several numberings: the newest is taken, and the others named
        List<String> alsoFits = r.release().isPresent() ? List.of()
            : naming.stream().filter(l -> l != releaseLayout).map(Explainer::layoutLabel).toList();
        String versionText = "Linux " + r.release().orElse((ver[0] == 2 ? "≤4.3" : ver[0] + "." + ver[1])
                + " (from the report format" + (alsoFits.isEmpty() ? "" : "; its flag names fit " + String.join(" and ",
                alsoFits) + "'s numbering too, and an older kernel may be judged by newer rules here") + ")")
            + (r.release().filter(Explainer::predatesPresets).isPresent() ? ", older than the oldest preset and"
            + " judged by 2.6.32's rules" : "");
        String decoded = "mode 0x" + Long.toHexString(value) + " decodes in the " + layoutLabel(layout)
            + " layout (§3.5) as " + (names.isEmpty() ? "no flags" : names)
            + (r.gfpNames().isEmpty() || sameNames(r.gfpNames(), names) ? "" : " (the log prints " + r.gfpNames() + ")")
            + (dec.isComplete() ? "" : ", with unknown bits 0x" + Long.toHexString(dec.unknownBits()))
            + (layout != releaseLayout ? ", as the log prints it (the release's own " + layoutLabel(releaseLayout)
            + " layout reads " + releaseLayout.format(value) + ": this kernel numbers its flags as those releases do)"
            : "");
        Map<String, Long> nums = new LinkedHashMap<>();
        nums.put("order", (long) req.order());
        nums.put("gfp", value);
        if (r.kind() == Kind.OOM) {
            nums.put("oom", 1L);
        }

        List<ZoneState> states = r.zones().stream().filter(ZoneState::hasWatermarks).toList();
        // no Mem-Info: a /proc snapshot captured into the same file gives the zone state (and the LRU and swap counts)
        KernelReport source = r;
        if (states.isEmpty()) {
            for (KernelReport o : file) {
                List<ZoneState> zs = populated(o);
                boolean blocks = zs.stream().noneMatch(z -> z.buddy().isEmpty());
                // zoneinfo without free blocks per order serves an order-0 request only
                if (o.kind() == Kind.SNAPSHOT && !zs.isEmpty() && (blocks || req.order() == 0)) {
                    source = o;
                    states = blocks ? zs : asOrder0Blocks(zs);
                    break;
                }
            }
        }
        // zone lines without buddy lines (an excerpt): an order-0 request is judged by the watermarks alone
        boolean noBuddyLines = source == r && !states.isEmpty() && states.stream().allMatch(z -> z.buddy().isEmpty());
        if (noBuddyLines) {
            if (req.order() > 0) {
                return noZoneState(r, file, p, req, request, versionText, decoded, nums);
            }
            states = asOrder0Blocks(states);
        }
        if (states.isEmpty()) {
            return noZoneState(r, file, p, req, request, versionText, decoded, nums);
        }
        // a request bound to some nodes (the OOM header's nodemask=, 4.9+: a cpuset or mempolicy) tries only theirs
        List<Integer> nodemask = nodemask(r);
        List<ZoneState> bound = states.stream().filter(z -> nodemask.isEmpty() || nodeOf(z) < 0
            || nodemask.contains(nodeOf(z))).toList();
        boolean nodeBound = !bound.isEmpty() && bound.size() < states.size();
        if (nodeBound) {
            states = bound;
        }
        Recon rc = reconstruct(r, states, gfp, ver);
        if (rc.zonelist().isEmpty()) {
            // e.g. a GFP_DMA request in a report that prints no DMA zone
            return noZoneState(r, file, p, req, request, versionText, decoded, nums);
        }
        long reclaimable = reclaimable(source, rc);
        nums.put("reclaimable", reclaimable);
        Replay.Result res = Replay.run(p, rc.zonelist, rc.classIdx, req, reclaimable);
        Pass slow = res.slow();
        ZoneTry top = slow.tries().get(0);
        ReconstructedZone tz = top.zone();
        nums.put("free", tz.free);
        nums.put("min", tz.min);
        nums.put("effective_min", top.effectiveMin());
        nums.put("highatomic_free", tz.freeOfType(MigrateType.HIGHATOMIC));
        nums.put("reserved_highatomic", tz.reservedHa);
        nums.put("largest_free_order", (long) tz.largestFreeOrder());

        StringBuilder sb = new StringBuilder();
        if (r.header().contains("allocation stalls for")) {
            sb.append("A stall warning (4.9–4.14: the request was still retrying), not yet a failure; the state as"
                + " printed: ");
        }
        sb.append(capital(request)).append(" under ").append(p.name()).append(" (").append(versionText)
            .append("; ").append(decoded).append("). ");
        if (nodeBound) {
            sb.append("The request's nodemask (").append(String.join(",", nodemask.stream().map(String::valueOf).toList()))
                .append(") limits it to those nodes' zones. ");
        }
        if (noBuddyLines) {
            sb.append("The report has zone lines but no buddy lines (the text stops before them): the request is"
                + " judged by the watermarks alone, and which lists hold the free pages (highatomic, CMA) is unknown. ");
        }
        if (source != r) {
            sb.append("The log has no Mem-Info for this failure; the zone state is the ").append(source.header())
                .append(" snapshot of line ").append(source.line()).append(" (captured apart from the failure, so free"
                    + " memory may have moved in between). ");
        }
        Diagnosis d;
        List<String> advice = new ArrayList<>();
        if (res.ok()) {
            d = Diagnosis.PASSES_IN_MODEL;
            sb.append("Replayed on the zone state as printed, the request succeeds (").append(res.last().name())
                .append(" pass, zone ").append(okZone(res.last())).append("): ")
                .append(zoneSentence(p, req, res.last().tries().get(res.last().tries().size() - 1)))
                .append(vmallocPage(r)
                    ? " vmalloc asks for its pages one at a time and gives up at the first refusal; in 4.x kernels it"
                    + " also stopped, with this same report, when the task had a fatal signal pending (it was being"
                    + " killed), which fits a state with the page there for the taking. Otherwise the dump came after"
                    + " free memory changed."
                    : " The dump was taken after the failure, and free memory changed in between (per-CPU lists,"
                    + " racy counters, frees by other CPUs); the printed state does not explain it.");
        } else if (rc.zonelist().stream().allMatch(z -> z.managed == 0 && z.free == 0)) {
            d = Diagnosis.NO_USABLE_ZONE;
            sb.append(noUsableZone(source, rc, gfp));
            advice.add("Caller: only " + gfp.highestZone().kernelName() + " and lower zones serve this request; drop "
                + zoneFlag(gfp) + " where the device can address more memory, or set memory aside for it at boot (a CMA area or a"
                + " driver's DMA pool). No kernel version or watermark tunable changes a zone with no pages.");
        } else {
            d = classify(p, rc, req, reclaimable, source);
            for (ZoneTry zt : slow.tries()) {
                sb.append(zoneSentence(p, req, zt)).append(' ');
            }
            sb.append(classSentence(d, r, p, req, rc, res, reclaimable, nums));
            advice.addAll(advice(d, p, source, rc, req, reclaimable));
        }
        return new Explanation(r, d, p.name(), request, sb.toString().strip(), advice, nums);
    }

    /**
     * Every zone the request may use is empty: a GFP_DMA request on a machine whose DMA zone holds no pages the
     * allocator manages (a real 3.17 MIPS report: DMA present 16,384 kB, managed 0, from a disk driver's probe).
     */
    private static String noUsableZone(KernelReport r, Recon rc, GfpMask gfp) {
        List<String> zones = new ArrayList<>();
        for (ReconstructedZone z : rc.zonelist()) {
            zones.add(z.name);
        }
        long elsewhere = 0;
        for (ZoneState z : r.zones()) {
            if (zones.stream().noneMatch(n -> n.endsWith(z.name()))) {
                elsewhere += z.pages("free").orElse(z.buddyPages());
            }
        }
        String present = r.zones().stream().filter(z -> zones.contains(z.name()) && z.pages("present").orElse(0) > 0)
            .map(z -> z.name() + " present " + z.pages("present").getAsLong() * z.pageKb() + " kB")
            .reduce((a, b) -> a + ", " + b).map(x -> " (" + x + ", all of it kept from the allocator at boot)")
            .orElse("");
        return "Diagnosis: no usable memory — the zones this request may use (" + String.join(", ", zones)
            + ", by its " + zoneFlag(gfp) + ") manage no pages" + present + ", so it can never"
            + " succeed on this machine, whatever the load: the caller's zone restriction, not memory pressure"
            + (elsewhere > 0 ? "; the other zones had " + elsewhere + " pages free" : "") + ".";
    }

    private static String zoneFlag(GfpMask gfp) {
        return switch (gfp.highestZone()) {
            case DMA -> "GFP_DMA";
            case DMA32 -> "GFP_DMA32";
            default -> "its zone flags";
        };
    }

    /** A report of one of vmalloc's pages ("vmalloc: allocation failure, allocated X of Y bytes"), an order-0 request. */
    static boolean vmallocPage(KernelReport r) {
        return r.kind() == Kind.ALLOC_FAILURE && r.header().contains("vmalloc: allocation failure, allocated");
    }

    private static String okZone(Pass p) {
        return p.tries().get(p.tries().size() - 1).zone().name;
    }

    private static String layoutLabel(GfpLayout l) {
        return switch (l) {
            case V2_6_32 -> "≤4.3";
            case V4_4 -> "4.4";
            case V4_8 -> "4.5–4.9";
            case V4_10 -> "4.10–4.14";
            case V4_15 -> "4.15–5.0";
            case V5_1 -> "5.1–6.2";
            case V6_3 -> "6.3+";
        };
    }

    private static String capital(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static String notAllocatorWhy(KernelReport r) {
        if (r.header().matches(".*vmalloc: allocation failure: \\d+ bytes.*")) {
            return "vmalloc could not find that much virtual address space ('" + r.header() + "'): its area, not"
                + " physical memory, ran out (on 32-bit kernels the vmalloc= boot option sizes it; the page"
                + " allocator's header printed after it by kernels before 4.9 is part of the same report).";
        }
        if (r.header().contains("vmalloc")) {
            return "a vmalloc failure ('" + r.header() + "') is a failure to find virtual address space or to"
                + " allocate its pages one by one, reported by vmalloc.";
        }
        if (r.kind() == Kind.NOT_ALLOCATOR && r.header().contains("oom-killer")) {
            return "this OOM report is a memory cgroup's (its limit was reached; the zones may have plenty free).";
        }
        return "the log holds a memory dump ('" + r.header() + "') with no failed allocation request.";
    }

    /** Zones in the zonelist order and the classzone's lowmem_reserve index. */
    record Recon(List<ReconstructedZone> zonelist, int classIdx, int pageblockOrder) {
    }

    static Recon reconstruct(KernelReport r, List<ZoneState> states, GfpMask gfp, int[] ver) {
        boolean x86 = r.release().map(s -> s.contains("x86_64") || s.contains("amd64")).orElse(false)
            || states.stream().anyMatch(z -> z.name().equals("DMA32"));
        // pageblock_order: 9 with hugetlb (x86-64, arm64/4K), else MAX_ORDER-1 = 10 (32-bit ARM) (§4.1); pagetypeinfo
        // prints it
        int pbOrder = states.stream().flatMap(z -> z.pageTypes().stream()).mapToInt(KernelReport.PageTypes::pageblockOrder)
            .findFirst().orElse(x86 ? 9 : 10);
        // lowmem_reserve[] index = zone index among the configured zones; Normal is always configured (§10.1 item 8)
        List<ZoneType> configured = new ArrayList<>();
        for (ZoneType t : ZoneType.values()) {
            boolean printed = states.stream().anyMatch(z -> zoneType(z.name()) == t);
            if (printed || t == ZoneType.NORMAL) {
                configured.add(t);
            }
        }
        // a zone the kernel configures but does not print (empty, or a vendor's own, like "Crash") still has its
        // lowmem_reserve[] column: an array longer than the printed zones and Movable means a zone below them, DMA
        // on the machines seen (a 5.10 server printing DMA32 and Normal with 'lowmem_reserve[]: 0 0 16029 16029')
        int columns = states.stream().mapToInt(z -> z.lowmemReserve().size()).max().orElse(0);
        int known = configured.size() + (configured.contains(ZoneType.MOVABLE) ? 0 : 1);
        if (columns > known && !configured.contains(ZoneType.DMA)) {
            configured.add(0, ZoneType.DMA);
        }
        ZoneType highest = gfp.highestZone(!configured.contains(ZoneType.HIGHMEM));
        List<ReconstructedZone> zl = new ArrayList<>();
        boolean nodes = states.stream().map(ZoneState::prefix).distinct().count() > 1;
        // a zone without pages (present:0kB, which old kernels print) is in no zonelist: build_zonelists takes the
        // populated zones only. Kept when every zone the request may use is empty: that is the diagnosis then
        boolean anyPopulated = states.stream().anyMatch(z -> eligible(z, highest) && !unpopulated(z));
        for (ZoneState z : states) {
            ZoneType t = zoneType(z.name());
            if (eligible(z, highest) && !(anyPopulated && unpopulated(z))) {
                // with several nodes a zone is named with its node ("Node 1 Normal")
                zl.add(0, new ReconstructedZone(z, t, configured.indexOf(t), pbOrder,
                    nodes ? z.prefix().replace(",", "") + z.name() : z.name()));
            }
        }
        int classIdx = zl.isEmpty() ? 0 : zl.get(0).kernelIndex;
        return new Recon(zl, classIdx, pbOrder);
    }

    /** The nodes of the header's {@code nodemask=0-1,3}; empty when absent or (null). */
    static List<Integer> nodemask(KernelReport r) {
        java.util.regex.Matcher m = NODEMASK.matcher(r.header());
        List<Integer> out = new ArrayList<>();
        if (!m.find()) {
            return out;
        }
        for (String part : m.group(1).split(",")) {
            if (part.isEmpty()) {
                continue;
            }
            String[] ab = part.split("-");
            if (ab.length == 0) {
                return List.of(); // a garbled mask binds nothing
            }
            try {
                int a = Integer.parseInt(ab[0]);
                int b = ab.length > 1 && !ab[1].isEmpty() ? Integer.parseInt(ab[1]) : a;
                for (int n = a; n <= Math.min(b, a + 1023); n++) {
                    out.add(n);
                }
            } catch (NumberFormatException e) {
                return List.of(); // a garbled mask binds nothing
            }
        }
        return out;
    }

    /** The node a zone line names ("Node 1 Normal"), or -1. */
    private static int nodeOf(ZoneState z) {
        java.util.regex.Matcher m = NODE.matcher(z.prefix());
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    private static boolean eligible(ZoneState z, ZoneType highest) {
        ZoneType t = zoneType(z.name());
        return t != null && t.ordinal() <= highest.ordinal();
    }

    private static boolean unpopulated(ZoneState z) {
        return z.pages("present").orElse(1) == 0;
    }

    /**
     * What reclaim could free for the request: the LRU pages of the zones it may use, where every zone line prints its
     * own (2.6.28+). Reclaim takes pages only from those zones (the zone LRUs before 4.8; from 4.8 the node LRU skips
     * pages of zones above the request's reclaim_idx), so a lowmem request on a 32-bit machine gets nothing from
     * HighMem's lists. Without per-zone counts, the whole machine's ({@link #reclaimable(KernelReport)}).
     */
    static long reclaimable(KernelReport r, Recon rc) {
        long file = 0;
        long anon = 0;
        for (ReconstructedZone z : rc.zonelist()) {
            if (z.fileLru < 0 || z.anonLru < 0) {
                return reclaimable(r);
            }
            file += z.fileLru;
            anon += z.anonLru;
        }
        return Replay.reclaimable(file, anon, freeSwapPages(r));
    }

    /** The footer's "Free swap" in pages. */
    private static long freeSwapPages(KernelReport r) {
        return r.footer().getOrDefault("Free swap", 0L) / r.pageKb();
    }

    static long reclaimable(KernelReport r) {
        Map<String, Long> m = r.memInfo();
        long file = m.getOrDefault("active_file", 0L) + m.getOrDefault("inactive_file", 0L);
        long anon = m.getOrDefault("active_anon", 0L) + m.getOrDefault("inactive_anon", 0L);
        return Replay.reclaimable(file, anon, freeSwapPages(r));
    }

    static Diagnosis classify(KernelPolicy p, Recon rc, Request req, long reclaimable, KernelReport r) {
        // what-if 1: highatomic (and CMA) blocks usable by the request, no reserve subtracted
        for (MigrateType t : List.of(MigrateType.HIGHATOMIC, MigrateType.CMA)) {
            List<ReconstructedZone> w = copy(rc.zonelist());
            for (ReconstructedZone z : w) {
                z.retype(t, req.migratetype());
                if (t == MigrateType.HIGHATOMIC) {
                    z.reservedHa = 0;
                }
            }
            if (Replay.run(p, w, rc.classIdx(), req, reclaimable).ok()) {
                return t == MigrateType.HIGHATOMIC ? Diagnosis.HIGHATOMIC_ONLY : Diagnosis.CMA_ONLY;
            }
        }
        // the kernel's own verdict: the node's flag (4.8+), or every zone the request may use flagged (before; a
        // 16 MB DMA zone's flag alone says nothing of the others: a 4.7 order-3 OOM with 290,522 file pages in
        // DMA32 and Normal had read as exhaustion on DMA's word)
        boolean nothingReclaimable = reclaimable <= 32 || r.node().getOrDefault("all_unreclaimable", 0L) == 1
            || zonesUnreclaimable(rc);
        boolean exhausted = req.gfp().canDirectReclaim() && nothingReclaimable;
        // what-if 2: no lowmem_reserve. A reserve that holds back under 1 % of the zonelist's pages (a DMA zone's,
        // typically) is the reserve doing its job at the margin, not why the request failed: exhaustion, the
        // watermark or fragmentation, with the held-back pages named (real 6.1 reports, an OOM of a growing task and
        // an order-0 GFP_ATOMIC refusal, read as "lowmem_reserve" for DMA's 200 pages of 55,655; a 4.9 i686 lowmem
        // OOM with 133,000 unaged active file pages in Normal, for DMA's 791; a 4.4 order-2 OOM on a fragmented
        // DMA32, for DMA's 1,714 of a million)
        if (withoutLowmemReserve(p, rc, req, reclaimable) && !smallReserve(rc)) {
            return Diagnosis.LOWMEM_RESERVE;
        }
        // what-if 3: the same pages asked for as order-0 pages; but a request larger than every free page of its
        // zones together is no fragmentation (no arrangement of them would do)
        if (req.order() > 0 && rc.zonelist().stream().mapToLong(z -> z.free).sum() < 1L << req.order()) {
            return Diagnosis.TOO_LARGE;
        }
        if (req.order() > 0) {
            Request zero = new Request(req.gfp(), 0, req.migratetype(), req.context());
            if (Replay.run(p, copy(rc.zonelist()), rc.classIdx(), zero, reclaimable).ok()) {
                return Diagnosis.FRAGMENTATION;
            }
        }
        return exhausted ? Diagnosis.EXHAUSTION : Diagnosis.BELOW_WATERMARK;
    }

    private static boolean withoutLowmemReserve(KernelPolicy p, Recon rc, Request req, long reclaimable) {
        List<ReconstructedZone> w = copy(rc.zonelist());
        for (ReconstructedZone z : w) {
            z.lowmemReserve = List.of();
        }
        return Replay.run(p, w, rc.classIdx(), req, reclaimable).ok();
    }

    /** Free pages the zonelist's lowmem_reserve keeps from this request: per zone, those above min, up to the reserve. */
    private static long heldBack(Recon rc) {
        long n = 0;
        for (ReconstructedZone z : rc.zonelist()) {
            n += Math.min(Math.max(0, z.free - z.min), z.reserveFor(rc.classIdx()));
        }
        return n;
    }

    /** When the lower zones' reserve held back pages that would have served the request: how many, and what it means. */
    private static String reserveNote(KernelPolicy p, Recon rc, Request req, long reclaimable) {
        long held = heldBack(rc);
        if (held == 0 || !withoutLowmemReserve(p, rc, req, reclaimable)) {
            return "";
        }
        return " The lower zones' lowmem_reserve holds back " + held + " free pages (" + (smallReserve(rc)
            ? "under 1 % of the " + managed(rc) + " managed" : "of " + managed(rc) + " managed") + "); without it this"
            + " request would have had them, and the next ones would fail the same way.";
    }

    /** What the reserve holds back is under 1 % of the zonelist's managed pages (the diagnosis heuristic above). */
    private static boolean smallReserve(Recon rc) {
        return heldBack(rc) * 100 < managed(rc);
    }

    private static long managed(Recon rc) {
        return rc.zonelist().stream().mapToLong(z -> z.managed).sum();
    }

    private static List<ReconstructedZone> copy(List<ReconstructedZone> zs) {
        List<ReconstructedZone> out = new ArrayList<>();
        for (ReconstructedZone z : zs) {
            out.add(z.copy());
        }
        return out;
    }

    /** The step of 2.6.32–4.3's shrinking-minimum loop that fails: below which order, what is left, the floor then. */
    record ShrinkStep(int order, long left, long floor) {
    }

    /**
     * 2.6.32–4.3's high-order part of the check (§2.1): for each order k below the request's, the free pages in blocks
     * of order k are set aside and the floor halves; it fails when what is left is not above the floor. {@code usable}
     * and {@code floor} are the order-0 step's (free less the request's own pages; the caller's reduced minimum).
     */
    static Optional<ShrinkStep> shrinkingMinFailure(ReconstructedZone z, int order, long usable, long floor) {
        long f = usable;
        long m = floor;
        for (int k = 0; k < order && k < z.maxOrder(); k++) {
            f -= z.nrFree(k) << k;
            m /= 2;
            if (f <= m) {
                return Optional.of(new ShrinkStep(k, f, m));
            }
        }
        return Optional.empty();
    }

    static String zoneSentence(KernelPolicy p, Request req, ZoneTry t) {
        ReconstructedZone z = t.zone();
        String floor = floor(req, t);
        String reserve = t.reserve() > 0 ? " + lowmem_reserve " + t.reserve() : "";
        long usable = z.free - t.unusable();
        String ha = z.freeOfType(MigrateType.HIGHATOMIC) > 0 ? " (" + z.freeOfType(MigrateType.HIGHATOMIC)
            + " of them on HIGHATOMIC lists)" : "";
        if (!t.checkOk()) {
            long cma = z.free - z.countedFree(req.migratetype());
            long rest = t.unusable() - cma;
            String sub = t.unusable() > 0 ? " − " + t.unusable() + " unusable ("
                + (cma > 0 ? cma + " free CMA pages, which a non-movable request does not count"
                + (rest > 0 ? ", " : "") : "")
                + (rest >= (1L << req.order()) ? "nr_reserved_highatomic " + (rest - (1L << req.order()) + 1)
                + (z.reservedHaPrinted ? "" : " estimated") + " and " : "")
                + (cma > 0 && rest == 0 ? "" : "the request's own pages") + ") = " + usable : "";
            if (t.reserve() > 0 && usable > t.effectiveMin()) {
                return "Zone " + z.name + " is refused by its lowmem_reserve: free " + z.free + " pages" + sub + " > "
                    + floor + ", but not above it" + reserve + " = " + (t.effectiveMin() + t.reserve()) + ".";
            }
            Optional<ShrinkStep> step = p.highOrderCheck() == HighOrderCheck.SHRINKING_MIN && req.order() > 0
                ? shrinkingMinFailure(z, req.order(), usable, t.effectiveMin()) : Optional.empty();
            if (step.isPresent() && z.largestFreeOrder() >= req.order() && usable > t.effectiveMin() + t.reserve()) {
                ShrinkStep f = step.get();
                return "Zone " + z.name + " has free " + z.free + " pages > " + floor + reserve + ", but the high-order"
                    + " part of the check fails: set aside the free blocks below order " + (f.order() + 1) + " and "
                    + f.left() + " pages are left, not above the floor halved " + (f.order() + 1) + " time(s), "
                    + f.floor() + " (2.6.32–4.3: a request of order " + req.order() + " must leave that much in blocks"
                    + " its size or larger; the largest free block is order " + z.largestFreeOrder() + ").";
            }
            if (req.order() > 0 && usable > t.effectiveMin() + t.reserve()) {
                return "Zone " + z.name + " has free " + z.free + " pages > " + floor + reserve
                    + ", but the high-order part of the check fails: the largest free block usable by the request"
                    + " is order " + z.largestFreeOrder(t.lists()) + " (largest of any type: "
                    + z.largestFreeOrder() + ").";
            }
            return "Zone " + z.name + " fails the watermark check: free " + z.free + " pages" + ha + sub + " ≤ "
                + floor + reserve + ".";
        }
        if (!t.listOk()) {
            String lists = t.lists().stream().map(MigrateType::name).collect(Collectors.joining(", "));
            return "Zone " + z.name + " passes the watermark check (free " + z.free + " pages > " + floor + reserve
                + ") but rmqueue finds no block of order ≥ " + req.order() + " on the lists the request may use ("
                + lists + "); its free blocks are on " + typesWithBlocks(z) + " lists.";
        }
        return "Zone " + z.name + " passes (free " + z.free + " > " + floor + reserve + ") and has a block.";
    }

    private static String markName(ZoneTry t) {
        return t.mark() == t.zone().min ? "min" : t.mark() == t.zone().low ? "low" : "high";
    }

    private static String floorName(Request req) {
        return req.gfp().has(GfpFlag.HIGH) ? "atomic" : "reduced";
    }

    private static String typesWithBlocks(ReconstructedZone z) {
        List<String> out = new ArrayList<>();
        for (MigrateType t : MigrateType.values()) {
            long n = z.freeOfType(t);
            if (n > 0) {
                out.add(t.name() + " (" + n + " pages)");
            }
        }
        return out.isEmpty() ? "no" : String.join(", ", out);
    }

    static String classSentence(Diagnosis d, KernelReport r, KernelPolicy p, Request req, Recon rc,
                                Replay.Result res, long reclaimable, Map<String, Long> nums) {
        ReconstructedZone top = rc.zonelist().get(0);
        return switch (d) {
            case HIGHATOMIC_ONLY -> {
                long ha = 0;
                long all = 0;
                long reserved = 0;
                long freeSum = 0;
                for (ReconstructedZone z : rc.zonelist()) {
                    ha += z.freeOfType(MigrateType.HIGHATOMIC);
                    for (int o = 0; o < z.maxOrder(); o++) {
                        all += z.nrFree(o) << o;
                    }
                    reserved += z.reservedHa;
                    freeSum += z.free;
                }
                String why;
                if (!req.gfp().canDirectReclaim()) {
                    why = req.order() == 0 && !Replay.usableLists(p, req, res.slow().flags()).contains(MigrateType.HIGHATOMIC)
                        ? "order-0 requests could not take pages from the HIGHATOMIC lists before 281dd25c1a01 (6.12;"
                            + " late 6.1.y by backport), except OOM victims from 6.3"
                        : "the watermark check subtracts nr_reserved_highatomic for this caller (§2.1)";
                } else {
                    why = "those lists serve only high-order atomic requests; a blocking request gets the pages only"
                        + " when the slow path unreserves the blocks before OOM (04c8716f7b00 in 4.10, after 16"
                        + " no-progress retries; 6.8 whenever the retry would stop)";
                }
                String oom = "";
                boolean costlyStop = req.order() > 3 && !req.gfp().has(GfpFlag.RETRY_MAYFAIL)
                    && !req.gfp().has(GfpFlag.NOFAIL);
                if (req.gfp().canDirectReclaim() && costlyStop) {
                    oom = " An order above 3 (costly) without __GFP_RETRY_MAYFAIL fails after one round of reclaim and"
                        + " compaction, before the retry logic whose last step unreserves the highatomic blocks (§7.1),"
                        + " so the request fails with free memory far above min.";
                } else if (req.gfp().canDirectReclaim() && !res.unreserved()) {
                    // should_reclaim_retry, per zone (§7.2): free + reclaimable − nr_reserved_highatomic against min
                    List<String> per = new ArrayList<>();
                    Long topAvail = null;
                    for (ReconstructedZone z : rc.zonelist()) {
                        long avail = z.free + reclaimable - z.reservedHa;
                        if (topAvail == null) {
                            topAvail = avail;
                        }
                        long reserve = z.reserveFor(rc.classIdx());
                        per.add(z.name + ": " + z.free + " + " + reclaimable + " − " + z.reservedHa + " = " + avail
                            + (avail <= z.min + reserve ? " ≤ min " : " > min ") + z.min
                            + (reserve > 0 ? " + lowmem_reserve " + reserve : "")
                            + (avail > z.min + reserve ? " but no order-" + req.order() + " block it may use" : ""));
                    }
                    oom = " should_reclaim_retry counts free + reclaimable − nr_reserved_highatomic"
                        + (rc.zonelist().get(0).reservedHaPrinted ? "" : " (the reserve estimated as the whole"
                        + " pageblocks holding the free HIGHATOMIC pages; not printed before 5.10)") + " against min ("
                        + String.join("; ", per) + "), finds no zone that could succeed and gives up at once without"
                        + " unreserving (force-unreserve: " + p.mm().forceUnreserve().name().toLowerCase().replace('_', ' ')
                        + " in " + p.name() + "), so " + (nums.containsKey("oom") ? "the OOM killer runs" : "the request fails")
                        + " with free memory far above min.";
                    nums.put("retry_available", topAvail);
                }
                if (ha * 2 < reserved && !res.slow().tries().get(0).checkOk()) {
                    // most of the reserve not free, yet its whole size taken off free (Yu Zhao's 6.x OOM: 1,073,152 kB
                    // reserved, none of it free; a 6.7 order-5 failure: 512 pages reserved, 127 free)
                    yield "Diagnosis: the highatomic reserve counted, not its pages — " + (ha == 0 ? "no free page"
                        : "only " + ha + " free pages") + " sit in MIGRATE_HIGHATOMIC blocks, but the watermark check"
                        + " takes the whole nr_reserved_highatomic (" + reserved + " pages) off the free count (§2.1),"
                        + " which leaves the zone under min; 6.12 subtracts only the free highatomic pages"
                        + " (c928807f6f6b, 'mm/page_alloc: keep track of free highatomic')." + oom;
                }
                yield "Diagnosis: free pages only in highatomic blocks — " + ha + " of the " + all + " pages on the"
                    + " buddy lists sit in MIGRATE_HIGHATOMIC blocks, and " + why + "." + oom;
            }
            case CMA_ONLY -> "Diagnosis: free pages only in CMA blocks — " + top.freeOfType(MigrateType.CMA)
                + " free pages are in CMA pageblocks, usable only by movable requests.";
            case LOWMEM_RESERVE -> "Diagnosis: lowmem_reserve — a lower zone holds the pages, but keeps them for"
                + " requests that cannot use higher zones (§1.6); without the reserve the request would succeed.";
            case FRAGMENTATION -> (top.largestFreeOrder() >= req.order()
                && p.highOrderCheck() == HighOrderCheck.SHRINKING_MIN
                ? "Diagnosis: fragmentation — " + nums.get("free") + " pages free in " + top.name + ", and blocks of"
                + " order " + req.order() + " or larger too (largest free order " + top.largestFreeOrder() + "), but"
                + " too few of the free pages are in them: the check of 2.6.32–4.3 wants the halved floor left in"
                + " blocks of the request's size or larger; an order-0 request would succeed."
                : "Diagnosis: fragmentation — " + nums.get("free") + " pages free in " + top.name
                + ", enough for " + (1L << req.order()) + " pages, but no free block of order " + req.order()
                + " (largest free order " + top.largestFreeOrder() + "); an order-0 request would succeed.")
                + reserveNote(p, rc, req, reclaimable);
            case TOO_LARGE -> "Diagnosis: larger than the free memory of its zones — the request asks for "
                + (1L << req.order()) + " contiguous pages (order " + req.order() + ") and the zones it may use ("
                + String.join(", ", rc.zonelist().stream().map(z -> z.name).toList()) + ") have "
                + rc.zonelist().stream().mapToLong(z -> z.free).sum() + " free pages in all, "
                + rc.zonelist().stream().mapToLong(z -> z.managed).sum() + " managed; "
                + (req.gfp().highestZone().ordinal() < ZoneType.NORMAL.ordinal() ? "its zone flag keeps it out of"
                + " the larger zones" : "reclaim and compaction would have to free most of the zone") + ".";
            case EXHAUSTION -> exhaustion(r, rc, reclaimable) + pcpNote(rc, req) + reserveNote(p, rc, req, reclaimable);
            case BELOW_WATERMARK -> "Diagnosis: below the watermark — free memory is under the "
                + (req.gfp().has(GfpFlag.HIGH) ? "atomic floor" : "min watermark") + (req.gfp().canDirectReclaim()
                ? " and reclaim (" + reclaimable + " reclaimable pages) did not bring it back in time."
                + activeListNote(p, rc) : "; a"
                + " request that cannot reclaim fails at once, and only kswapd refills the zone later.")
                + pcpNote(rc, req) + reserveNote(p, rc, req, reclaimable);
            default -> "";
        };
    }

    /**
     * Reclaim frees from the inactive lists and ages the active ones only when the inactive list runs low: a file LRU
     * of the request's zones that is almost all active (a 4.9 i686 lowmem OOM: 133,000 pages, 99 % active) is page
     * cache reclaim did not turn over. 4.8–4.9 got that wrong for lowmem requests with memcg enabled (the node LRU's
     * sizes were compared with per-zone counts), fixed in 4.10 and stable 4.8+ by Michal Hocko's "mm, memcg: fix the
     * active list aging for lowmem requests when memcg is enabled" (Fixes f8d1a31163fc).
     */
    static String activeListNote(KernelPolicy p, Recon rc) {
        long file = 0;
        long active = 0;
        for (ReconstructedZone z : rc.zonelist()) {
            if (z.fileLru < 0 || z.activeFile < 0) {
                return "";
            }
            file += z.fileLru;
            active += z.activeFile;
        }
        if (file * 100 < managed(rc) || active * 10 < file * 9) {
            return "";
        }
        boolean nodeLru48 = p.name().equals("linux-4.8") || p.name().equals("linux-4.9");
        return " Of the " + file + " file pages in the zones it may use, " + (active * 100 / file) + " % are on the"
            + " active list: reclaim frees from the inactive list and ages the active one only when the inactive list"
            + " runs low, so this page cache was not turned over in time" + (nodeLru48 ? " (4.8 and 4.9 misjudged"
            + " that for lowmem requests with memcg enabled, fixed in 4.10 and stable 4.8+ by \"mm, memcg: fix the"
            + " active list aging for lowmem requests when memcg is enabled\")" : "") + ".";
    }

    /**
     * Pages on the per-CPU lists are not in a zone's free count: when they would lift a zone that failed above its
     * floor, say so (a 5.10 server OOM-killed with 1 GiB on its Normal zones' lists, Zach O'Keefe's report for
     * "mm: page_alloc: drain pcp lists before oom kill").
     */
    static String pcpNote(Recon rc, Request req) {
        List<String> lifted = new ArrayList<>();
        long pcp = 0;
        long deficit = 0;
        for (ReconstructedZone z : rc.zonelist()) {
            pcp += z.freePcp;
            long floor = z.min + z.reserveFor(rc.classIdx());
            if (z.free <= floor) {
                deficit += floor - z.free + 1;
                if (z.free + z.freePcp > floor) {
                    lifted.add(z.name);
                }
            }
        }
        long mins = rc.zonelist().stream().mapToLong(z -> z.min).sum();
        // only a request that reclaims gets the drain; a few pages short of min with a few on the lists is the usual
        // margin, lists holding a tenth of the reserve and several times the shortfall are not
        if (!req.gfp().canDirectReclaim() || lifted.isEmpty() || pcp * 10 < mins || pcp < 4 * deficit) {
            return "";
        }
        return " The zones' per-CPU lists hold " + pcp + " more free pages (free_pcp), which the free counts leave"
            + " out; with them " + String.join(", ", lifted) + " would be above min. The allocator drains those lists"
            + " only when a round of direct reclaim made progress and the retry still failed (§7.1); a reclaim that"
            + " frees nothing leaves them there through the OOM kill.";
    }

    /** Every zone of the zonelist printed {@code all_unreclaimable? yes}. */
    private static boolean zonesUnreclaimable(Recon rc) {
        return !rc.zonelist().isEmpty() && rc.zonelist().stream().allMatch(z -> z.unreclaimable);
    }

    /**
     * Exhaustion by the counts (nothing left on the LRU lists reclaim could use), or by the kernel's own verdict: it had
     * marked the node or a zone all_unreclaimable while the zones this request may use still listed LRU pages (a real
     * 4.9 i386 OOM: 137,000 file pages in Normal, nearly all active). The model does not say why pages resist reclaim;
     * it takes the kernel's word and says what was there.
     */
    private static String exhaustion(KernelReport r, Recon rc, long reclaimable) {
        boolean nodeFlag = r.node().getOrDefault("all_unreclaimable", 0L) == 1;
        List<String> flagged = zonesUnreclaimable(rc) ? rc.zonelist().stream().map(z -> z.name).toList() : List.of();
        // a few dozen pages left on the lists is nothing reclaimable in effect; 1 % of the zones' pages is not
        if (reclaimable * 100 < managed(rc) || (!nodeFlag && flagged.isEmpty())) {
            return "Diagnosis: genuine exhaustion — below the watermark with nothing reclaimable (" + reclaimable
                + " reclaimable pages: file LRU, and anon only with swap left).";
        }
        long file = 0;
        long active = 0;
        for (ReconstructedZone z : rc.zonelist()) {
            file += Math.max(0, z.fileLru);
            active += Math.max(0, z.activeFile);
        }
        long scanned = r.node().getOrDefault("pages_scanned", -1L);
        String lists = file > 0 && active >= 0
            ? " (" + file + " of them file pages, " + (active * 100 / file) + " % of those on the active list)" : "";
        return "Diagnosis: genuine exhaustion as far as reclaim could tell — the kernel had marked "
            + (nodeFlag ? "the node" : String.join(", ", flagged)) + " all_unreclaimable"
            + (scanned > 0 ? " (" + scanned + " pages scanned without freeing enough)" : "") + ", although the zones"
            + " this request may use still list " + reclaimable + " reclaimable pages" + lists + ". They could not be"
            + " freed when it ran: pinned or mapped by the tasks using them, dirty or under writeback, or, for active"
            + " pages, not yet aged onto the inactive list that reclaim frees from. The model takes the kernel's word"
            + " here; it does not model why pages resist reclaim.";
    }

    /**
     * The "Kernel fix" advice: the later presets under which the request succeeds ({@code fixed}, {@code first} the
     * first of them), which of the first one's switch changes from {@code p} do it alone or in pairs ({@code sets}),
     * and, when those switches had all appeared in an earlier preset that still fails ({@link FirstFix}), which one.
     */
    static String kernelFix(KernelPolicy p, KernelPolicy first, List<String> fixed, List<List<SwitchChange>> sets) {
        int n = SwitchChange.between(p, first).size();
        String which = sets.isEmpty()
            ? " No single one of its " + n + " switch changes from " + p.name() + " does it alone, nor any two."
            : sets.get(0).size() == 1
            ? " Of its " + n + " switch changes from " + p.name() + ", " + SwitchChange.describeSets(sets)
                + " makes it succeed."
            : " No single one of its " + n + " switch changes from " + p.name() + " does it alone; "
                + SwitchChange.describeSets(sets) + " does.";
        // the change may be older than the first preset that succeeds: an earlier one had it and failed for other
        // reasons
        Optional<FirstFix> ff = FirstFix.of(p, sets);
        String came = ff.isEmpty() || ff.get().preset().equals(first.name()) ? ""
            : " " + SwitchChange.describe(ff.get().set()) + " came first, with " + ff.get().preset()
                + ", whose other changes keep the request failing there.";
        return "Kernel fix: the same state and request succeed under " + String.join(", ", fixed) + " (first: "
            + first.description() + ")." + which + came;
    }

    static List<String> advice(Diagnosis d, KernelPolicy p, KernelReport r, Recon rc, Request req, long reclaimable) {
        List<String> out = new ArrayList<>();
        // kernel fixes: later presets that make the replay succeed on the same state
        List<String> fixed = new ArrayList<>();
        for (KernelPolicy q : Presets.after(p)) {
            if (Replay.run(q, copy(rc.zonelist()), rc.classIdx(), req, reclaimable).ok()) {
                fixed.add(q.name());
            }
        }
        if (!fixed.isEmpty()) {
            KernelPolicy first = Presets.byName(fixed.get(0)).orElseThrow();
            // which of the first one's changes alone (or, failing that, which pairs of them) do it
            List<List<SwitchChange>> sets = SwitchChange.smallestSufficient(p, first,
                q -> Replay.run(q, copy(rc.zonelist()), rc.classIdx(), req, reclaimable).ok());
            out.add(kernelFix(p, first, fixed, sets));
        } else {
            out.add("Kernel fix: no later preset changes the outcome on this state.");
        }
        // min_free_kbytes: scale every zone's watermarks and find the value at which the replay succeeds
        long minSum = rc.zonelist().stream().mapToLong(z -> z.min).sum();
        if (minSum > 0) {
            long pageKb = r.pageKb();
            long cur = minSum * pageKb;
            Long found = null;
            for (long v = cur - pageKb; v >= 0; v -= Math.max(pageKb, cur / 64)) {
                if (withScaledMin(p, rc, req, reclaimable, v, cur)) {
                    found = v;
                    break;
                }
            }
            if (found != null && d == Diagnosis.EXHAUSTION) {
                // nothing to reclaim: a lower min lends the task the last free pages, and the OOM comes a little later
                out.add("min_free_kbytes: the replay succeeds with min_free_kbytes ≤ " + found + " (now ≈" + cur
                    + "), but with nothing left to reclaim that only hands the reserve's last pages to this task (pages"
                    + " that atomic requests and reclaim itself need) and postpones the OOM; no value avoids it.");
            } else if (found != null) {
                out.add("min_free_kbytes: the replay succeeds with min_free_kbytes ≤ " + found + " (now ≈" + cur
                    + "): the request ran into the reserve itself. Lowering it trades that reserve away; raising it"
                    + " (e.g. to " + (cur * 2) + ") makes kswapd start earlier and keep more free before a burst.");
            } else {
                out.add("min_free_kbytes: no value changes the outcome on this state (≈" + cur + " now): the free"
                    + " pages are there but not usable by this request.");
            }
        }
        if (d == Diagnosis.TOO_LARGE) {
            out.add("Caller: ask for less at once (kvmalloc, or a smaller pool), or drop the zone restriction where the"
                + " device allows; a boot-time preallocation that may fail is usually asked with __GFP_NOWARN. No"
                + " kernel version or watermark tunable makes the zone larger.");
        }
        if (d == Diagnosis.LOWMEM_RESERVE) {
            // the lower zones' reserve for this classzone scales as 1/ratio (§1.6): find the largest that passes
            long now = 0;
            ReconstructedZone lower = null;
            for (ReconstructedZone z : rc.zonelist()) {
                if (z.reserveFor(rc.classIdx()) > now) {
                    now = z.reserveFor(rc.classIdx());
                    lower = z;
                }
            }
            long lo = 0;
            long hi = now;
            while (lo < hi) {
                long mid = (lo + hi + 1) / 2;
                if (withReserve(p, rc, req, reclaimable, mid, now)) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            if (lower != null && withReserve(p, rc, req, reclaimable, lo, now)) {
                long ratio = lower.type == ZoneType.NORMAL ? 32 : 256;
                long newRatio = lo == 0 ? Long.MAX_VALUE : (ratio * now + lo - 1) / lo;
                out.add("lowmem_reserve_ratio: the replay succeeds once " + lower.name + "'s lowmem_reserve for these"
                    + " requests is ≤ " + lo + " pages (now " + now + "), i.e. with its vm.lowmem_reserve_ratio entry"
                    + " raised from " + ratio + " (the default) to " + (lo == 0 ? "a value above the higher zones' pages"
                    : "≥ " + newRatio) + "; that gives lower-zone-only (DMA) users less protection.");
            }
        }
        out.add("zone_reclaim_mode: " + (rc.zonelist().size() > 0 && r.zones().stream().noneMatch(z -> !z.prefix()
            .isEmpty() && !z.prefix().startsWith("Node 0")) ? "this node's report shows one node; zone_reclaim_mode"
            + " only decides whether to reclaim locally before using another node, so it cannot change this replay."
            : "reclaiming locally first can only help if the local node has reclaimable pages."));
        return out;
    }

    private static boolean withReserve(KernelPolicy p, Recon rc, Request req, long reclaimable, long value, long now) {
        List<ReconstructedZone> w = copy(rc.zonelist());
        for (ReconstructedZone z : w) {
            List<Long> r = new ArrayList<>(z.lowmemReserve);
            for (int i = 0; i < r.size(); i++) {
                r.set(i, now == 0 ? 0 : r.get(i) * value / now);
            }
            z.lowmemReserve = r;
        }
        return Replay.run(p, w, rc.classIdx(), req, reclaimable).ok();
    }

    private static boolean withScaledMin(KernelPolicy p, Recon rc, Request req, long reclaimable, long v, long cur) {
        List<ReconstructedZone> w = copy(rc.zonelist());
        for (ReconstructedZone z : w) {
            long nmin = z.min * v / cur;
            long d = nmin - z.min;
            z.min = nmin;
            z.low = Math.max(nmin, z.low + d);
            z.high = Math.max(z.low, z.high + d);
        }
        return Replay.run(p, w, rc.classIdx(), req, reclaimable).ok();
    }

    /** {@code gfp_zone} on the kernel of a dump: one printing a HighMem zone is 32-bit, without ZONE_DMA32. */
    private static ZoneType gfpZone(GfpMask gfp, KernelReport dump) {
        return gfp.highestZone(dump.zones().stream().noneMatch(z -> zoneType(z.name()) == ZoneType.HIGHMEM));
    }

    private static Explanation noZoneState(KernelReport r, List<KernelReport> file, KernelPolicy p, Request req,
                                           String request, String versionText, String decoded, Map<String, Long> nums) {
        StringBuilder sb = new StringBuilder();
        sb.append(capital(request)).append(" under ").append(p.name()).append(" (").append(versionText).append("; ")
            .append(decoded).append("). ");
        List<String> advice = new ArrayList<>();
        // a buddyinfo dump in the same file gives the free blocks (no watermarks, no types)
        Optional<KernelReport> tight = Optional.empty();
        long tightCount = Long.MAX_VALUE;
        for (KernelReport o : file) {
            if (o.kind() != Kind.BUDDYINFO) {
                continue;
            }
            ZoneType highest = gfpZone(req.gfp(), o);
            long n = 0;
            for (ZoneState z : o.zones()) {
                if (zoneType(z.name()) != null && zoneType(z.name()).ordinal() <= highest.ordinal()) {
                    n += satisfiable(z, req.order());
                }
            }
            if (n < tightCount) {
                tightCount = n;
                tight = Optional.of(o);
            }
        }
        if (req.order() > 0 && tight.isPresent()) {
            KernelReport b = tight.get();
            long freePages = 0;
            int largestAfter = -1;
            StringBuilder per = new StringBuilder();
            ZoneType highest = gfpZone(req.gfp(), b);
            for (ZoneState z : b.zones()) {
                if (zoneType(z.name()) == null || zoneType(z.name()).ordinal() > highest.ordinal()) {
                    continue;
                }
                freePages += z.buddyPages();
                per.append(z.name()).append(": ").append(z.buddyPages()).append(" free pages, ")
                    .append(satisfiable(z, req.order())).append(" block(s) of order ≥ ").append(req.order())
                    .append(", largest order ").append(z.largestFreeOrder()).append("; ");
                largestAfter = Math.max(largestAfter, largestAfterTaking(z, req.order()));
            }
            nums.put("free", freePages);
            nums.put("satisfiable", tightCount);
            nums.put("largest_free_order", (long) largestAfter);
            sb.append("The log has no Mem-Info for this failure, but /proc/buddyinfo dumps; the tightest (line ")
                .append(b.line()).append(") shows ").append(per.toString().replaceAll("; $", ". "))
                .append("Replayed on it, ").append(tightCount).append(" order-").append(req.order())
                .append(" request(s) succeed and the next fails with ")
                .append(freePages - tightCount * (1L << req.order())).append(" pages still free and the largest free"
                    + " block of order ").append(largestAfter).append(" (buddyinfo prints no watermarks or types, so"
                    + " only block availability is replayed). ");
            sb.append("Diagnosis: fragmentation — free memory is there but not contiguous; an order-").append(req.order())
                .append(" request is costly (order > 3): it never OOM-kills and fails after reclaim");
            sb.append(p.name().equals("linux-2.6.32") ? " (no compaction in vanilla 2.6.32; RHEL 6 backported it)." : ".");
            advice.add("Compaction (echo 1 > /proc/sys/vm/compact_memory, where the kernel has it) or allocating the"
                + " buffer early (at boot or with CMA) avoids the dependence on free order-" + req.order() + " blocks;"
                + " no watermark tunable creates contiguous blocks.");
            return new Explanation(r, Diagnosis.FRAGMENTATION, p.name(), request, sb.toString().strip(), advice, nums);
        }
        int flags = dev.highwater.model.policy.AllocFlagRules.slowPathFlags(p, Replay.context(req));
        long eighth = WatermarkCheck.effectiveMin(p.reserveRules(), 1000, flags);
        sb.append("The log carries no Mem-Info (zone lines and buddy lines), so the zone state cannot be"
            + " reconstructed or replayed. Under ").append(p.name()).append(" this request ")
            .append(req.gfp().canDirectReclaim() ? "may reclaim and" : "cannot sleep or reclaim and")
            .append(" uses the slow-path flags ").append(AllocFlags.toString(flags)).append(": its floor is ")
            .append(eighth / 10.0).append("% of the min watermark");
        if (req.order() > 0 && p.name().equals("linux-2.6.32")) {
            sb.append(", and at order ").append(req.order()).append(" the free pages of lower orders are discounted"
                + " with the minimum halved per order (§2.1)");
        }
        sb.append(". It fails when free memory is below that floor, or no block of order ").append(req.order())
            .append(" is free. ");
        sb.append("Diagnosis: no zone state in the log — capture the whole report (with Mem-Info), or append a"
            + " snapshot to the log as soon as you can: cat /proc/version /proc/zoneinfo /proc/pagetypeinfo >> LOG"
            + " (pagetypeinfo needs root; /proc/buddyinfo instead without it).");
        if (!req.gfp().canDirectReclaim()) {
            advice.add("min_free_kbytes: an atomic request can dip to " + (eighth / 10.0) + "% of min; raising"
                + " min_free_kbytes raises min, low and high, so kswapd starts earlier and keeps more free pages for"
                + " bursts (corpus/seeds/seed-001-network-burst.trace replays it: the burst fails with"
                + " min_free_kbytes 1024 and fits with 4096).");
            advice.add("zone_reclaim_mode: with node reclaim on (2.6.32 set 1 at boot on NUMA machines with distant"
                + " nodes, §8.3) a failing low-watermark check reclaims locally instead of waking kswapd, so free memory"
                + " hovers at low and atomic bursts reach the floor; corpus/seeds/seed-003-zone-reclaim-mode.trace"
                + " replays it: the burst fails with mode 1 and succeeds with mode 0.");
        }
        nums.put("floor_permille_of_min", eighth);
        return new Explanation(r, Diagnosis.NO_ZONE_STATE, p.name(), request, sb.toString().strip(), advice, nums);
    }

    /** How many order-N requests the zone's buddy counts can serve (each free block of order o serves 2^(o-N)). */
    static long satisfiable(ZoneState z, int order) {
        long n = 0;
        for (int o = order; o < z.buddy().size(); o++) {
            n += z.buddy().get(o).count() << (o - order);
        }
        return n;
    }

    private static int largestAfterTaking(ZoneState z, int order) {
        // after every block of order ≥ N is used up, the largest free order left
        int largest = -1;
        for (int o = 0; o < Math.min(order, z.buddy().size()); o++) {
            if (z.buddy().get(o).count() > 0) {
                largest = o;
            }
        }
        return largest;
    }

    /** A snapshot's zones that can be replayed: watermarks printed, and pages managed (zoneinfo prints empty zones). */
    static List<ZoneState> populated(KernelReport snapshot) {
        return snapshot.zones().stream().filter(ZoneState::hasWatermarks)
            .filter(z -> z.pages("managed").orElse(z.pages("present").orElse(1)) > 0).toList();
    }

    /**
     * A /proc snapshot: each zone's free pages, watermarks and highatomic reserve, then each probe replayed on the
     * state under the preset of the file's kernel ({@code /proc/version}; mainline without it): whether it succeeds, in
     * which pass and zone, with how many pages above its floor, or why it fails, and then (as advice) what makes it
     * succeed: a later preset and the switches that do it, or a min_free_kbytes value.
     */
    static Explanation snapshot(KernelReport r, List<KernelReport> file, List<Probe> probes) {
        // its own /proc/version, else another report's of the file
        Optional<int[]> v = r.version().or(() -> file.stream().flatMap(o -> o.version().stream()).findFirst());
        KernelPolicy p = v.map(x -> presetFor(x[0], x[1])).orElse(Presets.byName("mainline").orElseThrow());
        GfpLayout layout = v.map(x -> GfpLayout.forKernel(x[0], x[1])).orElse(GfpLayout.V6_3);
        // without a version: a kernel after every preset's (presetFor's mainline)
        int[] ver = v.orElse(new int[] {6, 19});
        Map<String, Long> nums = new LinkedHashMap<>();
        StringBuilder sb = new StringBuilder("Zone state from ").append(r.header()).append(" (")
            .append(r.release().map(x -> "Linux " + x + ", replayed under " + p.name())
                .orElse("no 'Linux version' line in the file, so replayed under " + p.name() + "; add /proc/version for"
                    + " the kernel's own rules")).append("):");
        describeZones(r, sb, nums);
        List<ZoneState> states = populated(r);
        if (states.isEmpty()) {
            sb.append("No zone with watermarks (add /proc/zoneinfo), so no request is replayed.");
            return new Explanation(r, Diagnosis.SNAPSHOT, p.name(), r.header(), sb.toString().strip(), List.of(), nums);
        }
        long reclaimable = reclaimable(r);
        nums.put("reclaimable", reclaimable);
        // several nodes: a request from the first node's CPUs tries its zones first, highest first, then the other
        // nodes' (the node-ordered zonelist, the only one since Michal Hocko's "mm, page_alloc: rip out
        // ZONELIST_ORDER_ZONE", 4.14, and the default before on most machines; reconstruct builds the list from the
        // end of this one)
        List<String> nodes = states.stream().map(ZoneState::prefix).distinct().toList();
        if (nodes.size() > 1) {
            List<ZoneState> byNode = new ArrayList<>();
            for (int n = nodes.size() - 1; n >= 0; n--) {
                String node = nodes.get(n);
                states.stream().filter(z -> z.prefix().equals(node)).forEach(byNode::add);
            }
            states = byNode;
            sb.append("Several nodes: the requests come from ").append(nodes.get(0).replace(",", "").strip())
                .append("'s CPUs, so its zones are tried first, then the other nodes'. ");
        }
        sb.append("Requests replayed on this state under ").append(p.name()).append(" (the fast path, the slow path"
            + " and, for requests that may reclaim, the retry decision with ").append(reclaimable).append(" reclaimable"
                + " pages; reclaim itself is not replayed):");
        // zoneinfo alone has no free blocks per order: an order-0 request is judged by the watermarks, its pages
        // counted as order-0 blocks of unknown type; a higher order cannot be judged
        boolean blocksKnown = states.stream().noneMatch(z -> z.buddy().isEmpty());
        List<ZoneState> replayed = blocksKnown ? states : asOrder0Blocks(states);
        List<String> advice = new ArrayList<>();
        for (int i = 0; i < probes.size(); i++) {
            Probe probe = probes.get(i);
            Request req = probe.request(layout);
            sb.append("\n  ").append(probe.describe()).append(": ");
            if (!blocksKnown && req.order() > 0) {
                sb.append("not judged: the file has no free blocks per order (add /proc/pagetypeinfo, or"
                    + " /proc/buddyinfo).");
                continue;
            }
            if (!blocksKnown) {
                sb.append("(by the watermarks alone: no free blocks per order in the file) ");
            }
            Recon rc = reconstruct(r, replayed, req.gfp(), ver);
            if (rc.zonelist().isEmpty()) {
                sb.append("no zone it may use is in the snapshot.");
                continue;
            }
            Replay.Result res = Replay.run(p, rc.zonelist(), rc.classIdx(), req, reclaimable);
            nums.put("probe" + i + ".ok", res.ok() ? 1L : 0L);
            if (res.ok()) {
                nums.put("probe" + i + ".above_floor", succeeds(sb, req, res));
                continue;
            }
            Diagnosis d = classify(p, rc, req, reclaimable, r);
            sb.append("FAILS — ").append(d.text()).append('.');
            for (ZoneTry zt : res.slow().tries()) {
                sb.append(' ').append(zoneSentence(p, req, zt));
            }
            if (req.gfp().canDirectReclaim()) {
                sb.append(" It would enter direct reclaim").append(res.retryWouldLoop()
                    ? ", and should_reclaim_retry would keep retrying while reclaim makes progress." : ".");
            }
            // what would change it: a later kernel, a tunable (the zone_reclaim_mode line says nothing here)
            for (String a : advice(d, p, r, rc, req, reclaimable)) {
                if (!a.startsWith("zone_reclaim_mode:")) {
                    advice.add(probe.describe() + " — " + a);
                }
            }
        }
        return new Explanation(r, Diagnosis.SNAPSHOT, p.name(), r.header(), sb.toString().strip(), advice, nums);
    }

    /**
     * One line per zone of a snapshot: free pages, watermarks, free HIGHATOMIC pages and reserved pageblocks
     * (pagetypeinfo), largest free order; the numbers go to {@code nums} under the zone's name (with its node's when the
     * snapshot has several).
     */
    private static void describeZones(KernelReport r, StringBuilder sb, Map<String, Long> nums) {
        boolean capped = false;
        boolean nodes = r.zones().stream().map(ZoneState::prefix).distinct().count() > 1;
        for (ZoneState z : r.zones()) {
            sb.append("\n  ").append(z.prefix()).append("zone ").append(z.name()).append(": ");
            if (z.pages("managed").orElse(1) == 0) {
                sb.append("no pages (not in any zonelist).");
                continue;
            }
            String key = (nodes ? z.prefix().replace(", ", ".").replace(' ', '_') : "") + z.name() + ".";
            long free = z.pages("free").orElse(z.buddyPages());
            sb.append(free).append(" pages free");
            nums.put(key + "free", free);
            if (z.hasWatermarks()) {
                sb.append(", min/low/high ").append(z.pages("min").getAsLong()).append('/')
                    .append(z.pages("low").getAsLong()).append('/').append(z.pages("high").getAsLong());
                nums.put(key + "min", z.pages("min").getAsLong());
            }
            if (z.pageTypes().isPresent()) {
                KernelReport.PageTypes pt = z.pageTypes().get();
                capped |= pt.capped();
                long ha = pt.freePages(MigrateType.HIGHATOMIC);
                sb.append(", ").append(ha).append(" of them on HIGHATOMIC lists");
                if (pt.blocks().containsKey(MigrateType.HIGHATOMIC)) {
                    long blocks = pt.blocks().get(MigrateType.HIGHATOMIC);
                    sb.append(" (").append(blocks).append(" HIGHATOMIC pageblock").append(blocks == 1 ? "" : "s")
                        .append(" reserved)");
                }
                nums.put(key + "highatomic_free", ha);
            }
            if (!z.buddy().isEmpty()) {
                sb.append(", largest free order ").append(z.largestFreeOrder());
                nums.put(key + "largest_free_order", (long) z.largestFreeOrder());
            } else {
                sb.append(", free blocks per order not in the file (add /proc/pagetypeinfo, or /proc/buddyinfo)");
            }
            sb.append('.');
        }
        sb.append("\n");
        if (capped) {
            sb.append("Some pagetypeinfo counts are printed as >100000 (5.4+ stops counting there): those lists hold at"
                + " least that many blocks. ");
        }
    }

    /** "succeeds[ in the slow path], from zone Z: free F − U (...) is N pages above FLOOR."; returns N. */
    private static long succeeds(StringBuilder sb, Request req, Replay.Result res) {
        Pass last = res.last();
        ZoneTry t = last.tries().get(last.tries().size() - 1);
        long above = t.zone().free - t.unusable() - t.effectiveMin() - t.reserve();
        sb.append("succeeds").append(switch (last.name()) {
            case "fast" -> "";
            case "slow" -> " in the slow path";
            default -> " only once the highatomic reserve is unreserved";
        }).append(", from zone ").append(t.zone().name).append(": free ").append(t.zone().free)
            .append(t.unusable() > 0 ? " − " + t.unusable() + " (" + (t.unusable() >= (1L << req.order())
                ? "nr_reserved_highatomic and " : "") + "the request's own pages)" : "").append(" is ").append(above)
            .append(" pages above ").append(floorText(req, t)).append('.');
        return above;
    }

    /**
     * Zones without a buddy line (zoneinfo alone) with their free pages as order-0 blocks of unknown type: enough for
     * an order-0 request, whose check is the watermark alone (§2.1); nothing a higher order could be judged by.
     */
    static List<ZoneState> asOrder0Blocks(List<ZoneState> zones) {
        return zones.stream().map(z -> !z.buddy().isEmpty() ? z : new ZoneState(z.name(), z.line(), z.fields(),
            z.allUnreclaimable(), z.lowmemReserve(), List.of(new KernelReport.BuddyEntry(z.pages("free").orElse(0),
                z.pageKb(), "")), z.pages("free").orElse(0) * z.pageKb(), z.prefix())).toList();
    }

    /** {@code the low watermark 13937} or {@code 4180, the atomic floor of min 11150}. */
    private static String floor(Request req, ZoneTry t) {
        return t.effectiveMin() == t.mark() ? "the " + markName(t) + " watermark " + t.mark()
            : t.effectiveMin() + ", the " + floorName(req) + " floor of " + markName(t) + " " + t.mark();
    }

    /** {@link #floor} with the zone's lowmem_reserve for the request. */
    private static String floorText(Request req, ZoneTry t) {
        return floor(req, t) + (t.reserve() > 0 ? " + lowmem_reserve " + t.reserve() : "");
    }

    private static Explanation buddyinfoProfile(KernelReport r) {
        StringBuilder sb = new StringBuilder("/proc/buddyinfo dump: ");
        Map<String, Long> nums = new LinkedHashMap<>();
        for (ZoneState z : r.zones()) {
            sb.append(z.prefix()).append("zone ").append(z.name()).append(" ").append(z.buddyPages())
                .append(" free pages, largest free order ").append(z.largestFreeOrder()).append("; ");
            nums.put(z.name() + ".free", z.buddyPages());
            nums.put(z.name() + ".largest_free_order", (long) z.largestFreeOrder());
        }
        return new Explanation(r, Diagnosis.BUDDYINFO, "", "/proc/buddyinfo", sb.toString().replaceAll("; $", ".")
            + " (no request: used as the free-block state of the file's header-only failure reports).", List.of(), nums);
    }
}
