import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { main } from "../tools/plan";
import { ALLOWED, FileEdit, MISTAKES } from "./newcomer-mistakes";
import { copyOfStackFiles } from "./support";

/**
 * A newcomer's mistakes in the stack files, each planned the way `npm run plan -- <env>` plans
 * it, on a copy of the stack files with that one mistake: one report naming the file, the line
 * and the key, the problem in words, values cut to a readable length, and no stack trace.
 */

/** The longest quoted value a report may echo (an ellipsis marks a cut). */
const MAX_SHOWN_VALUE = 120;

interface PlanOutcome {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
    readonly uncaught: unknown[];
    /** The edited stack file's text as planned (null: the mistake deletes the file). */
    readonly editedText: string | null;
}

/**
 * A copy of Pulumi.yaml and every stack file, made once for all the cases, which run one after
 * another: each edits (or deletes) one file, plans, and puts the file back as it was.
 */
let sandbox = "";

async function planWith(env: string, stack: string, edit: FileEdit): Promise<PlanOutcome> {
    const file = path.join(sandbox, `Pulumi.${stack}.yaml`);
    const original = fs.readFileSync(file, "utf8");
    const editedText = edit(original);
    let stdout = "";
    let stderr = "";
    const uncaught: unknown[] = [];
    const record = (reason: unknown) => uncaught.push(reason);
    process.prependListener("unhandledRejection", record);
    try {
        // A new file each time, not one truncated in place: ext4 flushes a file rewritten over
        // its old content when it is closed, which costs more than the plan.
        fs.rmSync(file);
        if (editedText !== null) {
            fs.writeFileSync(file, editedText);
        }
        const code = await main([env, "--out", path.join(sandbox, "plan")], {
            io: { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), cwd: sandbox },
            planOptions: { root: sandbox },
        });
        // A rejection left behind by a run surfaces a turn or two later.
        for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
        return { code, stdout, stderr, uncaught, editedText };
    } finally {
        process.removeListener("unhandledRejection", record);
        fs.rmSync(file, { force: true });
        fs.writeFileSync(file, original);
        fs.rmSync(path.join(sandbox, "plan"), { recursive: true, force: true });
    }
}

/** The 1-based line of a key in a stack file's text. */
function lineOfKey(text: string | null, stack: string, key: string): number {
    const lines = (text ?? "").split("\n");
    const short = key.startsWith("hello-gateway:") ? key.slice("hello-gateway:".length) : key;
    const index = lines.findIndex((line) => new RegExp(`^\\s*(${escape(key)}|${escape(short)}):`).test(line));
    if (index < 0) throw new Error(`${key} is not written in Pulumi.${stack}.yaml`);
    return index + 1;
}

function escape(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function expectNoTrace(outcome: PlanOutcome): void {
    const all = `${outcome.stdout}\n${outcome.stderr}`;
    expect(all, "a stack frame").not.to.match(/^\s{4}at /m);
    expect(all).not.to.include("failed to read resource");
    expect(all).not.to.match(/^error: /m);
    expect(outcome.uncaught.map(String), "uncaught rejections").to.deep.equal([]);
}

describe("a newcomer's mistakes in the stack files, planned as `npm run plan` plans them", () => {
    before(() => {
        sandbox = copyOfStackFiles("hg-mistake-");
    });
    after(() => fs.rmSync(sandbox, { recursive: true, force: true }));

    it(`holds at least 56 mistakes, in both layers' files`, () => {
        expect(MISTAKES.length).to.be.at.least(56);
        expect(MISTAKES.some((m) => m.stack.endsWith("-origin"))).to.equal(true);
        expect(MISTAKES.some((m) => !m.stack.endsWith("-origin"))).to.equal(true);
    });

    for (const mistake of MISTAKES) {
        it(`${mistake.env}: ${mistake.name}`, async () => {
            const outcome = await planWith(mistake.env, mistake.stack, mistake.edit);
            expectNoTrace(outcome);
            expect(outcome.code, outcome.stdout.slice(0, 400)).to.equal(1);
            const problemLines = outcome.stderr.split("\n").filter((line) => /^\s+- /.test(line));
            expect(problemLines, outcome.stderr).to.have.length(1);
            const [problem] = problemLines;
            const file = `Pulumi.${mistake.stack}.yaml`;
            expect(problem, "names the file").to.include(file);
            if (mistake.key !== undefined) {
                expect(problem, "names the key").to.include(`${mistake.key}:`);
                if (mistake.keyLine !== false) {
                    expect(problem, "names the line").to.include(`${file}:${lineOfKey(outcome.editedText, mistake.stack, mistake.key)}: `);
                }
            }
            expect(problem).to.match(mistake.expected);
            for (const quoted of outcome.stderr.match(/"(?:[^"\\]|\\.)*"/g) ?? []) {
                expect(quoted.length, `a value echoed whole: ${quoted.slice(0, 60)}…`).to.be.at.most(MAX_SHOWN_VALUE + 2);
            }
        });
    }

    for (const allowed of ALLOWED) {
        it(`${allowed.env}: plans ${allowed.name}`, async () => {
            const outcome = await planWith(allowed.env, allowed.stack, allowed.edit);
            expectNoTrace(outcome);
            expect(outcome.code, outcome.stderr).to.equal(0);
        });
    }
});
