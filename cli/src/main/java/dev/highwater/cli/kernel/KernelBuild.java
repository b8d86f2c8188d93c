package dev.highwater.cli.kernel;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Kernels built from Debian's {@code linux-source} package as a cached, reproducible step: (source package version,
 * configuration, patch set) → {@code bzImage} and a build tree that out-of-tree modules build against. A build is
 * kept under its input hash in the kernel cache ({@code $HIGHWATER_KERNEL_CACHE}, else
 * {@code $XDG_CACHE_HOME/highwater/kernels}, else {@code ~/.cache/highwater/kernels}) and reused until an input
 * changes. A patched build starts from a copy of the built unpatched tree, so only what the patches touch is
 * recompiled. Builds happen in a temporary folder renamed into place when complete: an interrupted build leaves
 * nothing that looks finished.
 */
public final class KernelBuild {
    /** Bump when the build recipe changes, so old cache entries are not reused. */
    private static final String RECIPE = "highwater-kernel-build 1";
    private static final String STAMP = ".highwater-built";

    public static final String INSTALL = "apt-get update && apt-get install -y linux-source-6.1 bc flex bison "
        + "libelf-dev libssl-dev make gcc";

    /** What a build is made of; its hash names the cache entry. */
    public record Inputs(Path tarball, String sourceVersion, Path config, List<Path> patches) {
        public Inputs {
            patches = List.copyOf(patches);
        }

        public Inputs withPatches(List<Path> p) {
            return new Inputs(tarball, sourceVersion, config, p);
        }

