package dev.framebridge.ffi;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;

/** Loads shared libraries by soname with an actionable message when one is absent. */
public final class NativeLibraries {
    private NativeLibraries() {
    }

    /**
     * @param soname         e.g. {@code libx264.so.164}
     * @param debianPackage  the package that ships it, e.g. {@code libx264-164}
     * @param brewFormula    the Homebrew formula on macOS, or null
     */
    public static SymbolLookup load(String soname, String debianPackage, String brewFormula) {
        try {
            return SymbolLookup.libraryLookup(soname, Arena.global());
        } catch (IllegalArgumentException e) {
            String fix = "install " + debianPackage + " (apt-get install " + debianPackage + ")";
            if (brewFormula != null) {
                fix += " or, on macOS, brew install " + brewFormula;
            }
            throw new NativeLibraryMissing(soname + " not found — " + fix);
        }
    }

    /** The address of {@code symbol}, or a message saying the library is the wrong build. */
    public static MemorySegment symbol(SymbolLookup lookup, String soname, String symbol) {
        return lookup.find(symbol).orElseThrow(() -> new NativeLibraryMissing(
                soname + " has no symbol " + symbol + " — the installed build is not the one framebridge supports"));
    }
}
