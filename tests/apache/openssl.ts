/**
 * The openssl command line, asynchronously: the real-Apache judge makes its keys and
 * certificates and reads the chains servers present with it, and waiting on each process in
 * turn was most of its running time.
 */
import { execFile } from "node:child_process";

/** An openssl run that failed, with what it printed before it did. */
export class OpensslError extends Error {
    constructor(
        message: string,
        readonly stdout: string,
    ) {
        super(message);
    }
}

/**
 * Runs openssl with `args`, `input` on its standard input, for at most `timeoutMs` (default: no
 * limit; key generation on a busy machine takes what it takes); resolves with its standard
 * output, rejects with an OpensslError naming its standard error.
 */
export function openssl(args: readonly string[], input = "", timeoutMs = 0): Promise<string> {
    return new Promise((resolve, reject) => {
        const child = execFile("openssl", args, { encoding: "utf8", timeout: timeoutMs }, (error, stdout, stderr) =>
            error ? reject(new OpensslError(`openssl ${args[0]}${error.killed ? ` (stopped after ${timeoutMs} ms)` : ""}: ${stderr.trim() || error.message}`, stdout)) : resolve(stdout),
        );
        // openssl may exit without reading its input (a refused s_client, `req` that never reads it).
        child.stdin?.on("error", () => undefined);
        child.stdin?.end(input);
    });
}
