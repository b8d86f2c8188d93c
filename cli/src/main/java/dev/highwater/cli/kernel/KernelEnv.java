package dev.highwater.cli.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The Debian packages the real-kernel oracle needs, found on this machine: the cloud kernel image, its headers'
 * build directory, QEMU and a static busybox. A missing piece is bad input with one clear install line.
 */
public record KernelEnv(Path vmlinuz, String release, Path buildDir, Path qemu, Path busybox, Path moduleSource) {

    public static final String INSTALL = "apt-get update && apt-get install -y qemu-system-x86 busybox-static "
        + "linux-image-cloud-amd64 linux-headers-cloud-amd64 make gcc";

    /** Thrown with a message that names what is missing and the install line. */
    public static final class Missing extends Exception {
        private static final long serialVersionUID = 1L;

        Missing(String what) {
            this(what, INSTALL);
        }

        Missing(String what, String install) {
            super(what + " is missing; install the packages with: " + install);
        }
    }

    public static KernelEnv find(Path repoRoot) throws Missing {
        Path boot = Path.of("/boot");
        Optional<Path> image;
        try (Stream<Path> s = Files.exists(boot) ? Files.list(boot) : Stream.empty()) {
            image = s.filter(p -> p.getFileName().toString().matches("vmlinuz-.*-cloud-amd64"))
                .max(Comparator.comparing(p -> p.getFileName().toString()));
        } catch (IOException e) {
            throw new Missing("/boot (" + e.getMessage() + ")");
        }
        if (image.isEmpty()) {
            throw new Missing("the kernel image /boot/vmlinuz-*-cloud-amd64 (linux-image-cloud-amd64)");
        }
        String release = image.get().getFileName().toString().substring("vmlinuz-".length());
        Path build = Path.of("/lib/modules", release, "build");
        if (!Files.isDirectory(build)) {
            throw new Missing("the headers build directory " + build + " (linux-headers-" + release + ")");
        }
        Path qemu = which("qemu-system-x86_64").orElseThrow(() -> new Missing("qemu-system-x86_64 (qemu-system-x86)"));
        Path busybox = Files.isExecutable(Path.of("/bin/busybox")) ? Path.of("/bin/busybox")
            : which("busybox").orElseThrow(() -> new Missing("busybox (busybox-static)"));
        which("make").orElseThrow(() -> new Missing("make"));
        Path src = repoRoot.resolve("kernel/module/highwater.c");
        if (!Files.exists(src)) {
            throw new Missing("the module source " + src + " (run from the repository root)");
        }
        return new KernelEnv(image.get(), release, build, qemu, busybox, src.getParent());
    }

    static Optional<Path> which(String cmd) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : path.split(":")) {
            Path p = Path.of(dir, cmd);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
