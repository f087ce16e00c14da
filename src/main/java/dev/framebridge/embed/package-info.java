/**
 * framebridge inside a JVM application: an encoder engine in the same process, fed frames that already lie in memory
 * ({@link java.lang.foreign.MemorySegment}s) — no socket, no copy — and handing back each H.264 access unit in the
 * encoder's own memory.
 *
 * <pre>{@code
 * try (EmbeddedEngine engine = EmbeddedEngine.builder().encoder("x264").maxInFlight(2).start();
 *      EncodeStream stream = engine.openStream(au -> sink.accept(au.segment()))) {
 *     Frame[] frames = {Frame.bgra(bufferA, 1280, 720, 5120), Frame.bgra(bufferB, 1280, 720, 5120)};
 *     for (int i = 0; running; i++) {
 *         stream.awaitRoom();                       // the buffer of two frames ago is answered: ours again
 *         render(frames[i % 2].memory());
 *         stream.submit(frames[i % 2], i * 16_666_667L, false);
 *     }
 * }
 * }</pre>
 *
 * <p>The rules are the engine's: per stream, access units arrive in submission order, exactly one answer per frame
 * (an access unit or an error); at most {@code maxInFlight} frames are in the engine at once, and {@code submit} waits
 * for room (back-pressure, never loss). A frame's memory belongs to the engine from {@code submit} until its answer
 * has been handled: do not write it, free it or close its arena before then.
 */
package dev.framebridge.embed;
