/**
 * `npm run plugins [-- --install]`
 *
 * The Pulumi provider plugins this program uses, and the ones it would download without using.
 * Before every update the engine installs each plugin the Node.js language host reports, and the
 * host reports every package anywhere under node_modules whose package.json says
 * `"pulumi": { "resource": true }` (pulumi/pulumi sdk/nodejs/cmd/pulumi-language-nodejs/main.go,
 * getPackagesFromDir; pkg/engine/update.go, ensurePluginsAreInstalled). @pulumi/awsx depends on
 * @pulumi/docker, @pulumi/docker-build and docker-classic (@pulumi/docker 3), which say so: a
 * fresh runner would download three docker provider plugins no resource here uses.
 *
 * The way out: install exactly the plugins of the project's own dependencies, then run the
 * engine with PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true. `npm run deploy|preview|destroy`
 * does both; the workflows run `npm run plugins -- --install` and set the variable.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "./stack-files";

export interface ProviderPlugin {
    readonly name: string;
    readonly version: string;
    /** The npm package that declares it. */
    readonly packageName: string;
}

interface PackageJson {
    name?: string;
    version?: string;
    dependencies?: Record<string, string>;
    pulumi?: { resource?: boolean; name?: string; version?: string };
}

function readPackageJson(file: string): PackageJson | undefined {
    try {
        return JSON.parse(fs.readFileSync(file, "utf8")) as PackageJson;
    } catch {
        return undefined;
    }
}

/** The plugin a package declares, named and versioned the way the language host does. */
export function pluginOf(pkg: PackageJson): ProviderPlugin | undefined {
    if (pkg.pulumi?.resource !== true || pkg.name === undefined) {
        return undefined;
    }
    const name = pkg.pulumi.name ?? pkg.name.replace(/^@pulumi\//, "");
    const version = pkg.pulumi.version ?? pkg.version;
    return version === undefined ? undefined : { name, version: version.replace(/^v/, ""), packageName: pkg.name };
}

/** Plugins of the project's direct dependencies: the providers its resources use. */
export function usedProviderPlugins(root: string = REPO_ROOT): ProviderPlugin[] {
    const project = readPackageJson(path.join(root, "package.json"));
    return Object.keys(project?.dependencies ?? {})
        .map((dependency) => readPackageJson(path.join(root, "node_modules", dependency, "package.json")))
        .map((pkg) => (pkg === undefined ? undefined : pluginOf(pkg)))
        .filter((plugin): plugin is ProviderPlugin => plugin !== undefined)
        .sort((a, b) => a.name.localeCompare(b.name));
}

/** Every plugin the language host would report: a walk of node_modules, as it does. */
export function reportedProviderPlugins(root: string = REPO_ROOT): ProviderPlugin[] {
    const found: ProviderPlugin[] = [];
    const walk = (dir: string) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
            if (!entry.isDirectory() || entry.name.startsWith(".")) {
                continue;
            }
            const packageDir = path.join(dir, entry.name);
            if (entry.name.startsWith("@")) {
                walk(packageDir);
                continue;
            }
            const pkg = readPackageJson(path.join(packageDir, "package.json"));
            const plugin = pkg === undefined ? undefined : pluginOf(pkg);
            if (plugin !== undefined) {
                found.push(plugin);
            }
            const nested = path.join(packageDir, "node_modules");
            if (fs.existsSync(nested)) {
                walk(nested);
            }
        }
    };
    walk(path.join(root, "node_modules"));
    return found.sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
}

export function installCommand(plugin: ProviderPlugin): string[] {
    return ["plugin", "install", "resource", plugin.name, plugin.version];
}

if (require.main === module) {
    const install = process.argv.includes("--install");
    const plugins = usedProviderPlugins();
    (async () => {
        for (const plugin of plugins) {
            const args = installCommand(plugin);
            console.log(`pulumi ${args.join(" ")}`);
            if (install) {
                await new Promise<void>((resolve, reject) =>
                    execFile("pulumi", args, (error) => (error ? reject(error) : resolve())),
                );
            }
        }
    })().catch((error: unknown) => {
        console.error(`error: ${(error as Error).message}`);
        process.exitCode = 1;
    });
}
