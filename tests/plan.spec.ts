import { expect } from "chai";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { RecordedResource, ResourceGraph } from "../tools/resource-graph";
import {
    architectureDiagramOf,
    EnvironmentPlan,
    EXIT,
    GatewayOnlyPlan,
    planGatewayStack,
    planTree,
    renderTree,
    main,
    mermaidOf,
    PLACEHOLDER_NOTICE,
    planEnvironment,
    PlanIo,
    renderPlan,
} from "../tools/plan";
import { REPO_ROOT } from "../tools/stack-files";
import { gatewayConfigOf, lineOf, originConfigOf, runStack, SINGLE_INSTANCE } from "./support";

interface CliResult {
    code: number | null;
    stdout: string;
    stderr: string;
}

/** `npm run plan` as a user runs it: a separate process through tsx. */
function runCli(args: readonly string[]): Promise<CliResult> {
    return new Promise((resolve) => {
        execFile(
            process.execPath,
            [require.resolve("tsx/cli"), path.join("tools", "plan.ts"), ...args],
            { cwd: REPO_ROOT, timeout: 30_000 },
            (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr }),
        );
    });
}

/** Captures what `main` prints. */
function captureIo(): PlanIo & { out: string; err: string } {
    const io = {
        out: "",
        err: "",
        cwd: REPO_ROOT,
        stdout: (text: string) => {
            io.out += text;
        },
        stderr: (text: string) => {
            io.err += text;
        },
    };
    return io;
}

/** The key-property lines printed under the resource line that names `name`, up to the next resource. */
function propertiesOf(text: string, name: string): string[] {
    const lines = text.split("\n");
    const start = lines.findIndex((line) => /^ [+>] /.test(line) && line.split(/\s+/).includes(name));
    expect(start, `no resource line for ${name}`).to.be.greaterThan(-1);
    const properties: string[] = [];
    for (const line of lines.slice(start + 1)) {
        if (!/^ {4}[│ ]*\S+: /.test(line)) {
            break;
        }
        properties.push(line.replace(/^[\s│]+/, ""));
    }
    return properties;
}

/** The text of every `<text>` element of an SVG, XML entities decoded (Graphviz writes `-` as `&#45;`). */
function svgTexts(svg: string): string[] {
    return [...svg.matchAll(/<text\b[^>]*>([^<]*)<\/text>/g)].map((match) =>
        match[1]
            .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
            .replace(/&lt;/g, "<")
            .replace(/&gt;/g, ">")
            .replace(/&quot;/g, '"')
            .replace(/&amp;/g, "&"),
    );
}

const FIXTURE_ROOT = path.join(REPO_ROOT, "tests", "fixtures", "plan");

let ownKeyRun: Promise<EnvironmentPlan> | undefined;
/** The fixture environment `ownkey` (tests/fixtures/plan), planned once for the specs that read it. */
function ownKeyPlan(): Promise<EnvironmentPlan> {
    return (ownKeyRun ??= planEnvironment("ownkey", { root: FIXTURE_ROOT }));
}

function sectionOf(text: string, stack: string): string {
    const start = text.indexOf(`\nStack ${stack} (`);
    expect(start, `no section for stack ${stack}`).to.be.greaterThan(-1);
    const next = text.indexOf("\nStack ", start + 1);
    return text.slice(start, next === -1 ? undefined : next);
}

