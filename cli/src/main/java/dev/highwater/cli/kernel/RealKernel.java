package dev.highwater.cli.kernel;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Builds the test module against the installed headers (cached by source hash), packs a busybox initramfs with the
 * module, an init script and the command batch, boots Debian's kernel under QEMU (TCG; a KVM boot hangs here) and
 * returns the "HW " lines of the console.
 */
public final class RealKernel {
    private final KernelEnv env;
    private final Path work;

    public RealKernel(KernelEnv env, Path work) {
        this.env = env;
        this.work = work;
    }

    /** A command-list entry that runs a memory hog in user space until the OOM killer stops it. */
    public static final String HOG = "@hog";

    /** A command-list entry {@code @pagecache MB}: clean page cache of MB megabytes on a RAM-disk file system. */
    public static final String PAGECACHE = "@pagecache";

    /**
     * A command-list entry {@code @async MS COMMAND}: the module command runs from a background shell job MS
     * milliseconds after the next step starts, so it overlaps that step (e.g. frees on one CPU while a memory hog
     * drives reclaim on the other).
     */
    public static final String ASYNC = "@async";

    /** A command-list entry {@code @sleep MS}: the init script waits (lets background work settle). */
    public static final String SLEEP = "@sleep";

    /** A command-list entry {@code @anon MB}: a user-space task touches MB megabytes of anonymous memory, then exits. */
    public static final String ANON = "@anon";

    /** A command-list entry printing reclaim counters of /proc/vmstat (pgsteal_kswapd, pgsteal_direct, ...). */
    public static final String VMSTAT = "@vmstat";

    /** A command-list entry that prints /proc/pagetypeinfo's pageblock counts per zone as "HW pagetypeinfo" lines. */
    public static final String PAGETYPEINFO = "@pagetypeinfo";

    /**
     * A command-list entry that prints {@code /proc/version}, {@code /proc/zoneinfo} and {@code /proc/pagetypeinfo} as
     * "HW snapshot" lines, then "HW snapshot-end": the snapshot a user captures for {@code highwater explain}.
     */
    public static final String SNAPSHOT = "@snapshot";

    /**
     * A command-list entry that prints the kernel's ring buffer from its first {@code page allocation failure} report
     * (warn_alloc: an allocation without __GFP_NOWARN failed) as "HW warn" lines.
     */
    public static final String WARN_ALLOC = "@warnalloc";

    /** One boot's console output and how long it took. */
    public record Boot(List<String> lines, long millis, String console) {
    }

