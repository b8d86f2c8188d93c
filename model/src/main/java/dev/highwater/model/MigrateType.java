package dev.highwater.model;

/**
 * Migratetypes in the 4.4+ enum order with the letters the kernel prints in buddy lines
 * (kernel-semantics §4.2). {@link #RESERVE} is 2.6.32's MIGRATE_RESERVE, which has no
 * letter in 2.6.32 reports; the model prints 'R' for it.
 */
public enum MigrateType {
    UNMOVABLE('U'),
    MOVABLE('M'),
    RECLAIMABLE('E'),
    HIGHATOMIC('H'),
    CMA('C'),
    ISOLATE('I'),
    RESERVE('R');

    /** The three types that have per-CPU lists (MIGRATE_PCPTYPES). */
    public static final int PCPTYPES = 3;

    private final char letter;

    MigrateType(char letter) {
        this.letter = letter;
    }

    public char letter() {
        return letter;
    }

    /** U, M and E: the types that may share a pageblock merge and fall back to each other. */
    public boolean isPcpType() {
        return ordinal() < PCPTYPES;
    }

    /** The fallback order of §5.3 (identical in all versions, RESERVE apart). */
    public MigrateType[] fallbacks() {
        return switch (this) {
            case UNMOVABLE -> new MigrateType[] {RECLAIMABLE, MOVABLE};
            case RECLAIMABLE -> new MigrateType[] {UNMOVABLE, MOVABLE};
            case MOVABLE -> new MigrateType[] {RECLAIMABLE, UNMOVABLE};
            default -> new MigrateType[0];
        };
    }

    public static MigrateType fromLetter(char c) {
        for (MigrateType t : values()) {
            if (t.letter == c) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown migratetype letter '" + c + "'");
    }
}
