package dev.highwater.cli.kernel;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

/** Writes a gzipped "newc" cpio archive, the initramfs format the kernel unpacks. */
final class Cpio {
    private final ByteArrayOutputStream raw = new ByteArrayOutputStream();
    private int ino = 1;

    void dir(String name) throws IOException {
        entry(name, 040755, new byte[0]);
    }

    void file(String name, int mode, byte[] data) throws IOException {
        entry(name, 0100000 | mode, data);
    }

    private void entry(String name, int mode, byte[] data) throws IOException {
        byte[] nm = (name + "\0").getBytes(StandardCharsets.US_ASCII);
        String hdr = String.format("070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x",
            ino++, mode, 0, 0, 1, 0, data.length, 0, 0, 0, 0, nm.length, 0);
        raw.write(hdr.getBytes(StandardCharsets.US_ASCII));
        raw.write(nm);
        pad();
        raw.write(data);
        pad();
    }

    private void pad() {
        while (raw.size() % 4 != 0) {
            raw.write(0);
        }
    }

    void writeGzip(OutputStream out) throws IOException {
        entry("TRAILER!!!", 0, new byte[0]);
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            raw.writeTo(gz);
        }
    }
}
