// Importing @pulumi/pulumi loads TypeScript's compiler and npm's Arborist at once (through
// runtime/closure: parseFunction.js and codePaths.js), about 0.6 s of CPU, for one feature:
// serializing a JavaScript function into Lambda code (`pulumi.runtime.serializeFunction`,
// `aws.lambda.CallbackFunction`). This project bundles its functions with esbuild instead and
// never calls it. The processes that import the SDK on this machine (each test worker,
// `npm run plan`, `npm run deploy`) import this module first, so the two load on first use
// instead of at start-up. The stack program itself, run by `pulumi up`, is not affected.
//
// A deferred module is a stand-in in the require cache whose every operation loads the real
// module and forwards to it, so a caller that does use it gets the real thing.
import Module from "node:module";
import * as path from "node:path";

/** The SDK's own copy of each module it loads eagerly only for function serialization. */
const DEFERRED = [
    // parseFunction.js keeps `ts` and reads it only while serializing a function.
    { request: "typescript", interop: "plain" },
    // codePaths.js wraps it with TypeScript's __importStar, which lists a CommonJS module's keys
    // at once unless the module says __esModule; the stand-in says so, making __importStar hand
    // it through untouched, and codePaths only reads `.Arborist` from it (the module's exports
    // carry `Arborist`, lib/index.js), which is forwarded like any other key.
    { request: "@npmcli/arborist", interop: "es-module" },
] as const;

/** The stand-ins this process installed, by file name; a second call installs nothing. */
const installed = new Set<string>();

function loadedModuleOf(filename: string): NodeJS.Module | undefined {
    return require.cache[filename];
}

/**
 * A stand-in whose operations load the module at `filename` (once) and forward to it. The real
 * module replaces the stand-in in the require cache when it loads.
 */
function deferredExports(filename: string, esModule: boolean): object {
    let real: object | undefined;
    const load = (): object => {
        if (real === undefined) {
            delete require.cache[filename];
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            real = require(filename) as object;
        }
        return real;
    };
    return new Proxy(
        {},
        {
            get: (_, key) => (esModule && key === "__esModule" && real === undefined ? true : Reflect.get(load(), key)),
            has: (_, key) => Reflect.has(load(), key),
            ownKeys: () => Reflect.ownKeys(load()),
            getOwnPropertyDescriptor: (_, key) => {
                const descriptor = Reflect.getOwnPropertyDescriptor(load(), key);
                // A proxy may only report a property missing from its own (empty) target as configurable.
                return descriptor === undefined ? undefined : { ...descriptor, configurable: true };
            },
            set: (_, key, value) => Reflect.set(load(), key, value),
            defineProperty: (_, key, descriptor) => Reflect.defineProperty(load(), key, descriptor),
            deleteProperty: (_, key) => Reflect.deleteProperty(load(), key),
            getPrototypeOf: () => Reflect.getPrototypeOf(load()),
        },
    );
}

/**
 * Installs the stand-ins, unless the SDK or a module is already loaded (then nothing is gained,
 * and nothing changes). Returns the file names now deferred.
 */
export function deferSdkSerializationModules(): readonly string[] {
    let sdkDirectory: string;
    try {
        sdkDirectory = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
    } catch {
        return [];
    }
    if (loadedModuleOf(path.join(sdkDirectory, "index.js")) !== undefined) {
        return [...installed];
    }
    for (const { request, interop } of DEFERRED) {
        let filename: string;
        try {
            filename = require.resolve(request, { paths: [sdkDirectory] });
        } catch {
            continue;
        }
        if (installed.has(filename) || loadedModuleOf(filename) !== undefined) {
            continue;
        }
        const standIn = new Module(filename);
        standIn.filename = filename;
        standIn.loaded = true;
        standIn.exports = deferredExports(filename, interop === "es-module");
        require.cache[filename] = standIn;
        installed.add(filename);
    }
    return [...installed];
}

deferSdkSerializationModules();
