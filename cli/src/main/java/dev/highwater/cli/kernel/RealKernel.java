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
        Path ko = module();
        Files.createDirectories(work);
        StringBuilder init = new StringBuilder();
        init.append("#!/bin/busybox sh\n/bin/busybox --install -s /bin\n");
        init.append("mount -t proc proc /proc\nmount -t sysfs sys /sys\n");
        init.append("insmod /highwater.ko 2>&1 | sed 's/^/HW insmod /'\n");
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
        init.append("cat /ops.txt > /proc/highwater\n");
        init.append("while read -r l; do echo \"$l\"; done < /proc/highwater\n");
        init.append("echo HW end\npoweroff -f\n");
        Cpio cpio = new Cpio();
        for (String d : new String[] {"bin", "proc", "sys", "dev"}) {
            cpio.dir(d);
        }
        cpio.file("bin/busybox", 0755, Files.readAllBytes(env.busybox()));
        cpio.file("init", 0755, init.toString().getBytes(StandardCharsets.US_ASCII));
        cpio.file("highwater.ko", 0644, Files.readAllBytes(ko));
        cpio.file("ops.txt", 0644, (String.join("\n", commands) + "\nfreeall\n").getBytes(StandardCharsets.US_ASCII));
        Path initrd = Files.createTempFile(work, "initramfs", ".gz");
        try (OutputStream o = Files.newOutputStream(initrd)) {
            cpio.writeGzip(o);
        }
        long t0 = System.nanoTime();
        Process q = new ProcessBuilder(env.qemu().toString(), "-accel", "tcg", "-cpu", "max", "-m", String.valueOf(memMb),
            "-nographic", "-no-reboot", "-kernel", env.vmlinuz().toString(), "-initrd", initrd.toString(),
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
