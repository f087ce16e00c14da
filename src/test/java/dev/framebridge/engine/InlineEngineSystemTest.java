package dev.framebridge.engine;

/** Every system test again with the encoder on the I/O thread ({@code --encode-threads 0}). */
class InlineEngineSystemTest extends EngineSystemTest {
    @Override
    EngineConfig configure(EngineConfig c) {
        return c.encodeAgents(0);
    }
}