    /** Builds (or reuses) highwater.ko; returns its path. */
    public Path module() throws IOException, InterruptedException {
        byte[] c = Files.readAllBytes(env.moduleSource().resolve("highwater.c"));
        byte[] mk = Files.readAllBytes(env.moduleSource().resolve("Makefile"));
        String hash;
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(c);
            md.update(mk);
            md.update(env.release().getBytes(StandardCharsets.UTF_8));
            md.update(env.buildDir().toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8));
            hash = HexFormat.of().formatHex(md.digest()).substring(0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        Path dir = work.resolve("module-" + hash);
        Path ko = dir.resolve("highwater.ko");
        if (Files.exists(ko)) {
            return ko;
        }
        Files.createDirectories(dir);
        Files.write(dir.resolve("highwater.c"), c);
        Files.write(dir.resolve("Makefile"), mk);
        Process p = new ProcessBuilder("make", "-C", env.buildDir().toString(), "M=" + dir.toAbsolutePath(), "modules")
            .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0 || !Files.exists(ko)) {
            throw new IOException("building the module failed:\n" + log);
        }
        return ko;
    }

    /**
     * Boots with {@code memMb} of RAM, applies the sysctl writes (name → value) after forcing a recompute of the
     * watermarks and lowmem_reserve, runs the command batch in one write, and powers off.
     */
    public Boot boot(int memMb, List<String[]> sysctls, List<String> commands) throws IOException, InterruptedException {
        return boot(memMb, 1, sysctls, commands);
    }

    /** As {@link #boot(int, List, List)} with {@code cpus} virtual CPUs. */
    public Boot boot(int memMb, int cpus, List<String[]> sysctls, List<String> commands)
        throws IOException, InterruptedException {
        Path ko = module();
        Files.createDirectories(work);
        StringBuilder init = new StringBuilder();
        init.append("#!/bin/busybox sh\n/bin/busybox --install -s /bin\n");
        init.append("mount -t proc proc /proc\nmount -t sysfs sys /sys\n");
        init.append("insmod /highwater.ko 2>&1 | sed 's/^/HW insmod /'\n");
        // what boot freed after the watermark initcall (initrd, then the init sections: rootfs_initcall and the end of
        // kernel_init), and whether THP is on: the inputs of the boot min_free_kbytes (§1.2 item 6, §1.2a)
        init.append("dmesg | grep -E 'Freeing (initrd|unused)' | sed 's/^.*Freeing/HW freed/'\n");
        init.append("echo \"HW thp $(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)\"\n");
        init.append("echo \"HW bootsysctl min_free_kbytes=$(cat /proc/sys/vm/min_free_kbytes)\"\n");
        // rewriting the current values recomputes watermarks and lowmem_reserve from today's managed pages
        init.append("cat /proc/sys/vm/min_free_kbytes > /proc/sys/vm/min_free_kbytes\n");
        init.append("cat /proc/sys/vm/lowmem_reserve_ratio > /proc/sys/vm/lowmem_reserve_ratio\n");
        for (String[] s : sysctls) {
            init.append("echo '").append(s[1]).append("' > /proc/sys/vm/").append(s[0]).append('\n');
        }
        init.append("echo \"HW sysctl min_free_kbytes=$(cat /proc/sys/vm/min_free_kbytes) "
            + "watermark_scale_factor=$(cat /proc/sys/vm/watermark_scale_factor) "
            + "watermark_boost_factor=$(cat /proc/sys/vm/watermark_boost_factor) "
            + "lowmem_reserve_ratio=$(cat /proc/sys/vm/lowmem_reserve_ratio | tr '\\t ' '::')\"\n");
        // "@hog" splits the batch: a user-space task then grows its anonymous memory until the OOM killer takes
        // it (the guest has no swap), and the kernel's OOM report is echoed from the ring buffer as "HW dmesg" lines
        // "@pagecache MB" writes MB of file data to an ext2 file system on a RAM block device (brd) and syncs it:
        // clean, reclaimable page cache
        List<List<String>> batches = new ArrayList<>();
        List<String> directives = new ArrayList<>();
        batches.add(new ArrayList<>());
        for (String c : commands) {
            if (c.startsWith("@")) {
                directives.add(c);
                batches.add(new ArrayList<>());
            } else {
                batches.get(batches.size() - 1).add(c);
            }
        }
        Path brd = Path.of("/lib/modules", env.release(), "kernel/drivers/block/brd.ko");
        for (int b = 0; b < batches.size(); b++) {
            if (b > 0) {
                String d = directives.get(b - 1);
                if (d.equals(HOG)) {
                    init.append("echo HW hog start\n");
                    init.append("awk 'BEGIN { s = \"xxxxxxxx\"; for (i = 0; i < 12; i++) s = s s; while (1) a[n++] = s }'"
                        + " >/dev/null 2>&1; echo \"HW hog exit $?\"\n");
                } else if (d.startsWith(ASYNC + " ")) {
                    String[] a = d.substring(ASYNC.length() + 1).trim().split(" ", 2);
                    if (a.length < 2 || !a[0].matches("\\d{1,6}") || a[1].contains("'")) {
                        throw new IOException("bad step '" + d + "' (expected " + ASYNC + " MS COMMAND)");
                    }
                    init.append("( usleep " + Long.parseLong(a[0]) * 1000 + "; echo '" + a[1]
                        + "' > /proc/highwater ) &\n");
                } else if (d.startsWith(SLEEP + " ")) {
                    String ms = d.substring(SLEEP.length() + 1).trim();
                    if (!ms.matches("\\d{1,6}")) {
                        throw new IOException("bad step '" + d + "' (expected " + SLEEP + " MS)");
                    }
                    init.append("usleep " + Long.parseLong(ms) * 1000 + "\n");
                } else if (d.startsWith(ANON + " ")) {
                    String mb = d.substring(ANON.length() + 1).trim();
                    if (!mb.matches("\\d{1,5}")) {
                        throw new IOException("bad step '" + d + "' (expected " + ANON + " MB)");
                    }
                    // dd's buffer is malloc'ed anonymous memory, written page by page by the read from /dev/zero
                    init.append("dd if=/dev/zero of=/dev/null bs=" + mb + "M count=1 2>/dev/null; echo \"HW anon exit $?\"\n");
                } else if (d.equals(VMSTAT)) {
                    init.append("echo \"HW vmstat $(grep -E '^(pgsteal_kswapd|pgsteal_direct|pageoutrun|allocstall_dma32|"
                        + "allocstall_normal|zone_reclaim_failed) ' /proc/vmstat | tr ' ' '=' | tr '\\n' ' ')\"\n");
                } else if (d.equals(SNAPSHOT)) {
                    init.append("cat /proc/version /proc/zoneinfo /proc/pagetypeinfo | sed 's/^/HW snapshot /'\n");
                    init.append("echo HW snapshot-end\n");
                } else if (d.equals(WARN_ALLOC)) {
                    init.append("dmesg | sed -n '/page allocation failure/,$p' | sed 's/^/HW warn /'\n");
                } else if (d.equals(PAGETYPEINFO)) {
                    init.append("sed -n '/^Number of blocks type/,$p' /proc/pagetypeinfo | sed 's/^/HW pagetypeinfo /'\n");
                } else if (d.startsWith(PAGECACHE + " ")) {
                    int mb = Integer.parseInt(d.substring(PAGECACHE.length() + 1).trim());
                    if (!Files.exists(brd)) {
                        throw new IOException("the page-cache step needs " + brd + " (the RAM disk module of Debian's "
                            + "kernel package)");
                    }
                    init.append("mount -t devtmpfs dev /dev\n");
                    init.append("insmod /brd.ko rd_nr=1 rd_size=" + (mb * 1024 + mb * 64 + 4096) + "\n");
                    init.append("mke2fs -q /dev/ram0 >/dev/null 2>&1; mkdir -p /mnt; mount -t ext2 /dev/ram0 /mnt\n");
                    // written once (the RAM disk's pages and the cache's interleave), dropped, read back: the cache
                    // then fills the holes the first write left, and the rest of free memory stays in large blocks
                    init.append("dd if=/dev/zero of=/mnt/f bs=1M count=" + mb + " 2>/dev/null; sync\n");
                    init.append("echo 1 > /proc/sys/vm/drop_caches; cat /mnt/f > /dev/null\n");
                    init.append("echo \"HW pagecache $(grep -E '^(Cached|MemFree):' /proc/meminfo | tr -s ' ' | "
                        + "tr '\\n' ' ')\"\n");
                } else {
                    throw new IOException("unknown step '" + d + "' (known: " + HOG + ", " + PAGECACHE + " MB, " + ASYNC
                        + " MS COMMAND, " + PAGETYPEINFO + ", " + SNAPSHOT + ", " + WARN_ALLOC + ", " + ANON + " MB, " + VMSTAT + ", " + SLEEP + " MS)");
                }
            }
            init.append("cat /ops" + b + ".txt > /proc/highwater\n");
            init.append("while read -r l; do echo \"$l\"; done < /proc/highwater\n");
        }
        // any OOM report of the run, from the kernel's ring buffer
        init.append("dmesg | sed -n '/invoked oom-killer/,$p' | sed 's/^/HW dmesg /'\n");
        init.append("echo HW end\npoweroff -f\n");
        Cpio cpio = new Cpio();
        for (String d : new String[] {"bin", "proc", "sys", "dev"}) {
            cpio.dir(d);
        }
        cpio.file("bin/busybox", 0755, Files.readAllBytes(env.busybox()));
        cpio.file("init", 0755, init.toString().getBytes(StandardCharsets.US_ASCII));
        cpio.file("highwater.ko", 0644, Files.readAllBytes(ko));
        if (directives.stream().anyMatch(d -> d.startsWith(PAGECACHE))) {
            cpio.file("brd.ko", 0644, Files.readAllBytes(brd));
        }
        for (int b = 0; b < batches.size(); b++) {
            String text = String.join("\n", batches.get(b)) + (b == batches.size() - 1 ? "\nfreeall\n" : "\n");
            cpio.file("ops" + b + ".txt", 0644, text.getBytes(StandardCharsets.US_ASCII));
        }
        Path initrd = Files.createTempFile(work, "initramfs", ".gz");
        try (OutputStream o = Files.newOutputStream(initrd)) {
            cpio.writeGzip(o);
        }
        long t0 = System.nanoTime();
        Process q = new ProcessBuilder(env.qemu().toString(), "-accel", "tcg", "-cpu", "max", "-m", String.valueOf(memMb),
            "-smp", String.valueOf(cpus), "-nographic", "-no-reboot", "-kernel", env.vmlinuz().toString(), "-initrd", initrd.toString(),
            "-append", "console=ttyS0 quiet panic=-1").redirectErrorStream(true).start();
        q.getOutputStream().close();
        List<String> hw = new ArrayList<>();
        StringBuilder console = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(q.getInputStream(), StandardCharsets.UTF_8))) {
                String l;
                while ((l = r.readLine()) != null) {
                    l = l.replace("\r", "");
                    console.append(l).append('\n');
                    int i = l.indexOf("HW ");
                    if (i >= 0) {
                        hw.add(l.substring(i));
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        });
        reader.start();
        boolean done = q.waitFor(300, TimeUnit.SECONDS);
        if (!done) {
            q.destroyForcibly();
        }
        reader.join(5000);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        Files.deleteIfExists(initrd);
        if (!done || hw.stream().noneMatch(l -> l.equals("HW end"))) {
            String tail = console.length() > 3000 ? console.substring(console.length() - 3000) : console.toString();
            throw new IOException("the kernel did not finish the scenario" + (done ? "" : " (timeout)") + "; console tail:\n" + tail);
        }
        return new Boot(List.copyOf(hw), ms, console.toString());
    }

    static void copy(Path from, Path to) throws IOException {
        Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
}
