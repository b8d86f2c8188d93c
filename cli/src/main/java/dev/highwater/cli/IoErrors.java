package dev.highwater.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * The reason of a failed file operation in words: java.nio's exceptions carry the path as their message
 * ("/proc/nope"), which a message that already names the path would only repeat.
 */
final class IoErrors {
    private IoErrors() {
    }

    static String why(IOException e) {
        return why(e, null);
    }

    /** As {@link #why(IOException)}, without repeating {@code named} (the path the message already names). */
    static String why(IOException e, java.nio.file.Path named) {
        String other = e instanceof FileSystemException f && f.getOtherFile() != null ? " (" + f.getOtherFile() + ")" : "";
        String where = e instanceof FileSystemException f && f.getFile() != null
            && (named == null || !f.getFile().equals(named.toString())) ? f.getFile() + ": " : "";
        if (e instanceof NoSuchFileException) {
            return where + "no such file or folder" + other;
        }
        if (e instanceof FileAlreadyExistsException) {
            return where + "already exists, and is not a folder" + other;
        }
        if (e instanceof NotDirectoryException) {
            return where + "not a folder" + other;
        }
        if (e instanceof AccessDeniedException) {
            return where + "permission denied" + other;
        }
        if (e instanceof DirectoryNotEmptyException) {
            return where + "folder not empty" + other;
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return where + f.getReason() + other;
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