describe("npm run plan (offline plan of an environment)", () => {
    const tempDirs: string[] = [];
    const tempDir = () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hello-gateway-plan-"));
        tempDirs.push(dir);
        return dir;
    };
    let usageCli: Promise<CliResult>;
    let usageCliOut: string;
    let outDir: string;
    let io: ReturnType<typeof captureIo>;
    let exitCode: number;
    let plan: EnvironmentPlan;
    let printed: string;
    // Expectations come from the stack files under test, so a user's own values pass too.
    const originConfig = originConfigOf("dev-origin");
    const gatewayConfig = gatewayConfigOf("dev");
    const throttleText = `throttle ${gatewayConfig.throttle.rateLimit} req/s, burst ${gatewayConfig.throttle.burstLimit}`;

    before(async () => {
        // The process test starts first and overlaps the in-process run: the usage check never
        // loads the Pulumi SDK, so it costs only the start of tsx.
        usageCliOut = path.join(tempDir(), "never");
        usageCli = runCli(["staging", "--out", usageCliOut]);
        // `npm run plan -- dev` in-process, with the output in a temporary directory.
        outDir = path.join(tempDir(), "dev");
        io = captureIo();
        exitCode = await main(["dev", "--out", outDir], {
            io,
            planner: async (env, options) => (plan = await planEnvironment(env, options)),
        });
        printed = renderPlan(plan);
    });

    after(async () => {
        await usageCli;
        for (const dir of tempDirs) {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("prints the plan, exits 0 and writes plan.txt, the Mermaid file and an SVG picture", () => {
        expect(io.err).to.equal("");
        expect(exitCode).to.equal(EXIT.ok);
        expect(io.out.startsWith(printed)).to.equal(true);
        expect(io.out).to.contain(`${path.join(outDir, "architecture.svg")} (picture)`);
        expect(fs.readFileSync(path.join(outDir, "plan.txt"), "utf8")).to.equal(printed);
        expect(fs.readFileSync(path.join(outDir, "architecture.mmd"), "utf8")).to.equal(plan.mermaid);
        const svg = fs.readFileSync(path.join(outDir, "architecture.svg"), "utf8");
        expect(svg).to.match(/<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
        expect(svg.trimEnd().endsWith("</svg>")).to.equal(true);
        expect(svgTexts(svg)).to.include.members([
            `Stage ${gatewayConfig.stageName}`,
            throttleText,
            `EC2 ${originConfig.instanceType}`,
            "Stack dev-origin (origin)",
            "Stack dev (gateway)",
            "organization/hello-gateway/dev-origin",
        ]);
        expect(svg).not.to.contain("PRIVATE KEY");
    });

    it("plans both stacks of dev from the committed config, and says IDs and addresses are placeholders", () => {
        expect([plan.origin.stack, plan.gateway.stack]).to.deep.equal(["dev-origin", "dev"]);
        expect(printed).to.contain(PLACEHOLDER_NOTICE);
        expect(printed.indexOf("\nStack dev-origin (origin)")).to.be.lessThan(printed.indexOf("\nStack dev (gateway)"));
    });

    it("shows the origin's instance type and the gateway's stage, throttling and log retention", () => {
        expect(propertiesOf(sectionOf(printed, "dev-origin"), "hello-dev-instance")).to.include(`instanceType: ${originConfig.instanceType}`);
        const gateway = sectionOf(printed, "dev");
        expect(propertiesOf(gateway, "hello-gateway-dev-stage")).to.include(`stageName: ${gatewayConfig.stageName}`);
        expect(propertiesOf(gateway, "hello-gateway-dev-method-settings")).to.include.members([
            `throttlingRateLimit: ${gatewayConfig.throttle.rateLimit}`,
            `throttlingBurstLimit: ${gatewayConfig.throttle.burstLimit}`,
        ]);
        for (const group of ["hello-gateway-dev-access-logs", "hello-gateway-dev-execution-logs"]) {
            expect(propertiesOf(gateway, group)).to.include(`retentionInDays: ${gatewayConfig.logRetentionDays}`);
        }
    });

    it("wires the gateway to the origin: both integration URIs are the origin run's originUrl output", () => {
        const originUrl = plan.origin.run.outputs.originUrl as string;
        const eip = plan.origin.run.resources.find((resource) => resource.type === "aws:ec2/eip:Eip");
        expect(originUrl).to.equal(`https://${eip?.state.publicDns}/`);
        const gateway = sectionOf(printed, "dev");
        for (const integration of ["hello-gateway-dev-root-get-integration", "hello-gateway-dev-hello-get-integration"]) {
            expect(propertiesOf(gateway, integration)).to.include(`uri: ${originUrl}`);
        }
        expect(propertiesOf(gateway, "origin")).to.deep.equal(["name: organization/hello-gateway/dev-origin"]);
    });

    it("nests resources under their components, marks the reference as a read, and shows recorded resource options", () => {
        const webServer = plan.origin.tree.children.find((node) => node.type === "hello-gateway:infra:WebServer");
        expect(webServer?.children.map((node) => node.name)).to.include("hello-dev-instance");
        const reference = plan.gateway.tree.children.find((node) => node.type === "pulumi:pulumi:StackReference");
        expect(reference?.operation).to.equal("read");
        const lines = printed.split("\n").filter((line) => /^ [+>] /.test(line));
        expect(lines.find((line) => line.includes(" hello-dev-instance "))).to.match(/├─ aws:ec2\/instance:Instance .* create {2}\[ignoreChanges: ami\]$/);
        expect(lines.find((line) => line.includes(" apigateway-cloudwatch-account "))).to.match(/\[retainOnDelete\]$/);
        expect(lines.find((line) => line.includes(" origin "))).to.match(/^ > .* read$/);
    });

    it("prints each stack's outputs, the gateway's invokeUrl first", () => {
        const outputLines = (stack: string) => {
            const section = sectionOf(printed, stack);
            return section.slice(section.indexOf("\nOutputs:\n") + "\nOutputs:\n".length).split("\n").filter((line) => line.startsWith("    "));
        };
        expect(outputLines("dev")[0]).to.equal(`    invokeUrl: "${plan.gateway.run.outputs.invokeUrl}"`);
        expect(outputLines("dev")[0]).to.match(/^ {4}invokeUrl: "https:\/\/\w+\.execute-api\.[a-z0-9-]+\.amazonaws\.com\//);
        expect(outputLines("dev")[0]).to.contain(`.execute-api.${gatewayConfig.region}.amazonaws.com/${gatewayConfig.stageName}/`);
        expect(outputLines("dev-origin")).to.include(`    originUrl: "${plan.origin.run.outputs.originUrl}"`);
    });

    it("never prints the generated SSH private key: the connections show [secret]", () => {
        const key = plan.origin.run.resources.find((resource) => resource.type === "tls:index/privateKey:PrivateKey");
        const privateKey = key?.state.privateKeyOpenssh as string;
        expect(privateKey).to.contain("PRIVATE KEY");
        const keyBody = privateKey.split("\n")[1];
        for (const text of [printed, plan.mermaid]) {
            expect(text).not.to.contain(keyBody);
            expect(text).not.to.contain("PRIVATE KEY");
        }
        expect(propertiesOf(sectionOf(printed, "dev-origin"), "hello-dev-install-httpd")).to.include("connection: [secret]");
    });

    it("draws a Mermaid flowchart from the runs: both stacks, the VPC, the StackReference edge, stage and throttling", () => {
        const mermaid = plan.mermaid;
        expect(mermaid.split("\n")[0]).to.equal("flowchart LR");
        expect(mermaid).to.match(/subgraph gateway_stack\["Stack dev \(gateway\)"\]/);
        expect(mermaid).to.match(/subgraph origin_stack\["Stack dev-origin \(origin\)"\]/);
        expect(mermaid).to.contain(`subgraph vpc["VPC ${originConfig.vpcCidr}`);
        expect(mermaid).to.contain(`Stage ${gatewayConfig.stageName}<br/>${throttleText}`);
        expect(mermaid).to.contain(`EC2 ${originConfig.instanceType}`);
        expect(mermaid).to.contain("origin_stack -.->|\"outputs\"| stack_reference");
        // Both default routes proxy to the origin's root: one route node, one edge labelled with that path.
        expect(mermaid).to.match(/route_1 -->\|"\/"\| eip/);
        expect(mermaid).to.contain(`("CloudWatch access logs<br/>retention ${gatewayConfig.logRetentionDays} days")`);

        // Well formed: every subgraph closed, every edge between declared nodes or subgraphs.
        const lines = mermaid.split("\n").map((line) => line.trim());
        expect(lines.filter((line) => line.startsWith("subgraph ")).length).to.equal(lines.filter((line) => line === "end").length);
        const declared = new Set(lines.map((line) => /^(?:subgraph )?(\w+)[[({]/.exec(line)?.[1]).filter(Boolean));
        for (const edge of lines.filter((line) => / -\.?->/.test(line))) {
            const [from, to] = [edge.split(" ")[0], edge.split(" ").pop() ?? ""];
            expect(declared.has(from) && declared.has(to), edge).to.equal(true);
        }
    });

    it("follows the configuration: another stage name and throttle change the diagram", async () => {
        // Only the gateway changes, so only the gateway runs again, against the planned origin.
        // A stage name other than the stack file's, whatever that is.
        const stageName = `${gatewayConfig.stageName}2`;
        const gateway = await runStack("dev", {
            overrides: { stageName, throttleRateLimit: "7", throttleBurstLimit: "9" },
            stackOutputs: { [plan.originReference]: plan.origin.run.outputs },
        });
        const mermaid = mermaidOf(architectureDiagramOf("dev", plan.origin.run, gateway));
        expect(mermaid).to.contain(`Stage ${stageName}<br/>throttle 7 req/s, burst 9`);
        expect(mermaid).to.match(new RegExp(`client -->\\|"HTTPS /${stageName}/[^"]*"\\| stage`));
        expect(mermaid).not.to.contain(`Stage ${gatewayConfig.stageName}<br/>`);
    });

    it("draws custom domain and WAF in front of the stage and lists resource types it does not draw", () => {
        const extra = (type: string, name: string, inputs: Record<string, unknown>): RecordedResource => ({
            type,
            name,
            id: name,
            urn: `urn:pulumi:dev::hello-gateway::${type}::${name}`,
            custom: true,
            read: false,
            inputs,
            state: inputs,
            parentUrn: "",
            dependencyUrns: [],
            propertyDependencies: {},
            retainOnDelete: false,
            protect: false,
            ignoreChanges: [],
            customTimeouts: undefined,
            replacementTrigger: undefined,
        });
        const resources = [
            ...plan.gateway.run.resources,
            extra("aws:apigateway/domainName:DomainName", "domain", { domainName: "api.example.com" }),
            extra("aws:wafv2/webAcl:WebAcl", "acl", { rules: [{}, {}] }),
            extra("aws:sqs/queue:Queue", "queue", {}),
        ];
        const gateway = { ...plan.gateway.run, resources, graph: new ResourceGraph(resources) };
        const mermaid = mermaidOf(architectureDiagramOf("dev", plan.origin.run, gateway));
        expect(mermaid).to.contain("client -->|\"HTTPS\"| custom_domain");
        expect(mermaid).to.contain("custom_domain --> waf");
        expect(mermaid).to.contain("waf --> stage");
        expect(mermaid).to.contain("Custom domain api.example.com");
        expect(mermaid).to.contain("1 × aws:sqs/queue:Queue");
    });

    it("plans a stack whose own SSH private key is encrypted: read as a secret it cannot see, with a note that preview checks it", async () => {
        const ownKey = await ownKeyPlan();
        const text = renderPlan(ownKey);
        const [note] = ownKey.notes.filter((line) => line.includes("Pulumi.ownkey-origin.yaml"));
        expect(note).to.contain("hello-gateway:sshPrivateKey");
        expect(note).to.contain("not decrypted offline");
        expect(note).to.contain("pulumi preview --stack ownkey-origin");
        expect(text).to.contain(`Note: ${note}`);
        // The user's key pair is imported, so no key is generated, and provisioning uses the secret.
        const resources = ownKey.origin.run.resources;
        const sshKeys = resources.filter((resource) => resource.type === "tls:index/privateKey:PrivateKey" && resource.inputs.algorithm === "ED25519");
        expect(sshKeys.map((resource) => resource.name)).to.deep.equal([]);
        const keyPair = resources.find((resource) => resource.type === "aws:ec2/keyPair:KeyPair");
        expect(keyPair?.inputs.publicKey).to.equal(originConfigOf("ownkey-origin", FIXTURE_ROOT).sshKey?.publicKey);
        expect(propertiesOf(sectionOf(text, "ownkey-origin"), "hello-ownkey-install-httpd")).to.include("connection: [secret]");
        expect(text).not.to.contain("v1:abc");
    });

    it("draws each route to the origin path it reaches, with its validated body model and its own throttle", async () => {
        const ownKey = await ownKeyPlan();
        const gatewayFixture = gatewayConfigOf("ownkey", FIXTURE_ROOT);
        const mermaid = ownKey.mermaid;
        const routeNode = (route: string) => {
            const line = mermaid.split("\n").find((candidate) => candidate.includes(`["${route}<br/>`));
            expect(line, `no node for ${route}`).not.to.equal(undefined);
            return { id: line!.trim().split("[")[0], text: line! };
        };
        // Every route is drawn into the origin, labelled with the origin path it proxies to.
        for (const route of gatewayFixture.routes) {
            const node = routeNode(`${route.method} ${route.path}`);
            expect(mermaid, `${route.method} ${route.path}`).to.contain(`${node.id} -->|"/${route.originPath}"| eip`);
        }
        const post = routeNode("POST /orders");
        expect(post.text).to.contain("body: schemas/order.json, validated");
        const [throttle] = gatewayFixture.routeThrottles;
        expect(post.text).to.contain(`route throttle ${throttle.rateLimit} req/s, burst ${throttle.burstLimit}`);
        expect(routeNode("GET /hello").text).not.to.contain("route throttle");
        // The tree shows the model the body is validated against.
        const model = ownKey.gateway.run.resources.find((resource) => resource.type === "aws:apigateway/model:Model");
        expect(propertiesOf(sectionOf(renderPlan(ownKey), "ownkey"), model!.name)).to.include.members(["contentType: application/json", "description: Request body of POST /orders"]);
        const postMethod = ownKey.gateway.run.resources.find((resource) => resource.type === "aws:apigateway/method:Method" && resource.inputs.httpMethod === "POST");
        expect(propertiesOf(sectionOf(renderPlan(ownKey), "ownkey"), postMethod!.name)).to.include(`requestModels: {application/json: ${model!.inputs.name}}`);
    });

    it("plans a gateway-only stack alone: `npm run plan -- onprem` reads no origin stack and draws its backend as external", async () => {
        const onprem = captureIo();
        const out = path.join(tempDir(), "onprem");
        let planned: GatewayOnlyPlan | undefined;
        const code = await main(["onprem", "--out", out], { io: onprem, gatewayPlanner: async (stack, options) => (planned = await planGatewayStack(stack, options)) });
        expect(onprem.err).to.equal("");
        expect(code).to.equal(EXIT.ok);
        expect(fs.readFileSync(path.join(out, "architecture.mmd"), "utf8")).to.equal(planned!.mermaid);
        const onpremConfig = gatewayConfigOf("onprem");
        expect(planned!.gateway.run.resources.filter((resource) => resource.type === "pulumi:pulumi:StackReference")).to.deep.equal([]);
        expect(planned!.mermaid).to.contain(`external_backend("External backend<br/>${new URL(onpremConfig.originUrl!).hostname}<br/>`);
        expect(planned!.mermaid).not.to.contain("origin_stack");
        expect(onprem.out).to.contain(`\nStack onprem (gateway): `);
    });

    it("draws a gateway-only fixture's routes to the external backend with their origin paths and body files", async () => {
        const backend = await planGatewayStack("backend", { root: FIXTURE_ROOT });
        const config = gatewayConfigOf("backend", FIXTURE_ROOT);
        for (const route of config.routes) {
            expect(backend.mermaid, `${route.method} ${route.path}`).to.match(new RegExp(`route_\\d+ -->\\|"/${route.originPath.replace(/[{}]/g, "\\$&")}"\\| external_backend`));
        }
        expect(backend.mermaid).to.contain("body: schemas/order.json, validated");
        expect(renderPlan(backend)).to.contain(`Wiring: backend reads no origin stack; originUrl ${config.originUrl}`);
    });

    it("draws a group-mode origin as builder -> image -> launch template -> Auto Scaling group in isolated subnets behind the NLB", async () => {
        const root = tempDir();
        fs.copyFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), path.join(root, "Pulumi.yaml"));
        fs.copyFileSync(path.join(REPO_ROOT, "tests", "fixtures", "fleet", "Pulumi.fleet-origin.yaml"), path.join(root, "Pulumi.fleet-origin.yaml"));
        const fleetConfig = originConfigOf("fleet-origin", root);
        const fleetRun = await runStack("fleet-origin", { root });
        const mermaid = mermaidOf(architectureDiagramOf("fleet", fleetRun, plan.gateway.run));
        const size = `${fleetConfig.fleet.minInstances}-${fleetConfig.fleet.maxInstances}`;
        expect(mermaid).to.contain(`ec2["Builder EC2 ${fleetConfig.instanceType}<br/>httpd, provisioned over SSH<br/>stopped between runs`);
        const zones = fleetRun.resources.find((resource) => resource.type === "awsx:ec2:Vpc")?.inputs.availabilityZoneNames as string[];
        expect(mermaid).to.contain(`subgraph isolated_subnets["isolated subnets × ${zones.length} AZs"]`);
        // The VPC's own title names both kinds of subnet it now has.
        expect(mermaid).to.match(/subgraph vpc\["VPC [^"]*public and isolated subnets, no NAT"\]/);
        expect(mermaid).to.contain(`fleet["Auto Scaling group, ${size} instances`);
        for (const edge of ["eip -->|\"associated\"| ec2", "ec2 -->|\"image taken\"| image", "image --> launch_template", `launch_template -->|"${size}"| fleet`]) {
            expect(mermaid).to.contain(edge);
        }
        expect(mermaid).to.match(/load_balancer -->\|"target TCP 443"\| fleet/);
        // The builder is off the request path: nothing routes from the NLB to it.
        expect(mermaid).not.to.match(/load_balancer -->.*\| ec2$/m);
        // A security group without egress rules reads `none` in the tree, not an empty string.
        const fleetTree = renderTree(planTree("hello-gateway", fleetRun)).join("\n");
        expect(fleetTree).to.contain("egress: none");
        expect(fleetTree).not.to.contain('egress: ""');
    });

    it("keeps the single-instance picture: a private origin with one instance has the NLB in front of that instance", async () => {
        const single = await runStack("prod-origin", { overrides: SINGLE_INSTANCE });
        const mermaid = mermaidOf(architectureDiagramOf("prod", single, plan.gateway.run));
        expect(mermaid).to.match(/load_balancer -->\|"target TCP 443"\| ec2/);
        expect(mermaid).to.contain(`ec2["EC2 ${originConfigOf("prod-origin").instanceType}<br/>`);
        expect(mermaid).not.to.contain("isolated_subnets");
        expect(mermaid).not.to.contain("fleet[");
    });

    it("reports a config error exactly as the program words it, with exit code 1 and no files", async () => {
        const overrides = { throttleBurstLimit: "-5" };
        const expected = await runStack("dev", { overrides }).then(
            () => expect.fail("the override should make the dev stack invalid"),
            (error: Error) => error.message,
        );
        expect(expected).to.match(/^Invalid configuration for stack "dev" \(1 problem\):\n {2}- hello-gateway:throttleBurstLimit: got "-5"/);
        const failed = captureIo();
        const out = path.join(tempDir(), "bad");
        const code = await main(["dev", "--out", out], { io: failed, planOptions: { configOverrides: { dev: overrides } } });
        expect(code).to.equal(EXIT.failed);
        expect(failed.err).to.equal(`${expected}\n`);
        expect(failed.out).to.equal("");
        expect(fs.existsSync(out)).to.equal(false);
    });

    it("reports a stack file the CLI would refuse (a value of the wrong type) verbatim, with exit code 1", async () => {
        const root = tempDir();
        for (const file of ["Pulumi.yaml", "Pulumi.dev-origin.yaml", "Pulumi.dev.yaml"]) {
            fs.copyFileSync(path.join(REPO_ROOT, file), path.join(root, file));
        }
        const stackFile = path.join(root, "Pulumi.dev-origin.yaml");
        // A list where Pulumi.yaml declares a string: the CLI refuses it before the program runs.
        fs.writeFileSync(stackFile, fs.readFileSync(stackFile, "utf8").replace(/instanceType: .*/, "instanceType: [t3.micro]"));
        const failed = captureIo();
        expect(await main(["dev", "--out", path.join(root, "out")], { io: failed, planOptions: { root } })).to.equal(EXIT.failed);
        expect(failed.err).to.equal(
            `Pulumi.dev-origin.yaml cannot be used (1 problem):\n  - Pulumi.dev-origin.yaml:${lineOf(stackFile, "instanceType")}: hello-gateway:instanceType: ["t3.micro"] is not of the declared type string (Pulumi.yaml)\n`,
        );
        expect(failed.out).to.equal("");
    });

    it("reports the problems of both stacks in one run: a broken origin does not hide the gateway's", async () => {
        const overrides = { "dev-origin": { vpcCidr: "not-a-cidr" }, dev: { throttleBurstLimit: "-5" } };
        const messageOf = (stack: string) =>
            runStack(stack, { overrides: overrides[stack as keyof typeof overrides] }).then(
                () => expect.fail(`the override should make ${stack} invalid`),
                (error: Error) => error.message.trimEnd(),
            );
        // One after the other: the mock runtime is one per process.
        const origin = await messageOf("dev-origin");
        const gateway = await messageOf("dev");
        const failed = captureIo();
        const code = await main(["dev", "--out", path.join(tempDir(), "both")], { io: failed, planOptions: { configOverrides: overrides } });
        expect(code).to.equal(EXIT.failed);
        expect(failed.err).to.equal(`${origin}\n\n${gateway}\n`);
    });

    it("reports a value of the wrong type together with the same stack's other problems", async () => {
        const root = tempDir();
        for (const file of ["Pulumi.yaml", "Pulumi.dev-origin.yaml", "Pulumi.dev.yaml"]) {
            fs.copyFileSync(path.join(REPO_ROOT, file), path.join(root, file));
        }
        const stackFile = path.join(root, "Pulumi.dev.yaml");
        const document = YAML.parseDocument(fs.readFileSync(stackFile, "utf8"));
        document.setIn(["config", "hello-gateway:throttleRateLimit"], "ten");
        document.setIn(["config", "hello-gateway:loggingLevel"], "DEBUG");
        fs.writeFileSync(stackFile, document.toString());
        const failed = captureIo();
        expect(await main(["dev", "--out", path.join(root, "out")], { io: failed, planOptions: { root } })).to.equal(EXIT.failed);
        expect(failed.err).to.contain("Pulumi.dev.yaml cannot be used (2 problems)");
        expect(failed.err).to.contain(`Pulumi.dev.yaml:${lineOf(stackFile, "throttleRateLimit")}: hello-gateway:throttleRateLimit: "ten" is not of the declared type integer`);
        expect(failed.err).to.contain('Pulumi.dev.yaml: hello-gateway:loggingLevel: got "DEBUG"; expected one of INFO, ERROR, OFF');
    });

    it("a failed plan removes that environment's earlier plan files, so no stale picture is left", async () => {
        const out = path.join(tempDir(), "stale");
        fs.mkdirSync(out);
        const earlier = ["plan.txt", "architecture.mmd", "architecture.svg"].map((file) => path.join(out, file));
        earlier.forEach((file) => fs.writeFileSync(file, "an earlier plan"));
        fs.writeFileSync(path.join(out, "notes.md"), "the user's own file");
        const failed = captureIo();
        const code = await main(["dev", "--out", out], { io: failed, planOptions: { configOverrides: { dev: { throttleBurstLimit: "-5" } } } });
        expect(code).to.equal(EXIT.failed);
        expect(earlier.filter((file) => fs.existsSync(file))).to.deep.equal([]);
        expect(fs.readFileSync(path.join(out, "notes.md"), "utf8")).to.equal("the user's own file");
    });

    it("--help prints the usage and exits 0 without planning", async () => {
        const help = captureIo();
        let planned = false;
        const code = await main(["--help"], { io: help, planner: async () => ((planned = true), expect.fail("--help must not plan")) });
        expect(code).to.equal(EXIT.ok);
        expect(planned).to.equal(false);
        expect(help.out.split("\n")[0]).to.equal("usage: npm run plan -- <dev|prod|onprem|chat> [--out <dir>]");
        expect(help.err).to.equal("");
    });

    it("refuses an unknown environment, a missing one and extra arguments with one line and exit code 2", async () => {
        for (const argv of [[], ["dev", "prod"], ["dev", "--verbose"], ["dev", "--out"]]) {
            const refused = captureIo();
            expect(await main(argv, { io: refused }), argv.join(" ")).to.equal(EXIT.usage);
            expect(refused.err.trimEnd().split("\n"), argv.join(" ")).to.have.length(1);
            expect(refused.err).to.match(/^error: .*usage: npm run plan -- <dev\|prod\|onprem\|chat>/);
            expect(refused.out).to.equal("");
        }
        // As a process: exit status 2, one line, no stack trace, nothing written.
        const result = await usageCli;
        expect(result.code).to.equal(EXIT.usage);
        expect(result.stderr).to.equal(
            'error: unknown environment "staging": expected one of dev, prod, onprem, chat (usage: npm run plan -- <dev|prod|onprem|chat> [--out <dir>])\n',
        );
        expect(result.stdout).to.equal("");
        expect(fs.existsSync(usageCliOut)).to.equal(false);
    });
});
