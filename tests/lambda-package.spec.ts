import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BUNDLE_FILE, BUNDLE_OPTIONS, FunctionBundleError, buildFunctionBundle, bundleFunction, functionArchive, functionSourceFile } from "../infra/lambda/package";
import { REPO_ROOT } from "../tools/stack-files";

/** A scratch repository: a copy of functions/ (hello imports types only, so no node_modules). */
function scratchRepository(): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "lambda-package-"));
    fs.cpSync(path.join(REPO_ROOT, "functions"), path.join(root, "functions"), { recursive: true });
    return root;
}

describe("Lambda packaging (infra/lambda/package.ts)", () => {
    const hello = functionSourceFile("hello");

    it("bundles the same sources to the same bytes, twice in a row and in another checkout", () => {
        // Two esbuild runs, not one run remembered: determinism is a property of the build.
        const first = buildFunctionBundle(hello);
        const second = buildFunctionBundle(hello);
        expect(second).to.not.equal(first);
        expect(second.code).to.equal(first.code);
        expect(second.sha256).to.equal(first.sha256);
        // Paths in the bundle are relative to the root: a checkout elsewhere gives the same bytes.
        expect(buildFunctionBundle(hello, scratchRepository()).code).to.equal(first.code);
    });

    it("builds with fixed options: node22 CommonJS, no source map, not minified, in memory", () => {
        expect(BUNDLE_OPTIONS).to.include({ platform: "node", target: "node22", format: "cjs", sourcemap: false, minify: false, write: false, bundle: true });
        const { code } = bundleFunction(hello);
        expect(code).to.not.match(/sourceMappingURL/);
        expect(code).to.not.include(REPO_ROOT);
        expect(code).to.match(/module\.exports/);
    });

    it("contains no @pulumi/ import, and refuses a function that pulls the Pulumi SDK in", () => {
        expect(bundleFunction(hello).code).to.not.match(/@pulumi\//);
        const root = scratchRepository();
        // A stand-in for the SDK package: bundling the real one takes seconds, and the rule is about where a module comes from.
        fs.mkdirSync(path.join(root, "node_modules", "@pulumi", "pulumi"), { recursive: true });
        fs.writeFileSync(path.join(root, "node_modules", "@pulumi", "pulumi", "index.js"), "exports.getStack = () => 'stack';\n");
        fs.writeFileSync(path.join(root, "functions", "leaky.ts"), 'import * as pulumi from "@pulumi/pulumi";\nexport const handler = async () => pulumi.getStack();\n');
        expect(() => bundleFunction(functionSourceFile("leaky"), root)).to.throw(FunctionBundleError, /functions\/leaky\.ts: a function must not import the Pulumi SDK \(it pulls in node_modules\/@pulumi\/pulumi\/index\.js\)/);
    });

    it("changes the hash when the source changes, and only then", () => {
        const root = scratchRepository();
        const unchanged = bundleFunction(hello, root);
        const file = path.join(root, hello);
        fs.writeFileSync(file, `${fs.readFileSync(file, "utf8")}\n// a comment esbuild drops\n`);
        expect(bundleFunction(hello, root).sha256, "a comment is not code").to.equal(unchanged.sha256);
        fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("Hello from Lambda via API Gateway", "Hello, edited"));
        const edited = bundleFunction(hello, root);
        expect(edited.sha256).to.not.equal(unchanged.sha256);
        expect(edited.code).to.include("Hello, edited");
    });

    it("reuses this process's bundle while no input changed, and rebuilds when any input does", () => {
        const root = scratchRepository();
        const first = bundleFunction(hello, root);
        expect(bundleFunction(hello, root), "nothing changed: the same bundle").to.equal(first);
        expect(bundleFunction(hello, root, { bundleAwsSdk: true }), "other choices: another bundle").to.not.equal(first);
        const file = path.join(root, hello);
        fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("Hello from Lambda via API Gateway", "Hello, edited"));
        const edited = bundleFunction(hello, root);
        expect(edited.code).to.include("Hello, edited");
        expect(bundleFunction(hello, root)).to.equal(edited);
    });

    it("rebuilds when a file the function imports changes, inside or outside functions/", () => {
        const root = scratchRepository();
        fs.mkdirSync(path.join(root, "node_modules", "greeting"), { recursive: true });
        const library = path.join(root, "node_modules", "greeting", "index.js");
        fs.writeFileSync(library, "exports.greeting = 'first';\n");
        fs.writeFileSync(path.join(root, "functions", "greeter.ts"), 'export { greeting as handler } from "./greeting-source";\n');
        fs.writeFileSync(path.join(root, "functions", "greeting-source.ts"), 'export { greeting } from "greeting";\n');
        const greeter = functionSourceFile("greeter");
        expect(bundleFunction(greeter, root).code).to.include("first");
        fs.writeFileSync(library, "exports.greeting = 'second';\n");
        expect(bundleFunction(greeter, root).code, "a package file changed").to.include("second");
        fs.writeFileSync(path.join(root, "functions", "greeting-source.ts"), 'export const greeting = "third";\n');
        expect(bundleFunction(greeter, root).code, "an imported source changed").to.include("third");
    });

    it("names the file and the line of a function that does not compile", () => {
        const root = scratchRepository();
        fs.writeFileSync(path.join(root, "functions", "broken.ts"), "export const handler = async () => {\n  return (;\n};\n");
        expect(() => bundleFunction(functionSourceFile("broken"), root)).to.throw(FunctionBundleError, /Cannot bundle functions\/broken\.ts: functions\/broken\.ts:2: /);
    });

    it("wraps the bundle as the archive's only file, index.js, holding the bundled text", async () => {
        const bundle = bundleFunction(hello);
        const archive = functionArchive(bundle);
        const assets = await archive.assets;
        expect(Object.keys(assets)).to.deep.equal([BUNDLE_FILE]);
        expect(await (assets[BUNDLE_FILE] as { text: Promise<string> }).text).to.equal(bundle.code);
    });

    it("bundles a function in well under a second", function () {
        const runs = 5;
        const started = process.hrtime.bigint();
        for (let i = 0; i < runs; i++) {
            buildFunctionBundle(hello);
        }
        const perBundleMs = Number(process.hrtime.bigint() - started) / 1e6 / runs;
        // Measured about 5 ms per bundle on a busy 2-core machine (docs/development.md).
        expect(perBundleMs).to.be.below(500);
    });
});
