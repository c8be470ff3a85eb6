// Where a route's `lambda:<name>` lives. Free of the Pulumi SDK and esbuild: the route parser
// (infra/routes.ts) and the command-line tools read it.

/** Where the functions live, relative to the repository root. */
export const FUNCTIONS_FOLDER = "functions";

/**
 * A function's name as a route names it (`lambda:hello`): the file name without `.ts`, of
 * letters, digits, `-` and `_`, at most 40 characters. Its name in AWS,
 * `hello-gateway-<environment>-<name>`, must also fit Lambda's 64 (checked where it is built).
 */
export const FUNCTION_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/;

/** The file a route's `lambda:<name>` runs, relative to the repository root. */
export function functionSourceFile(name: string): string {
    return `${FUNCTIONS_FOLDER}/${name}.ts`;
}

/** A function's name in AWS: 1 to 64 letters, digits, hyphens or underscores. */
export const AWS_FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** A function's name in AWS: `<prefix>-<name>`, e.g. `hello-gateway-dev-hello`. */
export function awsFunctionName(prefix: string, name: string): string {
    return `${prefix}-${name}`;
}
