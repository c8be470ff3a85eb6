// The chat smoke test against a local WebSocket server on 127.0.0.1 that behaves like the
// deployed chat (route selection by the real function, token on the handshake), and against
// servers that get one thing wrong: each must fail the smoke test.
import { expect } from "chai";
import type { IncomingMessage } from "node:http";
import { WebSocket, WebSocketServer } from "ws";
import { selectRoute } from "../functions/websocket/route-selection";
import { freePort } from "../tools/free-port";
import { chatSmokeCheck, websocketTargetFromOutputs } from "../tools/smoke-websocket";
import { smoke } from "../tools/smoke";

interface Behaviour {
    /** The token $connect requires; undefined: anyone connects. */
    readonly token?: string;
    /** Relay sendmessage to the sender only (a broken broadcast). */
    readonly senderOnly?: boolean;
    /** Answer nothing on $default. */
    readonly silentDefault?: boolean;
}

async function chatServer(behaviour: Behaviour): Promise<{ url: string; close: () => Promise<void> }> {
    const port = await freePort();
    const server = new WebSocketServer({
        host: "127.0.0.1",
        port,
        verifyClient: (info: { req: IncomingMessage }, done: (ok: boolean, code?: number) => void) => {
            const token = new URL(info.req.url ?? "/", "http://localhost").searchParams.get("token");
            done(behaviour.token === undefined || token === behaviour.token, 403);
        },
    });
    server.on("connection", (socket) => {
        socket.on("message", (data) => {
            const frame = String(data);
            const selection = selectRoute(frame, ["sendmessage"]);
            if (selection.routeKey === "sendmessage") {
                const text = (JSON.parse(frame) as { text: string }).text;
                const targets = behaviour.senderOnly ? [socket] : [...server.clients];
                for (const client of targets) {
                    if (client.readyState === WebSocket.OPEN) client.send(JSON.stringify({ action: "sendmessage", text }));
                }
            } else if (!behaviour.silentDefault) {
                socket.send(JSON.stringify({ action: "usage", message: `reason: ${selection.reason}` }));
            }
        });
    });
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    return {
        url: `ws://127.0.0.1:${port}/prod`,
        close: () =>
            new Promise((resolve) => {
                for (const client of server.clients) client.terminate();
                server.close(() => resolve());
            }),
    };
}

/** The wait of the cases that pass: never run out, so generous. */
const LIMITS = { timeoutMs: 1_500 };
/**
 * The wait of the cases where a message never comes, which the check can only learn by running
 * it out: short, so each costs a tenth of a second, yet ample for a frame over loopback.
 */
const SILENCE_LIMITS = { timeoutMs: 100 };

describe("smoke: a WebSocket gateway (chat)", function () {
    this.timeout(20_000);

    it("passes a chat that relays sendmessage to every connection and answers $default, with the token enforced", async () => {
        const server = await chatServer({ token: "s3cret" });
        try {
            const report = await chatSmokeCheck({ stack: "chat", websocketUrl: server.url, auth: "token" }, "s3cret", LIMITS);
            expect(report.lines).to.deep.equal([
                "without the token: refused 403 (expected)",
                "two connections open",
                "sendmessage from the first connection reached the second",
                "$default answered with usage help",
                "both connections closed",
            ]);
            expect(report.passed).to.equal(true);
        } finally {
            await server.close();
        }
    });

    it("fails when the message reaches only its sender", async () => {
        const server = await chatServer({ senderOnly: true });
        try {
            const report = await chatSmokeCheck({ stack: "chat", websocketUrl: server.url, auth: "none" }, undefined, SILENCE_LIMITS);
            expect(report.passed).to.equal(false);
            expect(report.lines).to.include(`FAIL: the second connection did not receive the first one's sendmessage within ${SILENCE_LIMITS.timeoutMs} ms`);
        } finally {
            await server.close();
        }
    });

    it("fails when $default answers nothing", async () => {
        const server = await chatServer({ silentDefault: true });
        try {
            const report = await chatSmokeCheck({ stack: "chat", websocketUrl: server.url, auth: "none" }, undefined, SILENCE_LIMITS);
            expect(report.passed).to.equal(false);
            expect(report.lines.filter((line) => line.startsWith("FAIL"))).to.deep.equal([`FAIL: a message no action serves brought no usage help ($default) within ${SILENCE_LIMITS.timeoutMs} ms`]);
        } finally {
            await server.close();
        }
    });

    it("fails when token auth is configured but the server lets anyone connect", async () => {
        const server = await chatServer({});
        try {
            const report = await chatSmokeCheck({ stack: "chat", websocketUrl: server.url, auth: "token" }, "anything", LIMITS);
            expect(report.passed).to.equal(false);
            expect(report.lines[0]).to.equal("FAIL: a connection without the token was accepted: $connect is not authorized");
        } finally {
            await server.close();
        }
    });

    it("fails with what to set when token auth is on and no token is given", async () => {
        const report = await chatSmokeCheck({ stack: "chat", websocketUrl: "ws://127.0.0.1:9/prod", auth: "token" }, undefined, LIMITS);
        expect(report).to.deep.equal({ passed: false, lines: ["FAIL: chat checks a token on $connect: set HELLO_GATEWAY_CHAT_TOKEN to the value of its SSM parameter"] });
    });

    it("npm run smoke -- chat reads the stack's outputs and runs the chat check, the token from the environment", async () => {
        const server = await chatServer({ token: "from-env" });
        const out: string[] = [];
        const err: string[] = [];
        try {
            const code = await smoke(["chat"], {
                readOutputs: async (stack) => (stack === "chat" ? { apiType: "websocket", websocketUrl: server.url, websocketAuth: "token" } : {}),
                line: (text) => out.push(text),
                errorLine: (text) => err.push(text),
                env: { HELLO_GATEWAY_CHAT_TOKEN: "from-env" },
                websocketLimits: LIMITS,
            });
            expect(err).to.deep.equal([]);
            expect(out.at(-1)).to.equal("smoke chat: PASS");
            expect(code).to.equal(0);
        } finally {
            await server.close();
        }
    });

    it("refuses outputs without a websocketUrl, naming the stack", () => {
        expect(() => websocketTargetFromOutputs("chat", { websocketAuth: "none" })).to.throw(/stack chat exports no websocketUrl/);
    });
});
