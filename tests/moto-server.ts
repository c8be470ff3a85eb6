// A moto_server on a free loopback port for specs that drive real AWS SDK clients against it.
// It records every request (moto's recorder), because moto keeps what is posted to
// @connections but its GetConnection answer leaves the data out
// (moto/apigatewaymanagementapi/models.py: Connection.to_dict has no `data`).
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { freePort } from "../tools/free-port";

/** Set by .ci/run: a missing moto_server fails the specs that need it instead of skipping them. */
export const REQUIRE_MOTO_ENV = "HELLO_GATEWAY_REQUIRE_MOTO";

export function motoServerPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
    for (const dir of (env.PATH ?? "").split(path.delimiter)) {
        const candidate = path.join(dir, "moto_server");
        try {
            fs.accessSync(candidate, fs.constants.X_OK);
            return candidate;
        } catch {
            // not in this directory
        }
    }
    return undefined;
}

export interface RecordedRequest {
    readonly method: string;
    readonly url: string;
    readonly body: string;
}

export interface MotoServer {
    readonly endpoint: string;
    /** Every request moto received since it started, bodies decoded. */
    recording(): Promise<RecordedRequest[]>;
    stop(): Promise<void>;
}

async function listening(port: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        const open = await new Promise<boolean>((resolve) => {
            const socket = net.connect(port, "127.0.0.1");
            socket.once("connect", () => (socket.destroy(), resolve(true)));
            socket.once("error", () => resolve(false));
        });
        if (open) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`moto_server did not listen on 127.0.0.1:${port} within ${timeoutMs / 1000} s`);
}

export async function startMotoServer(command: string): Promise<MotoServer> {
    const port = await freePort();
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "hello-gateway-moto-"));
    const log = fs.openSync(path.join(work, "moto.log"), "a");
    const child: ChildProcess = spawn(command, ["-H", "127.0.0.1", "-p", String(port)], {
        env: { ...process.env, MOTO_ENABLE_RECORDING: "true", MOTO_RECORDER_FILEPATH: path.join(work, "recording.jsonl") },
        stdio: ["ignore", log, log],
    });
    const endpoint = `http://127.0.0.1:${port}`;
    await listening(port, 20_000);
    return {
        endpoint,
        async recording() {
            const response = await fetch(`${endpoint}/moto-api/recorder/download-recording`);
            const text = await response.text();
            return text
                .split("\n")
                .filter((line) => line.trim() !== "")
                .map((line) => JSON.parse(line) as { method: string; url: string; body: string | null; body_encoded: boolean })
                .map((entry) => ({
                    method: entry.method,
                    url: entry.url,
                    body: entry.body_encoded ? Buffer.from(entry.body ?? "", "base64").toString("utf8") : (entry.body ?? ""),
                }));
        },
        stop: () =>
            new Promise<void>((resolve) => {
                const done = () => {
                    fs.closeSync(log);
                    fs.rmSync(work, { recursive: true, force: true });
                    resolve();
                };
                if (child.exitCode !== null) return done();
                child.once("exit", done);
                child.kill("SIGTERM");
            }),
    };
}
