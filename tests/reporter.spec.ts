import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { committedStackFilesReport } from "../tools/config-report";
import { set } from "./newcomer-mistakes";
import { copyOfStackFiles } from "./support";

// What npm test's reporter (tests/reporter.ts) prints in place of the failures' details when a
// user's edit makes the program refuse a committed stack file.
describe("npm test after a bad edit: the stack files' refusal, once (tests/reporter.ts)", () => {
    let root: string;

    beforeEach(() => {
        root = copyOfStackFiles("hg-reporter-");
    });

    afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

    it("has nothing to say about the stack files as they are", () => {
        expect(committedStackFilesReport(root)).to.equal(undefined);
    });

    it("names the file, the line, the key and the likely value of a bad edit, and only the stack it is in", () => {
        // Set whether or not the user's dev file sets the key already.
        const file = path.join(root, "Pulumi.dev.yaml");
        fs.writeFileSync(file, set("loggingLevel", "info")(fs.readFileSync(file, "utf8"))!);
        const index = fs.readFileSync(file, "utf8").split("\n").findIndex((line) => /^\s+hello-gateway:loggingLevel: info$/.test(line));

        const report = committedStackFilesReport(root) ?? "";
        expect(report).to.contain('stack "dev"');
        expect(report).to.contain(`Pulumi.dev.yaml:${index + 1}: hello-gateway:loggingLevel: got "info"`);
        expect(report).to.match(/did you mean INFO\?/);
        expect(report).to.not.match(/dev-origin|prod|\s+at \S+ \(/);
    });
});
