import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CONFIG_KEYS, DEFAULTS, GatewayConfig, RawConfig, parseConfig, readRepositoryFile } from "../infra/config";
import { REPO_ROOT, committedStacks, loadProject, loadStackConfig, projectSchemaProblems } from "../tools/stack-files";

const NAMESPACE = "hello-gateway:";

function rawFromStackFile(stack: string): RawConfig {
    const { config } = loadStackConfig(stack);
    const values: Record<string, string> = {};
    for (const [key, value] of Object.entries(config)) {
        if (key.startsWith(NAMESPACE)) {
            values[key.slice(NAMESPACE.length)] = value;
        }
    }
    return { values, region: config["aws:region"], secretKeys: new Set(), readProjectFile: readRepositoryFile };
}

describe("project and stack files", () => {
    const project = loadProject();

    it("is the hello-gateway project with its entry under stacks/", () => {
        expect(project.name).to.equal("hello-gateway");
        expect(project.main).to.equal("stacks/index.ts");
        expect(fs.existsSync(path.join(REPO_ROOT, project.main!))).to.equal(true);
        // Pulumi runs the program from the entry's folder; ts-node looks for tsconfig.json there.
        expect(fs.existsSync(path.join(REPO_ROOT, "stacks", "tsconfig.json"))).to.equal(true);
    });

    it("declares every key the program reads, each with a type and a description", () => {
        expect(Object.keys(project.config)).to.have.members([...CONFIG_KEYS]);
        for (const [key, declaration] of Object.entries(project.config)) {
            expect(declaration.description, key).to.be.a("string").and.not.equal("");
        }
    });

    it("declares the same defaults the program applies, and no default for layer (required)", () => {
        expect(project.config.layer).not.to.have.property("default");
        for (const [key, value] of Object.entries(DEFAULTS)) {
            expect(project.config[key].default, key).to.deep.equal(value);
        }
    });

    it("documents every config key in the README or a reference page under docs/", () => {
        const docsDir = path.join(REPO_ROOT, "docs");
        const pages = fs.existsSync(docsDir) ? fs.readdirSync(docsDir).filter((file) => file.endsWith(".md")).map((file) => path.join(docsDir, file)) : [];
        const documentation = [path.join(REPO_ROOT, "README.md"), ...pages].map((file) => fs.readFileSync(file, "utf8")).join("\n");
        for (const key of Object.keys(project.config)) {
            expect(documentation, key).to.contain(`\`${key}\``);
        }
    });

    it("passes the CLI's schema rules for project config", () => {
        expect(projectSchemaProblems({ name: project.name, config: project.config })).to.deep.equal([]);
    });

    it("has a schema check that catches what the CLI rejects", () => {
        const problems = projectSchemaProblems({
            name: "p",
            config: {
                untyped: { description: "x" },
                float: { type: "integer", default: 1.5 },
                list: { type: "array" },
                secretWithDefault: { type: "string", secret: true, default: "" },
                extra: { type: "string", value: "x" },
            },
        });
        expect(problems.join("\n")).to.contain("untyped: type must be one of")
            .and.to.contain("float: default 1.5 is not of type integer")
            .and.to.contain("list: an array needs items")
            .and.to.contain("secretWithDefault: a secret cannot have a default")
            .and.to.contain('extra: unknown field "value"');
    });

    it("commits the two environments and the onprem gateway, each stack setting aws:region and layer", () => {
        expect(committedStacks()).to.deep.equal(["dev", "dev-origin", "onprem", "prod", "prod-origin"]);
        for (const stack of committedStacks()) {
            const { config, encryptedKeys } = loadStackConfig(stack);
            expect(config["aws:region"], stack).to.be.a("string");
            expect(config["hello-gateway:layer"], stack).to.equal(stack.endsWith("-origin") ? "origin" : "gateway");
            expect(encryptedKeys, stack).to.deep.equal([]);
        }
    });

    it("merges Pulumi.yaml defaults under the stack file, as the CLI does", () => {
        const { config } = loadStackConfig("dev-origin");
        expect(config["hello-gateway:allowSshFromAnywhere"]).to.equal("false");
        expect(config["hello-gateway:sshAllowedCidrs"]).to.equal('["203.0.113.0/24"]');
    });

    it("reports a stack value of the wrong type, as the CLI does", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hg-stack-"));
        fs.copyFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
        fs.writeFileSync(path.join(dir, "Pulumi.bad.yaml"), "config:\n  hello-gateway:layer: gateway\n  hello-gateway:throttleBurstLimit: 2.5\n");
        expect(() => loadStackConfig("bad", dir)).to.throw("hello-gateway:throttleBurstLimit: 2.5 is not of the declared type integer");
    });

    it("parses every committed stack without a config error", () => {
        for (const stack of committedStacks()) {
            expect(() => parseConfig(rawFromStackFile(stack), { project: "hello-gateway", stack, organization: "acme" }), stack).not.to.throw();
        }
    });

    it("makes prod stricter than dev: longer retention, fewer logs, production throttling", () => {
        const identity = (stack: string) => ({ project: "hello-gateway", stack, organization: "acme" });
        const dev = parseConfig(rawFromStackFile("dev"), identity("dev")) as GatewayConfig;
        const prod = parseConfig(rawFromStackFile("prod"), identity("prod")) as GatewayConfig;
        expect(prod.logRetentionDays).to.be.greaterThan(dev.logRetentionDays);
        expect(dev.loggingLevel).to.equal("INFO");
        expect(prod.loggingLevel).to.equal("ERROR");
        expect(prod.throttle.rateLimit).to.be.greaterThan(dev.throttle.rateLimit);
        expect(prod.throttle.burstLimit).to.be.greaterThan(dev.throttle.burstLimit);
    });
});
