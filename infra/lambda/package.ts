// Packaging a function of functions/ for Lambda: one esbuild bundle in memory, wrapped as a
// Pulumi archive. Deterministic by construction (fixed options, no source map, paths relative to
// the repository), so the archive's hash, and with it the function's code, changes only when
// the bundled code does: an unchanged function is no update.
import * as pulumi from "@pulumi/pulumi";
import * as esbuild from "esbuild";
import * as path from "node:path";
import { sha256 } from "../hash";
import { BundleCache } from "./bundle-cache";

export { FUNCTIONS_FOLDER, FUNCTION_NAME, functionSourceFile } from "./source";

/** The module the bundle is stored as in the archive, and the handler Lambda calls in it. */
export const BUNDLE_FILE = "index.js";
export const BUNDLE_HANDLER = "index.handler";

/** The repository root: bundles name their sources relative to it, wherever it is checked out. */
const REPOSITORY_ROOT = path.resolve(__dirname, "..", "..");

/**
 * The esbuild options of every bundle. Fixed, so two builds of the same sources are the same
 * bytes: no source map (it would embed absolute paths), no minification (stack traces in the
 * function's logs stay readable; the bundle of a small function is a few kB either way), no
 * metafile or timestamp in the output, the TypeScript settings given here rather than read
 * from a tsconfig.json, and `absWorkingDir` fixed to the repository root, so the
 * `// functions/hello.ts` comments esbuild writes are the same in every checkout.
 */
export const BUNDLE_OPTIONS = {
    bundle: true,
    platform: "node",
    // Lambda's nodejs22.x runtime; see DEFAULT_RUNTIME in function.ts.
    target: "node22",
    format: "cjs",
    minify: false,
    sourcemap: false,
    legalComments: "none",
    charset: "utf8",
    treeShaking: true,
    write: false,
    logLevel: "silent",
    // Instead of whichever tsconfig.json esbuild would find above the file: the checkout's own
    // (whose `strict` adds "use strict") must not change the bytes.
    tsconfigRaw: { compilerOptions: { strict: true } },
    // The runtime ships the AWS SDK for JavaScript v3: a function using it does not carry a copy.
    external: ["@aws-sdk/*"],
} as const satisfies esbuild.BuildOptions;

/** One function, bundled. */
export interface FunctionBundle {
    /** The source file, relative to the repository root. */
    readonly sourceFile: string;
    /** The bundled CommonJS module Lambda loads. */
    readonly code: string;
    /** SHA-256 of `code`: equal bundles, equal hashes. */
    readonly sha256: string;
    /** The files that went into the bundle, relative to the repository root. */
    readonly inputs: readonly string[];
}

export interface BundleChoices {
    /**
     * Bundle the AWS SDK clients the function imports (the exact versions package-lock.json
     * pins) instead of using the copy in the Lambda runtime, whose version AWS changes without
     * notice. Default: false (the SDK stays external).
     */
    readonly bundleAwsSdk?: boolean;
}

/** Raised when a function cannot be bundled; the message names the file and the reason. */
export class FunctionBundleError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "FunctionBundleError";
    }
}

/**
 * Bundles built before, by esbuild version, options, root and file. A program run bundles every
 * function again, and the chat stack's five functions carry the AWS SDK (over 500 input files,
 * about a quarter of a second each): `npm run plan -- chat`, a preview and each test process
 * that runs the stack reuse the last build instead, as long as no input file changed. Only
 * bundles of this checkout are written to disk (node_modules/.cache, which `npm ci` clears);
 * other roots, such as a spec's scratch copy, are kept in memory.
 */
const checkoutBundles = new BundleCache(path.join(REPOSITORY_ROOT, "node_modules", ".cache", "hello-gateway", "function-bundles"));
const otherBundles = new BundleCache(undefined);

/**
 * Bundles one function file (relative to `root`, the repository by default) with everything it
 * imports, reusing an earlier bundle of the same file when none of its inputs has changed
 * (see `buildFunctionBundle` for the rules).
 */
export function bundleFunction(sourceFile: string, root: string = REPOSITORY_ROOT, options: BundleChoices = {}): FunctionBundle {
    const absoluteRoot = path.resolve(root);
    const cache = absoluteRoot === REPOSITORY_ROOT ? checkoutBundles : otherBundles;
    const key = JSON.stringify([esbuild.version, BUNDLE_OPTIONS, absoluteRoot, sourceFile, options.bundleAwsSdk === true]);
    const cached = cache.lookup(key, root);
    if (cached !== undefined) {
        return cached;
    }
    const bundle = buildFunctionBundle(sourceFile, root, options);
    cache.store(key, root, bundle);
    return bundle;
}

/**
 * Bundles one function file (relative to `root`, the repository by default) with everything it
 * imports, always with a fresh esbuild run. Refuses a function that pulls in the Pulumi SDK: it
 * would not run in Lambda and means infrastructure code leaked into a handler.
 */
export function buildFunctionBundle(sourceFile: string, root: string = REPOSITORY_ROOT, options: BundleChoices = {}): FunctionBundle {
    let result: esbuild.BuildResult<esbuild.BuildOptions & { write: false; metafile: true }>;
    const external: string[] = options.bundleAwsSdk ? [] : [...BUNDLE_OPTIONS.external];
    try {
        result = esbuild.buildSync({ ...BUNDLE_OPTIONS, external, metafile: true, absWorkingDir: root, entryPoints: [sourceFile], outfile: BUNDLE_FILE });
    } catch (error) {
        const failure = error as esbuild.BuildFailure;
        const first = failure.errors?.[0];
        const where = first?.location ? `${first.location.file}:${first.location.line}: ` : "";
        throw new FunctionBundleError(`Cannot bundle ${sourceFile}: ${where}${first?.text ?? failure.message}`);
    }
    const inputs = Object.keys(result.metafile.inputs).sort();
    const pulumiInputs = inputs.filter((input) => /(^|\/)node_modules\/@pulumi\//.test(input));
    if (pulumiInputs.length > 0) {
        throw new FunctionBundleError(`Cannot bundle ${sourceFile}: a function must not import the Pulumi SDK (it pulls in ${pulumiInputs[0]})`);
    }
    const output = result.outputFiles.find((file) => file.path.endsWith(BUNDLE_FILE));
    if (output === undefined) {
        throw new FunctionBundleError(`Cannot bundle ${sourceFile}: esbuild wrote no ${BUNDLE_FILE}`);
    }
    const code = output.text;
    return { sourceFile, code, sha256: sha256(code), inputs };
}

/**
 * The archive Lambda receives: the bundle as `index.js`, alone. A StringAsset inside an
 * AssetArchive, so no file or modification time is involved: the engine hashes an archive of
 * assets as a tar of the entries in name order whose headers hold only name, mode 0600 and
 * size, and zips it for upload with a constant modification time (pulumi/pulumi
 * sdk/go/common/resource/archive/archive.go: `EnsureHashWithWD`, `addNextFileToTar`,
 * `addNextFileToZIP`). Same bundle, same hash, no update.
 */
export function functionArchive(bundle: Pick<FunctionBundle, "code">): pulumi.asset.AssetArchive {
    return new pulumi.asset.AssetArchive({ [BUNDLE_FILE]: new pulumi.asset.StringAsset(bundle.code) });
}
