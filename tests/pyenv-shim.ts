// pyenv puts a bash shim on PATH for every Python command; on each start it runs several more
// bash processes to work out the Python version, then execs the real command. For moto_server
// that is about 0.4 s of CPU per start here, as much as moto's own start-up on a busy machine.
// This finds the executable the shim would run, following pyenv's own rules
// (libexec/pyenv-version-name, pyenv-version-file, pyenv-version-file-read), and gives up,
// leaving the shim to decide, whenever it is unsure.
import * as fs from "node:fs";
import * as path from "node:path";

function isExecutable(file: string): boolean {
    try {
        fs.accessSync(file, fs.constants.X_OK);
        return fs.statSync(file).isFile();
    } catch {
        return false;
    }
}

/** The nearest `.python-version` from `dir` up, as pyenv-version-file looks for it. */
function localVersionFile(dir: string): string | undefined {
    for (let current = path.resolve(dir); ; current = path.dirname(current)) {
        const candidate = path.join(current, ".python-version");
        if (fs.existsSync(candidate)) return candidate;
        if (path.dirname(current) === current) return undefined;
    }
}

/** A version file's names: the first word of each line that is not blank or a comment. */
function versionsInFile(file: string): string[] {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch {
        return [];
    }
    return text
        .split(/\r?\n/)
        .map((line) => line.trim().split(/\s+/)[0])
        .filter((word) => word !== "" && !word.startsWith("#"));
}

/**
 * The executable a pyenv shim would run, or undefined when `command` is no pyenv shim or the
 * choice is not plain: the "system" Python, a version that is not installed under that exact
 * name (newer pyenv resolves prefixes such as "3.11"), or a name with a path in it.
 */
export function pyenvShimTarget(command: string, env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string | undefined {
    const shimDir = path.dirname(command);
    if (path.basename(shimDir) !== "shims") return undefined;
    const root = path.dirname(shimDir); // the shim sets PYENV_ROOT to this, whatever the environment says
    if (!fs.existsSync(path.join(root, "versions"))) return undefined;
    try {
        if (!fs.readFileSync(command, "utf8").slice(0, 2048).includes("pyenv")) return undefined;
    } catch {
        return undefined;
    }
    let versions: string[];
    if (env.PYENV_VERSION !== undefined && env.PYENV_VERSION !== "") {
        versions = env.PYENV_VERSION.split(":").filter((name) => name !== "");
    } else {
        const file = localVersionFile(env.PYENV_DIR ?? cwd) ?? (env.PYENV_DIR !== undefined ? localVersionFile(cwd) : undefined) ?? path.join(root, "version");
        versions = versionsInFile(file);
    }
    if (versions.length === 0) return undefined; // pyenv would use the system Python
    for (const version of versions) {
        if (version === "system" || version.includes("/") || version === "..") return undefined;
        const prefix = path.join(root, "versions", version);
        if (!fs.existsSync(prefix)) return undefined;
        const target = path.join(prefix, "bin", path.basename(command));
        if (isExecutable(target)) return target;
        // pyenv, too, goes on to the next version that has the command
    }
    return undefined;
}
