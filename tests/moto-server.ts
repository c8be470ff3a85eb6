// A moto_server on a free loopback port for specs that drive real AWS SDK clients against it.
// It records every request (moto's recorder), because moto keeps what is posted to
// @connections but its GetConnection answer leaves the data out
// (moto/apigatewaymanagementapi/models.py: Connection.to_dict has no `data`).
import { ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { freePort, waitUntilListening } from "../tools/free-port";
import { pyenvShimTarget } from "./pyenv-shim";

/** Set by .ci/run: a missing moto_server fails the specs that need it instead of skipping them. */
export const REQUIRE_MOTO_ENV = "HELLO_GATEWAY_REQUIRE_MOTO";

/** How long moto_server may take to listen (its start-up is about a second of Python imports). */
const LISTEN_TIMEOUT_MS = 20_000;
/** How often to try connecting while it starts: a connect attempt costs next to nothing. */
const LISTEN_POLL_MS = 20;

/** The moto_server on PATH; for a pyenv shim, the executable it would run (see pyenv-shim.ts). */
export function motoServerPath(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string | undefined {
    for (const dir of (env.PATH ?? "").split(path.delimiter)) {
        const candidate = path.join(dir, "moto_server");
        try {
            fs.accessSync(candidate, fs.constants.X_OK);
            return pyenvShimTarget(candidate, env, cwd) ?? candidate;
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
}

export interface MotoLaunch {
    /** Resolves once moto_server accepts connections; rejects, with its log, if it exits or does not listen in time. */
    readonly ready: Promise<MotoServer>;
    /**
     * Kills moto_server and removes its files. SIGKILL: it holds nothing worth a graceful stop,
     * and it takes about half a second to stop on SIGTERM. Safe to call more than once.
     */
    stop(): Promise<void>;
}

/**
 * Starts moto_server now and returns without waiting, so that its start-up overlaps whatever
 * the caller does meanwhile. It is killed by `stop()` or, whatever happens to the specs, when
 * this process exits; it never keeps node alive by itself.
 */
export function launchMotoServer(command: string): MotoLaunch {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "hello-gateway-moto-"));
    const logPath = path.join(work, "moto.log");
    let child: ChildProcess | undefined;
    let exited: string | undefined;
    let stopped = false;

    const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;
    // The last resort, when the specs never stopped it: no waiting is possible in an exit handler.
    const killAtExit = () => {
        if (running()) child!.kill("SIGKILL");
        fs.rmSync(work, { recursive: true, force: true });
    };
    process.once("exit", killAtExit);
    const stop = async () => {
        if (stopped) return;
        stopped = true;
        process.off("exit", killAtExit);
        if (running()) {
            child!.ref(); // node must live until the exit is seen, which also reaps the process
            const exit = once(child!, "exit");
            child!.kill("SIGKILL");
            await exit;
        }
        fs.rmSync(work, { recursive: true, force: true });
    };

    const logTail = () => {
        try {
            return fs.readFileSync(logPath, "utf8").trim().split("\n").slice(-10).join("\n");
        } catch {
            return "(no log)";
        }
    };

    const ready = (async (): Promise<MotoServer> => {
        const port = await freePort();
        if (stopped) throw new Error("moto_server was stopped before it started");
        const log = fs.openSync(logPath, "a");
        try {
            child = spawn(command, ["-H", "127.0.0.1", "-p", String(port)], {
                env: { ...process.env, MOTO_ENABLE_RECORDING: "true", MOTO_RECORDER_FILEPATH: path.join(work, "recording.jsonl") },
                stdio: ["ignore", log, log],
            });
        } finally {
            fs.closeSync(log); // the child has its own copy
        }
        child.unref();
        child.once("error", (error) => (exited = error.message));
        child.once("exit", (code, signal) => (exited = `exited with ${signal ?? `code ${code}`}`));

        await waitUntilListening(port, {
            timeoutMs: LISTEN_TIMEOUT_MS,
            pollMs: LISTEN_POLL_MS,
            giveUp: () =>
                stopped
                    ? new Error("moto_server was stopped before it listened")
                    : exited !== undefined
                      ? new Error(`moto_server ${exited} before it listened on 127.0.0.1:${port}:\n${logTail()}`)
                      : undefined,
            timedOut: () => new Error(`moto_server did not listen on 127.0.0.1:${port} within ${LISTEN_TIMEOUT_MS / 1000} s:\n${logTail()}`),
        });
        const endpoint = `http://127.0.0.1:${port}`;
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
        };
    })();
    // A launch nobody awaits (its specs filtered out) must not become an unhandled rejection.
    ready.catch(() => undefined);
    return { ready, stop };
}
