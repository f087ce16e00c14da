package dev.framebridge.ffi;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.function.Function;

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

    /** A downcall handle for {@code symbol} of {@code soname}, found through {@code lookup} (a wrong build is named). */
    public static MethodHandle downcall(SymbolLookup lookup, String soname, String symbol, FunctionDescriptor descriptor) {
        return Linker.nativeLinker().downcallHandle(symbol(lookup, soname, symbol), descriptor);
    }

    /** What a binding throws when {@code invokeExact} of a downcall (which declares Throwable) throws after all. */
    static AssertionError unreachable(Throwable t) {
        return new AssertionError("should not reach here", t);
    }

    /** A library loaded once by a binding class: its lookup, or (lookup null) why it cannot be used, fix named. */
    public record Loaded(SymbolLookup lookup, String problem) {
        /** Throws {@link NativeLibraryMissing} with the fix unless the library is usable. */
        public void require() {
            if (problem != null) {
                throw new NativeLibraryMissing(problem);
            }
        }
    }

    /**
     * Loads {@code soname} and runs {@code check} on it (null: usable; otherwise what is wrong, or it throws
     * {@link NativeLibraryMissing}); never throws itself, so a binding class can hold the outcome in a constant.
     */
    public static Loaded loadChecked(String soname, String debianPackage, String brewFormula,
                                     Function<SymbolLookup, String> check) {
        try {
            SymbolLookup lookup = load(soname, debianPackage, brewFormula);
            String problem = check.apply(lookup);
            return problem == null ? new Loaded(lookup, null) : new Loaded(null, problem);
        } catch (NativeLibraryMissing e) {
            return new Loaded(null, e.getMessage());
        }
    }
}
