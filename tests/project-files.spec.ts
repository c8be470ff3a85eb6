import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { CONFIG_KEYS, DEFAULTS, RawConfig, parseConfig, rawConfigFrom } from "../infra/config";
import { REPO_ROOT, committedStacks, loadProject, loadStackConfig, projectSchemaProblems } from "../tools/stack-files";

function rawFromStackFile(stack: string): RawConfig {
    const { config, encryptedKeys } = loadStackConfig(stack);
    return rawConfigFrom(config, (key) => encryptedKeys.includes(key));
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

    it("documents every config key in the reference docs", () => {
        const docs = fs
            .readdirSync(path.join(REPO_ROOT, "docs"))
            .filter((file) => file.endsWith(".md"))
            .map((file) => fs.readFileSync(path.join(REPO_ROOT, "docs", file), "utf8"))
            .join("\n");
        for (const key of Object.keys(project.config)) {
            expect(docs, key).to.contain(`\`${key}\``);
        }
    });

    it("links the README to reference docs that exist", () => {
        const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
        const links = [...readme.matchAll(/\]\((docs\/[^)#]+)/g)].map((match) => match[1]);
        expect(links).to.include("docs/configuration.md");
        for (const link of links) {
            expect(fs.existsSync(path.join(REPO_ROOT, link)), link).to.equal(true);
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

    it("commits the two environments, prod's HTTP API variant, the onprem gateway and the chat WebSocket gateway, each stack setting aws:region and layer", () => {
        // A user's own environment (docs/deploying.md, "Adding an environment") may add more.
        expect(committedStacks()).to.include.members(["chat", "dev", "dev-origin", "onprem", "prod", "prod-http", "prod-origin"]);
        for (const stack of committedStacks()) {
            const { config, encryptedKeys } = loadStackConfig(stack);
            expect(config["aws:region"], stack).to.be.a("string");
            expect(config["hello-gateway:layer"], stack).to.equal(stack.endsWith("-origin") ? "origin" : "gateway");
            expect(encryptedKeys, stack).to.deep.equal([]);
        }
    });


    it("parses every committed stack without a config error", () => {
        for (const stack of committedStacks()) {
            expect(() => parseConfig(rawFromStackFile(stack), { project: "hello-gateway", stack, organization: "acme" }), stack).not.to.throw();
        }
    });

});
