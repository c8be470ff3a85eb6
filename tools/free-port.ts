import * as net from "node:net";

/** A TCP port free on 127.0.0.1 right now, for a server the tools or the tests start on loopback. */
export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const port = (server.address() as net.AddressInfo).port;
            server.close(() => resolve(port));
        });
    });
}

/** Whether something on 127.0.0.1 accepts a connection on `port` right now. */
export function acceptsConnection(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const socket = net.connect(port, "127.0.0.1");
        socket.once("connect", () => {
            socket.destroy();
            resolve(true);
        });
        socket.once("error", () => {
            socket.destroy();
            resolve(false);
        });
    });
}

export interface ListenWait {
    /** How long the server may take to listen. */
    readonly timeoutMs: number;
    /** The pause between attempts: a refused loopback connection costs next to nothing. */
    readonly pollMs: number;
    /** Checked before each attempt: an error ends the wait at once (the server exited, say). */
    readonly giveUp?: () => Error | undefined;
    /** The error when `timeoutMs` runs out. */
    readonly timedOut: () => Error;
}

/** Waits until a server just started on 127.0.0.1 accepts connections on `port`. */
export async function waitUntilListening(port: number, wait: ListenWait): Promise<void> {
    const deadline = Date.now() + wait.timeoutMs;
    for (;;) {
        const reason = wait.giveUp?.();
        if (reason !== undefined) throw reason;
        if (await acceptsConnection(port)) return;
        if (Date.now() > deadline) throw wait.timedOut();
        await new Promise((resolve) => setTimeout(resolve, wait.pollMs));
    }
}
