package dev.framebridge.cli;

/**
 * The classes of failure {@code probe} tells apart, each with its own exit code, so a script can branch on the
 * broken hop without parsing text. The codes are documented in {@code probe --help} (ProbeCommand's footer, checked by a test); keep them stable.
 */
enum ProbeFailure {
    INTERNAL(1, "internal"),
    USAGE(2, "usage"),
    NOTHING_LISTENING(3, "nothing-listening"),
    CONNECT_FAILED(4, "connect-failed"),
    SILENT(5, "no-answer"),
    CLOSED(6, "closed-by-peer"),
    NOT_HXFR(7, "not-hxfr"),
    HOST_ERROR(8, "host-error"),
    BAD_ANSWER(9, "bad-answer");

    final int exitCode;
    /** Short name for --json. */
    final String id;

    ProbeFailure(int exitCode, String id) {
        this.exitCode = exitCode;
        this.id = id;
    }
}
