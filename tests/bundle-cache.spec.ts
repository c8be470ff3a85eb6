import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BundleCache, CachedBundle } from "../infra/lambda/bundle-cache";

/** A root with one function and one package it imports, and a cache folder of its own. */
function scratch(): { root: string; cacheDirectory: string; bundle: CachedBundle } {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "bundle-cache-"));
    fs.mkdirSync(path.join(root, "functions"));
    fs.mkdirSync(path.join(root, "node_modules", "greeting"), { recursive: true });
    fs.writeFileSync(path.join(root, "functions", "hello.ts"), 'export { greeting as handler } from "greeting";\n');
    fs.writeFileSync(path.join(root, "node_modules", "greeting", "index.js"), "exports.greeting = 'hi';\n");
    const bundle = { sourceFile: "functions/hello.ts", code: "module.exports = 'bundled';\n", sha256: "0".repeat(64), inputs: ["functions/hello.ts", "node_modules/greeting/index.js"] };
    return { root, cacheDirectory: path.join(root, "cache"), bundle };
}

describe("function bundle cache (infra/lambda/bundle-cache.ts)", () => {
    it("answers a later process from disk while every input has the content it was built from", () => {
        const { root, cacheDirectory, bundle } = scratch();
        new BundleCache(cacheDirectory).store("key", root, bundle);
        const nextProcess = new BundleCache(cacheDirectory);
        expect(nextProcess.lookup("key", root)).to.deep.equal(bundle);
        expect(nextProcess.lookup("other key", root)).to.equal(undefined);
    });

    for (const input of ["functions/hello.ts", "node_modules/greeting/index.js"]) {
        it(`builds again once ${input} changes, in this process and the next`, () => {
            const { root, cacheDirectory, bundle } = scratch();
            const cache = new BundleCache(cacheDirectory);
            cache.store("key", root, bundle);
            fs.appendFileSync(path.join(root, input), "// edited\n");
            expect(cache.lookup("key", root)).to.equal(undefined);
            expect(new BundleCache(cacheDirectory).lookup("key", root)).to.equal(undefined);
        });
    }

    it("builds again after an edit that keeps the file's size, made right after the build", () => {
        const { root, cacheDirectory, bundle } = scratch();
        const cache = new BundleCache(cacheDirectory);
        const source = path.join(root, "functions", "hello.ts");
        cache.store("key", root, bundle);
        expect(cache.lookup("key", root)).to.deep.equal(bundle);
        // Same length, written at once: a coarse file-system clock may leave every stat field as it was.
        fs.writeFileSync(source, fs.readFileSync(source, "utf8").replace("greeting as handler", "greeting as handlex"));
        expect(cache.lookup("key", root), "a same-size edit").to.equal(undefined);
    });

    it("builds again when an input is gone", () => {
        const { root, cacheDirectory, bundle } = scratch();
        new BundleCache(cacheDirectory).store("key", root, bundle);
        fs.rmSync(path.join(root, "node_modules", "greeting"), { recursive: true });
        expect(new BundleCache(cacheDirectory).lookup("key", root)).to.equal(undefined);
    });

    it("ignores an entry it cannot read, and keeps nothing on disk without a folder", () => {
        const { root, cacheDirectory, bundle } = scratch();
        const cache = new BundleCache(cacheDirectory);
        cache.store("key", root, bundle);
        for (const file of fs.readdirSync(cacheDirectory)) {
            fs.writeFileSync(path.join(cacheDirectory, file), '{"format":1,"bundle":{"code":');
        }
        expect(new BundleCache(cacheDirectory).lookup("key", root)).to.equal(undefined);
        const memoryOnly = new BundleCache(undefined);
        memoryOnly.store("key", root, bundle);
        expect(memoryOnly.lookup("key", root)).to.deep.equal(bundle);
        expect(new BundleCache(undefined).lookup("key", root)).to.equal(undefined);
    });

    it("still bundles where the cache folder cannot be written", () => {
        const { root, bundle } = scratch();
        const blocked = path.join(root, "a-file");
        fs.writeFileSync(blocked, "");
        const cache = new BundleCache(path.join(blocked, "cache"));
        expect(() => cache.store("key", root, bundle)).to.not.throw();
        expect(cache.lookup("key", root)).to.deep.equal(bundle);
    });
});
