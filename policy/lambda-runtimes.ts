/**
 * The Lambda runtimes Lambda.2 accepts, kept in one place.
 *
 * Source: AWS Lambda Developer Guide, "Lambda runtimes" (supported runtimes and their
 * deprecation dates), https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html ;
 * Security Hub Lambda.2, https://docs.aws.amazon.com/securityhub/latest/userguide/lambda-controls.html#lambda-2
 *
 * Reviewed 2026-12-05. The list is deliberately short: current language versions only, so a
 * runtime near its deprecation date is reported before Lambda stops updating it. When the page
 * lists a runtime as deprecated, remove it here (the pack then reports functions still on it);
 * when AWS adds one, add it.
 */

/** Node.js: any `nodejsNN.x` at this major version or later (Node.js 20 was deprecated on 2026-04-30). */
export const OLDEST_SUPPORTED_NODE_MAJOR = 22;

/** Other supported runtime identifiers: current language versions whose deprecation is not near. */
export const SUPPORTED_RUNTIMES: readonly string[] = ["python3.12", "python3.13", "python3.14", "java21", "ruby3.4", "provided.al2023"];

/** Whether Lambda.2 accepts `runtime`. */
export function isSupportedRuntime(runtime: string): boolean {
    const node = /^nodejs(\d+)\.x$/.exec(runtime);
    if (node !== null) {
        return Number(node[1]) >= OLDEST_SUPPORTED_NODE_MAJOR;
    }
    return SUPPORTED_RUNTIMES.includes(runtime);
}
