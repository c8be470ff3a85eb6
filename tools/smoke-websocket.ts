/**
 * The smoke test of a WebSocket gateway (apiType websocket, the `chat` stack), as a client sees
 * it: two connections to `websocketUrl`, a `sendmessage` from the first must reach the second,
 * a message no action serves must bring the sender usage help, and both connections close.
 * With websocketAuth token, a connection without the token must be refused first. Node 20 has
 * no WebSocket client: the `ws` package is the client.
 */
import WebSocket from "ws";
import { UserFacingError } from "./cli-env";

/** Passed or not, and the lines to print (`FAIL: ` lines go to stderr); the shape smoke.ts prints. */
export interface ChatSmokeReport {
    readonly passed: boolean;
    readonly lines: string[];
}

/** Where the smoke test reads the connection token (never a command-line argument: shell history). */
export const CHAT_TOKEN_ENV = "HELLO_GATEWAY_CHAT_TOKEN";

export interface WebSocketTarget {
    readonly stack: string;
    readonly websocketUrl: string;
    readonly auth: "none" | "iam" | "token";
}

export function websocketTargetFromOutputs(stack: string, outputs: Record<string, unknown>): WebSocketTarget {
    const url = outputs.websocketUrl;
    if (typeof url !== "string" || !/^wss?:\/\/[^/\s]+\/\S*$/.test(url)) {
        throw new UserFacingError(`stack ${stack} exports no websocketUrl (got ${JSON.stringify(url)}): deploy it first`);
    }
    const auth = outputs.websocketAuth;
    if (auth !== "none" && auth !== "iam" && auth !== "token") {
        throw new UserFacingError(`stack ${stack} exports websocketAuth ${JSON.stringify(auth)}; expected none, iam or token`);
    }
    return { stack, websocketUrl: url, auth };
}

export interface WebSocketLimits {
    /** How long to wait for a connection, a message or a close. */
    readonly timeoutMs: number;
}

export const DEFAULT_WEBSOCKET_LIMITS: WebSocketLimits = { timeoutMs: 10_000 };

function withToken(url: string, token: string | undefined): string {
    if (token === undefined) return url;
    const parsed = new URL(url);
    parsed.searchParams.set("token", token);
    return parsed.toString();
}

/** Opens a connection, or says how the handshake was refused (`refused 401`). */
function open(url: string, timeoutMs: number): Promise<{ socket: WebSocket; messages: unknown[]; next: (match: (message: unknown) => boolean) => Promise<unknown> } | { refused: string }> {
    return new Promise((resolve) => {
        const socket = new WebSocket(url, { handshakeTimeout: timeoutMs });
        const messages: unknown[] = [];
        const waiters: { match: (message: unknown) => boolean; resolve: (message: unknown) => void }[] = [];
        socket.on("message", (data) => {
            let message: unknown;
            try {
                message = JSON.parse(String(data));
            } catch {
                message = String(data);
            }
            messages.push(message);
            for (const waiter of [...waiters]) {
                if (waiter.match(message)) {
                    waiters.splice(waiters.indexOf(waiter), 1);
                    waiter.resolve(message);
                }
            }
        });
        const next = (match: (message: unknown) => boolean) =>
            new Promise<unknown>((done) => {
                const seen = messages.find(match);
                if (seen !== undefined) return done(seen);
                const timer = setTimeout(() => done(undefined), timeoutMs);
                waiters.push({ match, resolve: (message) => (clearTimeout(timer), done(message)) });
            });
        socket.once("open", () => resolve({ socket, messages, next }));
        socket.once("unexpected-response", (_request, response) => {
            resolve({ refused: `refused ${response.statusCode}` });
            socket.terminate();
        });
        socket.once("error", (error) => resolve({ refused: `failed: ${error.message}` }));
    });
}

function close(socket: WebSocket, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
        if (socket.readyState === WebSocket.CLOSED) return resolve(true);
        const timer = setTimeout(() => (socket.terminate(), resolve(false)), timeoutMs);
        socket.once("close", () => (clearTimeout(timer), resolve(true)));
        socket.close(1000, "smoke test done");
    });
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;

/** The chat check against one target; never throws for what the server does. */
export async function chatSmokeCheck(target: WebSocketTarget, token: string | undefined, limits: WebSocketLimits = DEFAULT_WEBSOCKET_LIMITS): Promise<ChatSmokeReport> {
    const lines: string[] = [];
    let passed = true;
    const fail = (text: string) => {
        passed = false;
        lines.push(`FAIL: ${text}`);
    };
    if (target.auth === "iam") {
        return { passed: false, lines: ["FAIL: websocketAuth iam needs a SigV4-signed handshake, which this smoke test does not sign; test with websocketAuth none or token"] };
    }
    if (target.auth === "token") {
        if (token === undefined || token === "") {
            return { passed: false, lines: [`FAIL: ${target.stack} checks a token on $connect: set ${CHAT_TOKEN_ENV} to the value of its SSM parameter`] };
        }
        const anonymous = await open(target.websocketUrl, limits.timeoutMs);
        if ("socket" in anonymous) {
            fail("a connection without the token was accepted: $connect is not authorized");
            await close(anonymous.socket, limits.timeoutMs);
        } else {
            lines.push(`without the token: ${anonymous.refused} (expected)`);
        }
    }
    const url = withToken(target.websocketUrl, target.auth === "token" ? token : undefined);
    const [first, second] = await Promise.all([open(url, limits.timeoutMs), open(url, limits.timeoutMs)]);
    if (!("socket" in first) || !("socket" in second)) {
        for (const connection of [first, second]) {
            if ("socket" in connection) await close(connection.socket, limits.timeoutMs);
            else fail(`connecting to ${target.websocketUrl}: ${connection.refused}`);
        }
        return { passed, lines };
    }
    lines.push("two connections open");
    const text = `smoke ${new Date().toISOString()} ${Math.random().toString(36).slice(2, 8)}`;
    first.socket.send(JSON.stringify({ action: "sendmessage", text }));
    const relayed = await second.next((message) => isRecord(message) && message.action === "sendmessage" && message.text === text);
    if (relayed === undefined) {
        fail(`the second connection did not receive the first one's sendmessage within ${limits.timeoutMs} ms`);
    } else {
        lines.push("sendmessage from the first connection reached the second");
    }
    first.socket.send("not a chat message");
    const usage = await first.next((message) => isRecord(message) && message.action === "usage");
    if (usage === undefined) {
        fail(`a message no action serves brought no usage help ($default) within ${limits.timeoutMs} ms`);
    } else {
        lines.push("$default answered with usage help");
    }
    const closed = await Promise.all([close(first.socket, limits.timeoutMs), close(second.socket, limits.timeoutMs)]);
    if (closed.every(Boolean)) {
        lines.push("both connections closed");
    } else {
        fail("a connection did not close cleanly");
    }
    return { passed, lines };
}
