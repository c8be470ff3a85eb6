import { expect } from "chai";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { REPO_ROOT } from "../tools/stack-files";

// What a fresh process that loads tools/defer-sdk-modules.ts first (as the test workers and the
// CLIs do) sees: the SDK imported without TypeScript's compiler or Arborist, and both loading,
// for real, the moment the SDK's function serialization uses them.
const PROBE = `
const { types } = require("node:util");
const standIns = () => Object.keys(require.cache)
  .filter((file) => /node_modules\\/(typescript\\/lib\\/typescript|@npmcli\\/arborist\\/lib\\/index)\\.js$/.test(file))
  .map((file) => [file.replace(/.*node_modules\\//, ""), types.isProxy(require.cache[file].exports)]);
const pulumi = require("@pulumi/pulumi");
const afterImport = standIns();
(async () => {
  const serialized = await pulumi.runtime.serializeFunction(() => 40 + 2);
  const codePaths = await pulumi.runtime.computeCodePaths();
  console.log(JSON.stringify({ afterImport, afterUse: standIns(), text: serialized.text, codePaths: [...codePaths.keys()] }));
})();
`;

describe("deferred SDK modules (tools/defer-sdk-modules.ts)", function () {
    this.timeout(30_000);
    let report: { afterImport: Array<[string, boolean]>; afterUse: Array<[string, boolean]>; text: string; codePaths: string[] };

    before(async () => {
        const { stdout } = await promisify(execFile)(process.execPath, ["--require", "tsx/cjs", "--require", "./tools/defer-sdk-modules.ts", "--eval", PROBE], { cwd: REPO_ROOT });
        report = JSON.parse(stdout);
    });

    it("imports @pulumi/pulumi with stand-ins for TypeScript's compiler and Arborist, not the modules", () => {
        expect(report.afterImport).to.deep.equal([
            ["typescript/lib/typescript.js", true],
            ["@npmcli/arborist/lib/index.js", true],
        ]);
    });

    it("loads the real modules when the SDK serializes a function, and the SDK's answers are right", () => {
        expect([...report.afterUse].sort()).to.deep.equal([
            ["@npmcli/arborist/lib/index.js", false],
            ["typescript/lib/typescript.js", false],
        ]);
        // TypeScript parsed the function; Arborist read this checkout's package tree.
        expect(report.text).to.match(/return \(\) => 40 \+ 2;/);
        expect(report.codePaths).to.include("node_modules/@aws-sdk/client-auto-scaling");
    });
});