        public String hash() throws IOException {
            try {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                md.update((RECIPE + "\n" + sourceVersion + "\n" + tarball.getFileName() + "\n"
                    + Files.size(tarball) + "\n").getBytes(StandardCharsets.UTF_8));
                md.update(Files.readAllBytes(config));
                for (Path p : patches) {
                    md.update(("\npatch " + p.getFileName() + "\n").getBytes(StandardCharsets.UTF_8));
                    md.update(Files.readAllBytes(p));
                }
                return HexFormat.of().formatHex(md.digest()).substring(0, 16);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        public String label() {
            return patches.isEmpty() ? "unpatched" : String.join("+", patches.stream()
                .map(p -> p.getFileName().toString().replaceFirst("\\.patch$", "")).toList());
        }
    }

    /** A finished build: the tree (for {@code make -C tree M=… modules}), its bzImage and kernel release. */
    public record Built(Inputs inputs, String hash, Path tree, Path bzImage, String release, boolean cached,
                        long buildMillis) {
        /** The packages the boot needs, with this build's kernel in place of Debian's image. */
        public KernelEnv env(KernelEnv packaged) {
            return new KernelEnv(bzImage, release, tree, packaged.qemu(), packaged.busybox(), packaged.moduleSource());
        }
    }

    private final Path cache;
    private final PrintStream progress;

    public KernelBuild(Path cache, PrintStream progress) {
        this.cache = cache;
        this.progress = progress;
    }

    public static Path defaultCache() {
        String explicit = System.getenv("HIGHWATER_KERNEL_CACHE");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("highwater").resolve("kernels");
    }

    /** The unpatched inputs from this machine's linux-source package and the repository's configuration. */
    public static Inputs unpatched(Path repoRoot) throws KernelEnv.Missing {
        Path src = Path.of("/usr/src");
        Optional<Path> tarball;
        try (Stream<Path> s = Files.isDirectory(src) ? Files.list(src) : Stream.empty()) {
            tarball = s.filter(p -> p.getFileName().toString().matches("linux-source-[0-9.]+\\.tar\\.(xz|bz2|gz)"))
                .max(Comparator.comparing(p -> p.getFileName().toString()));
        } catch (IOException e) {
            throw new KernelEnv.Missing("/usr/src (" + e.getMessage() + ")", INSTALL);
        }
        if (tarball.isEmpty()) {
            throw new KernelEnv.Missing("the kernel source /usr/src/linux-source-*.tar.xz (linux-source-6.1)", INSTALL);
        }
        for (String tool : new String[] {"make", "gcc", "bc", "flex", "bison", "patch", "tar", "xz"}) {
            if (KernelEnv.which(tool).isEmpty()) {
                throw new KernelEnv.Missing("the build tool '" + tool + "'", INSTALL);
            }
        }
        if (!Files.exists(Path.of("/usr/include/libelf.h")) && !Files.exists(Path.of("/usr/include/gelf.h"))) {
            throw new KernelEnv.Missing("libelf headers (libelf-dev)", INSTALL);
        }
        String name = tarball.get().getFileName().toString();
        String pkg = name.substring(0, name.indexOf(".tar"));
        String version = packageVersion(pkg).orElse(name);
        Path config = repoRoot.resolve("kernel/config/highwater-minimal.config");
        if (!Files.exists(config)) {
            throw new KernelEnv.Missing("the configuration " + config + " (run from the repository root)", INSTALL);
        }
        return new Inputs(tarball.get(), pkg + " " + version, config, List.of());
    }

    private static Optional<String> packageVersion(String pkg) {
        try {
            Process p = new ProcessBuilder("dpkg-query", "-W", "-f=${Version}", pkg).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor() == 0 && !out.isEmpty() ? Optional.of(out) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** Builds (or finds in the cache) the kernel for {@code in}. */
    public Built build(Inputs in) throws IOException, InterruptedException {
        String hash = in.hash();
        Path dir = cache.resolve(hash);
        Path tree = dir.resolve("linux");
        if (Files.exists(dir.resolve(STAMP))) {
            String release = Files.readString(dir.resolve(STAMP)).lines().filter(l -> l.startsWith("release "))
                .map(l -> l.substring(8)).findFirst().orElse("?");
            return new Built(in, hash, tree, tree.resolve("arch/x86/boot/bzImage"), release, true, 0);
        }
        Files.createDirectories(cache);
        // Every build runs in one fixed folder (the bench) and is moved to its cache entry when done: the tools
        // a build makes (objtool) record absolute paths, so a copy of a finished tree recompiles only what a
        // patch touches when it is back at the path where it was built. One build at a time.
        try (java.nio.channels.FileChannel lockFile = java.nio.channels.FileChannel.open(cache.resolve(".bench.lock"),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE)) {
            java.nio.channels.FileLock lock = lockFile.tryLock();
            if (lock == null) {
                progress.println("kernel build " + hash + ": waiting for another kernel build in " + cache);
                lock = lockFile.lock();
            }
            try {
                if (Files.exists(dir.resolve(STAMP))) {
                    return build(in); // built by the other run meanwhile
                }
                return buildOnBench(in, hash, dir);
            } finally {
                lock.release();
            }
        }
    }

    private Built buildOnBench(Inputs in, String hash, Path dir) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Path tmp = Files.createTempDirectory(cache, hash + ".tmp-");
        Path bench = cache.resolve("bench");
        delete(bench); // left over from an interrupted build
        Files.createDirectories(bench);
        Path work = bench.resolve("linux");
        Path tree = dir.resolve("linux");
        Path log = tmp.resolve("build.log");
        try {
            if (in.patches().isEmpty()) {
                step(in, hash, "unpacking " + in.tarball().getFileName(), log, tmp,
                    List.of("tar", "-xf", in.tarball().toString(), "-C", tmp.toString()));
                Path unpacked;
                try (Stream<Path> s = Files.list(tmp)) {
                    unpacked = s.filter(p -> Files.isDirectory(p) && p.getFileName().toString().startsWith("linux-"))
                        .findFirst().orElseThrow(() -> new IOException(in.tarball() + " holds no linux-* folder"));
                }
                Files.move(unpacked, work); // same file system: a rename
                step(in, hash, "make tinyconfig", log, work, List.of("make", "-s", "tinyconfig"));
                List<String> options = options(in.config());
                List<String> enable = new ArrayList<>(List.of("scripts/config", "--file", ".config"));
                for (String o : options) {
                    enable.add(o.startsWith("!") ? "--disable" : "--enable");
                    enable.add(o.replaceFirst("^!", ""));
                }
                step(in, hash, "setting " + options.size() + " options", log, work, enable);
                step(in, hash, "make olddefconfig", log, work, List.of("make", "-s", "olddefconfig"));
                String conf = Files.readString(work.resolve(".config"));
                List<String> missing = options.stream().filter(o -> o.startsWith("!")
                    ? conf.contains("\nCONFIG_" + o.substring(1) + "=y") : !conf.contains("\nCONFIG_" + o + "=y")).toList();
                if (!missing.isEmpty()) {
                    throw new IOException(in.config() + ": these options did not end up enabled (unknown to this "
                        + "source, or their dependencies are off): " + missing);
                }
            } else {
                Built base = buildOrFind(in.withPatches(List.of()));
                step(in, hash, "copying the unpatched build " + base.hash(), log, tmp,
                    List.of("cp", "-a", "--reflink=auto", base.tree().toString(), work.toString()));
                for (Path p : in.patches()) {
                    step(in, hash, "applying " + p.getFileName(), log, work,
                        List.of("patch", "-p1", "-N", "--batch", "--no-backup-if-mismatch", "-i", p.toAbsolutePath().toString()));
                }
            }
            int jobs = Runtime.getRuntime().availableProcessors();
            step(in, hash, "compiling bzImage and modules (make -j" + jobs + ")", log, work,
                List.of("make", "-j" + jobs, "bzImage", "modules"));
            String release = output(work, List.of("make", "-s", "kernelrelease")).trim();
            if (!Files.exists(work.resolve("arch/x86/boot/bzImage")) || !Files.exists(work.resolve("Module.symvers"))) {
                throw new IOException("the build ended without arch/x86/boot/bzImage or Module.symvers; see " + log);
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            Files.move(work, tmp.resolve("linux"));
            Files.writeString(tmp.resolve(STAMP), "inputs " + in.sourceVersion() + " " + in.config().getFileName()
                + " " + in.label() + "\nrelease " + release + "\nbuild_ms " + ms + "\n");
            try {
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException raced) {
                if (!Files.exists(dir.resolve(STAMP))) {
                    throw raced;
                }
                delete(tmp); // another run finished the same build first
            }
            progress.printf("\r%-100s\rkernel build %s (%s): done in %d s%n", "", hash, in.label(), ms / 1000);
            return new Built(in, hash, tree, tree.resolve("arch/x86/boot/bzImage"), release, false, ms);
        } catch (IOException | InterruptedException | RuntimeException e) {
            progress.println();
            Path kept = cache.resolve(hash + ".failed.log");
            if (Files.exists(log)) {
                Files.copy(log, kept, StandardCopyOption.REPLACE_EXISTING);
            }
            delete(tmp);
            delete(bench);
            if (e instanceof IOException io) {
                throw new IOException(io.getMessage() + (Files.exists(kept) ? " (build log: " + kept + ")" : ""), io);
            }
            throw e;
        }
    }

    /** The build for {@code in} from the cache, or built now (called with the bench lock held). */
    private Built buildOrFind(Inputs in) throws IOException, InterruptedException {
        String hash = in.hash();
        Path dir = cache.resolve(hash);
        if (Files.exists(dir.resolve(STAMP))) {
            return build(in);
        }
        Built b = buildOnBench(in, hash, dir);
        Files.createDirectories(cache.resolve("bench"));
        return b;
    }

    /** The options of the configuration fragment, {@code !NAME} for one turned off ({@code CONFIG_NAME=n}). */
    static List<String> options(Path config) throws IOException {
        List<String> out = new ArrayList<>();
        int n = 0;
        for (String line : Files.readAllLines(config)) {
            n++;
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            boolean off = l.endsWith("=n");
            l = l.replaceFirst("^CONFIG_", "").replaceFirst("=[yn]$", "");
            if (!l.matches("[A-Z0-9_]+")) {
                throw new IOException(config + ":" + n + ": expected an option like CONFIG_COMPACTION (or "
                    + "CONFIG_SLOB=n to turn one off), got '" + line + "'");
            }
            out.add(off ? "!" + l : l);
        }
        return out;
    }

    /** Runs one build step with its output appended to the log and a progress line on the terminal. */
    private void step(Inputs in, String hash, String what, Path log, Path cwd, List<String> cmd)
            throws IOException, InterruptedException {
        Files.writeString(log, "$ " + String.join(" ", cmd) + "\n", StandardCharsets.UTF_8,
            java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        AtomicLong lines = new AtomicLong();
        long t0 = System.nanoTime();
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                 var w = Files.newBufferedWriter(log, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND)) {
                String l;
                while ((l = r.readLine()) != null) {
                    w.write(l);
                    w.newLine();
                    lines.incrementAndGet();
                }
            } catch (IOException ignored) {
                // the process ended
            }
        });
        pump.start();
        while (!p.waitFor(1, java.util.concurrent.TimeUnit.SECONDS)) {
            progress.printf("\rkernel build %s (%s): %s — %d lines of output, %d s   ", hash, in.label(), what,
                lines.get(), (System.nanoTime() - t0) / 1_000_000_000L);
        }
        pump.join();
        progress.printf("\rkernel build %s (%s): %s — %d s%-30s", hash, in.label(), what,
            (System.nanoTime() - t0) / 1_000_000_000L, "");
        if (p.exitValue() != 0) {
            List<String> all = Files.readAllLines(log);
            String tail = String.join("\n", all.subList(Math.max(0, all.size() - 25), all.size()));
            throw new IOException("kernel build step failed (" + what + ", exit " + p.exitValue() + "):\n" + tail);
        }
    }

    private static String output(Path cwd, List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }

    /** Deletes a file or a folder with everything in it (nothing when it does not exist). */
    public static void delete(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }
}
