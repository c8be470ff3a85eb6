import { expect } from "chai";
import * as net from "node:net";
import { acceptsConnection, freePort, waitUntilListening } from "../tools/free-port";

// The loopback helpers the tools and specs start servers with (moto_server, apache2).
describe("loopback ports (tools/free-port.ts)", () => {
    it("waits until a server listens, then resolves", async () => {
        const port = await freePort();
        expect(await acceptsConnection(port)).to.equal(false);
        const server = net.createServer();
        setTimeout(() => server.listen(port, "127.0.0.1"), 30);
        try {
            await waitUntilListening(port, { timeoutMs: 5_000, pollMs: 5, timedOut: () => new Error("timed out") });
            expect(await acceptsConnection(port)).to.equal(true);
        } finally {
            server.close();
        }
    });

    it("stops at once with the caller's reason, or with its timeout error when time runs out", async () => {
        const port = await freePort();
        const started = Date.now();
        const gaveUp = await waitUntilListening(port, { timeoutMs: 5_000, pollMs: 5, giveUp: () => new Error("server exited with code 3"), timedOut: () => new Error("timed out") }).catch((error: Error) => error.message);
        expect(gaveUp).to.equal("server exited with code 3");
        expect(Date.now() - started).to.be.lessThan(1_000);
        const timedOut = await waitUntilListening(port, { timeoutMs: 30, pollMs: 5, timedOut: () => new Error("did not listen within 0.03 s") }).catch((error: Error) => error.message);
        expect(timedOut).to.equal("did not listen within 0.03 s");
    });
});
