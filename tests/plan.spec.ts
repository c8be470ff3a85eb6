import { expect } from "chai";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { ResourceGraph } from "../tools/resource-graph";
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
import { AMAZON_LINUX_LAYOUT, ORIGIN_HTTPS_PORT, provisioningScript, siteFiles, sitePaths } from "../infra/httpd";
import { labelCollisions, layoutOf, PIXELS_PER_POINT } from "../tools/plan/layout";
import { heredocFiles } from "../tools/plan/origin-files";
import { RESOURCE_WORDS } from "../tools/plan/resource-words";
import { extra, gatewayConfigOf, lineOf, originConfigOf, runStack, SINGLE_INSTANCE } from "./support";

interface CliResult {
    code: number | null;
    stdout: string;
    stderr: string;
}

/**
 * `npm run plan` as a process: the entry `tsx tools/plan.ts` runs, through tsx's require hook
 * rather than its launcher (which starts a second node process and costs twice the time).
 */
function runCli(args: readonly string[]): Promise<CliResult> {
    return new Promise((resolve) => {
        execFile(
            process.execPath,
            ["--require", "tsx/cjs", path.join("tools", "plan.ts"), ...args],
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

let backendRun: Promise<GatewayOnlyPlan> | undefined;
/** The gateway-only fixture `backend` (tests/fixtures/plan), planned once for the specs that read it. */
function backendPlan(): Promise<GatewayOnlyPlan> {
    return (backendRun ??= planGatewayStack("backend", { root: FIXTURE_ROOT }));
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
        usageCli = runCli(["stagin", "--out", usageCliOut]);
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
        // Not "the committed config": a user's uncommitted edits are what it plans.
        expect(printed).to.contain("run offline on Pulumi's mock runtime with the stack files as they are.");
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

    it("says when the origin's client certificate would expire: created on the plan's day plus 365 days, and how to rotate", () => {
        const today = new Date("2026-12-05T10:00:00Z");
        const text = renderPlan(plan, today);
        const certificates = plan.origin.run.resources.filter((resource) => resource.type === "aws:apigateway/clientCertificate:ClientCertificate").length;
        expect(certificates).to.be.greaterThan(0);
        const originSection = text.slice(text.indexOf(`Stack ${plan.origin.stack} (origin)`), text.indexOf(`Stack ${plan.gateway.stack} (gateway)`));
        expect(originSection).to.contain(
            `Client certificate expiry: ${certificates} API Gateway client certificate(s) to create, each valid 365 days from when AWS generates it: created today (2026-12-05), it expires on 2027-12-05; rotate before then with npm run rotate-client-certificate -- dev.`,
        );
        // The gateway presents the origin's certificate and creates none of its own.
        expect(text.slice(text.indexOf(`Stack ${plan.gateway.stack} (gateway)`))).to.not.contain("Client certificate expiry");
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
        expect(mermaid.split("\n")[0]).to.equal("flowchart TB");
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

    /** `npm run plan -- onprem` in-process, once: what it printed and wrote, and the plan. */
    let onpremRun: Promise<{ code: number; io: ReturnType<typeof captureIo>; out: string; planned: GatewayOnlyPlan | undefined }> | undefined;
    const planOnprem = () =>
        (onpremRun ??= (async () => {
            const io = captureIo();
            const out = path.join(tempDir(), "onprem");
            let planned: GatewayOnlyPlan | undefined;
            const code = await main(["onprem", "--out", out], { io, gatewayPlanner: async (stack, options) => (planned = await planGatewayStack(stack, options)) });
            return { code, io, out, planned };
        })());

    it("plans a gateway-only stack alone: `npm run plan -- onprem` reads no origin stack and draws its backend as external", async () => {
        const { code, io: onprem, out, planned } = await planOnprem();
        expect(onprem.err).to.equal("");
        expect(code).to.equal(EXIT.ok);
        expect(fs.readFileSync(path.join(out, "architecture.mmd"), "utf8")).to.equal(planned!.mermaid);
        const onpremConfig = gatewayConfigOf("onprem");
        expect(planned!.gateway.run.resources.filter((resource) => resource.type === "pulumi:pulumi:StackReference")).to.deep.equal([]);
        expect(planned!.mermaid).to.contain(`external_backend("External backend<br/>${new URL(onpremConfig.originUrl!).hostname}<br/>`);
        expect(planned!.mermaid).not.to.contain("origin_stack");
        expect(onprem.out).to.contain(`\nStack onprem (gateway): `);
    });

    it("says when a gateway-only stack's own client certificate would expire, without the origin's rotate command", async () => {
        const backend = await backendPlan();
        const text = renderPlan(backend, new Date("2027-03-01T00:00:00Z"));
        expect(text).to.contain("created today (2027-03-01), it expires on 2028-02-29.");
        expect(text).to.not.contain("rotate-client-certificate");
    });

    it("draws a gateway-only fixture's routes to the external backend with their origin paths and body files", async () => {
        const backend = await backendPlan();
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
        const line = lineOf(path.join(REPO_ROOT, "Pulumi.dev.yaml"), "throttleBurstLimit");
        expect(expected).to.match(new RegExp(`^Invalid configuration for stack "dev" \\(1 problem\\):\\n {2}- Pulumi\\.dev\\.yaml:${line}: hello-gateway:throttleBurstLimit: got "-5"`));
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
            `Invalid configuration for stack "dev-origin" (1 problem):\n  - Pulumi.dev-origin.yaml:${lineOf(stackFile, "instanceType")}: hello-gateway:instanceType: ["t3.micro"] is not of the declared type string (Pulumi.yaml)\nSet a value with \`pulumi config set <key> <value> --stack dev-origin\` or edit Pulumi.dev-origin.yaml.\n`,
        );
        expect(failed.out).to.equal("");
    });

    it("reports the problems of both stacks in one report, each line as the program words it: a broken origin does not hide the gateway's", async () => {
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
        const problemLines = (message: string) => message.split("\n").filter((line) => line.startsWith("  - "));
        expect(problemLines(origin)).to.have.length(1);
        expect(problemLines(gateway)).to.have.length(1);
        expect(failed.err).to.equal(
            [
                'Invalid configuration for stacks "dev-origin" and "dev" (2 problems):',
                ...problemLines(origin),
                ...problemLines(gateway),
                "Set a value with `pulumi config set <key> <value> --stack <stack>` or edit the stack file each line names.",
                "",
            ].join("\n"),
        );
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
        expect(failed.err).to.contain('Invalid configuration for stack "dev" (2 problems)');
        expect(failed.err).to.contain(`Pulumi.dev.yaml:${lineOf(stackFile, "throttleRateLimit")}: hello-gateway:throttleRateLimit: "ten" is not of the declared type integer`);
        expect(failed.err).to.contain(`Pulumi.dev.yaml:${lineOf(stackFile, "loggingLevel")}: hello-gateway:loggingLevel: got "DEBUG"; expected one of INFO, ERROR, OFF`);
    });

    it("a failed plan removes that environment's earlier plan files, so no stale picture is left", async () => {
        const out = path.join(tempDir(), "stale");
        fs.mkdirSync(out);
        const earlier = ["plan.txt", "architecture.mmd", "architecture.svg", "origin-files/files/var/www/html/index.html"].map((file) => path.join(out, file));
        earlier.forEach((file) => {
            fs.mkdirSync(path.dirname(file), { recursive: true });
            fs.writeFileSync(file, "an earlier plan");
        });
        fs.writeFileSync(path.join(out, "notes.md"), "the user's own file");
        const failed = captureIo();
        const code = await main(["dev", "--out", out], { io: failed, planOptions: { configOverrides: { dev: { throttleBurstLimit: "-5" } } } });
        expect(code).to.equal(EXIT.failed);
        expect(earlier.filter((file) => fs.existsSync(file))).to.deep.equal([]);
        expect(fs.existsSync(path.join(out, "origin-files"))).to.equal(false);
        expect(fs.readFileSync(path.join(out, "notes.md"), "utf8")).to.equal("the user's own file");
    });

    it("--help prints the usage and exits 0 without planning", async () => {
        const help = captureIo();
        let planned = false;
        const code = await main(["--help"], { io: help, planner: async () => ((planned = true), expect.fail("--help must not plan")) });
        expect(code).to.equal(EXIT.ok);
        expect(planned).to.equal(false);
        expect(help.out.split("\n")[0]).to.equal("usage: npm run plan -- <dev|prod|prod-http|onprem|chat> [--out <dir>]");
        expect(help.err).to.equal("");
    });

    it("refuses an unknown environment, a missing one and extra arguments with one line and exit code 2", async () => {
        for (const argv of [[], ["dev", "prod"], ["dev", "--verbose"], ["dev", "--out"]]) {
            const refused = captureIo();
            expect(await main(argv, { io: refused }), argv.join(" ")).to.equal(EXIT.usage);
            expect(refused.err.trimEnd().split("\n"), argv.join(" ")).to.have.length(1);
            expect(refused.err).to.match(/^error: .*usage: npm run plan -- <dev\|prod\|prod-http\|onprem\|chat>/);
            expect(refused.out).to.equal("");
        }
        // As a process: exit status 2, one line, no stack trace, nothing written.
        const result = await usageCli;
        expect(result.code).to.equal(EXIT.usage);
        expect(result.stderr).to.equal(
            'error: unknown environment "stagin": expected one of dev, prod, prod-http, onprem, chat (usage: npm run plan -- <dev|prod|prod-http|onprem|chat> [--out <dir>])\n',
        );
        expect(result.stdout).to.equal("");
        expect(fs.existsSync(usageCliOut)).to.equal(false);
    });
    describe("a page a person can read", () => {
        /** What `npm run plan -- <env>` wrote, with the plan it printed. */
        interface Written {
            readonly env: string;
            readonly out: string;
            readonly plan: EnvironmentPlan | GatewayOnlyPlan;
        }
        const written: Written[] = [];
        /** Readable at page width: an SVG shown at 100 % draws a point as 4/3 of a pixel. */
        const PAGE_WIDTH_PX = 1200;
        const svgOfEnv = (entry: Written) => fs.readFileSync(path.join(entry.out, "architecture.svg"), "utf8");
        const originFile = (entry: Written, file: string) => path.join(entry.out, "origin-files", file);
        /** A Pulumi type token: `aws:ec2/eip:Eip`, `awsx:ec2:Vpc`. */
        const typeToken = /\b[\w-]+:[\w-]+(\/[\w-]+)?:[A-Z]\w*/;

        before(async () => {
            written.push({ env: "dev", out: outDir, plan });
            const out = path.join(tempDir(), "prod");
            let planned: EnvironmentPlan | undefined;
            const code = await main(["prod", "--out", out], { io: captureIo(), planner: async (name, options) => (planned = await planEnvironment(name, options)) });
            expect(code, "prod").to.equal(EXIT.ok);
            written.push({ env: "prod", out, plan: planned! });
            // prod-http draws its HTTP API with its own code: the same page rules hold for it.
            const httpOut = path.join(tempDir(), "prod-http");
            let httpPlanned: EnvironmentPlan | undefined;
            const httpCode = await main(["prod-http", "--out", httpOut], { io: captureIo(), planner: async (name, options) => (httpPlanned = await planEnvironment(name, options)) });
            expect(httpCode, "prod-http").to.equal(EXIT.ok);
            written.push({ env: "prod-http", out: httpOut, plan: httpPlanned! });
            // The same `npm run plan -- onprem` the gateway-only spec above reads.
            const onprem = await planOnprem();
            expect(onprem.code, "onprem").to.equal(EXIT.ok);
            written.push({ env: "onprem", out: onprem.out, plan: onprem.planned! });
        });

        it("draws every environment top to bottom, at most 1200 px wide at 100 %", () => {
            for (const entry of written) {
                const svg = svgOfEnv(entry);
                const [, width, height] = /<svg[^>]*\bwidth="([\d.]+)pt"[^>]*\bheight="([\d.]+)pt"/.exec(svg) ?? [];
                expect(Number(width) * PIXELS_PER_POINT, `${entry.env}: ${width} x ${height} pt`).to.be.at.most(PAGE_WIDTH_PX);
                expect(Number(height), `${entry.env}: taller than wide`).to.be.greaterThan(Number(width));
            }
        });

        it("draws no edge label over a node, a title or another label, and no edge through a title", async () => {
            for (const entry of written) {
                const layout = await layoutOf(entry.plan.diagram);
                expect(layout.titles.length, entry.env).to.be.greaterThan(0);
                expect(labelCollisions(layout), entry.env).to.deep.equal([]);
            }
        });

        it("prod-http: each function writes its own log group, the stage's alarms are drawn, and the StackReference says what it hands the VPC link", () => {
            const { plan: httpPlan } = written.find((entry) => entry.env === "prod-http")!;
            const nodes = httpPlan.diagram.groups.flatMap((group) => [...group.nodes, ...group.groups.flatMap((inner) => inner.nodes)]);
            const functionLogs = httpPlan.gateway.run.resources.filter(
                (resource) => resource.type === "aws:lambda/function:Function" && typeof (resource.inputs.loggingConfig as { logGroup?: unknown } | undefined)?.logGroup === "string",
            );
            expect(functionLogs, "prod-http's Lambda routes").to.have.length.greaterThan(0);
            for (const fn of functionLogs) {
                const fnNode = nodes.find((node) => node.lines[0] === `Lambda ${fn.inputs.name}`);
                const logNode = nodes.find((node) => node.lines[0] === "CloudWatch function logs (JSON)");
                expect(fnNode, `a node for ${fn.inputs.name}`).not.to.equal(undefined);
                expect(logNode, `a node for ${fn.inputs.name}'s log group, named for what it holds`).not.to.equal(undefined);
                expect(httpPlan.diagram.edges).to.deep.include({ from: fnNode!.id, to: logNode!.id, dashed: true, label: "logs" });
            }
            const alarms = httpPlan.gateway.run.resources.filter((resource) => resource.type === "aws:cloudwatch/metricAlarm:MetricAlarm");
            expect(alarms, "prod-http's stage alarms").to.have.length.greaterThan(0);
            const alarmNode = nodes.find((node) => node.lines[0] === `CloudWatch: ${alarms.length} alarms`);
            expect(alarmNode, "a node for the gateway's alarms").not.to.equal(undefined);
            expect(httpPlan.diagram.edges).to.deep.include({ from: "stage", to: alarmNode!.id, dashed: true, label: "alarms" });
            const reference = nodes.find((node) => node.id === "stack_reference");
            expect(reference?.lines).to.include("originNlbListenerArn → the VPC link");
            expect(httpPlan.diagram.edges.filter((edge) => edge.from === "stack_reference"), "no edge up through the API").to.deep.equal([]);
        });

        it("lists what a diagram does not draw instead of dropping it: a WAF web ACL in an HTTP API stack, prod's flow-log group", () => {
            const http = written.find((entry) => entry.env === "prod-http")!.plan as EnvironmentPlan;
            const resources = [...http.gateway.run.resources, extra("aws:wafv2/webAcl:WebAcl", "acl", { rules: [] })];
            const withAcl = architectureDiagramOf("prod-http", http.origin.run, { ...http.gateway.run, graph: new ResourceGraph(resources) });
            const listed = (diagram: { groups: ReadonlyArray<{ nodes: ReadonlyArray<{ id: string; lines: readonly string[] }> }> }, id: string) =>
                diagram.groups.flatMap((group) => group.nodes).find((node) => node.id === id)?.lines ?? [];
            expect(listed(withAcl, "gateway_other")).to.include(`1 × ${RESOURCE_WORDS["aws:wafv2/webAcl:WebAcl"]}`);
            const prod = written.find((entry) => entry.env === "prod")!.plan as EnvironmentPlan;
            expect(prod.origin.run.resources.filter((resource) => resource.type === "aws:ec2/flowLog:FlowLog"), "prod's VPC flow log").to.have.length(1);
            expect(listed(prod.diagram, "origin_other")).to.include(`1 × ${RESOURCE_WORDS["aws:cloudwatch/logGroup:LogGroup"]}`);
        });

        it("prod-http with a custom domain: the node says where its certificate comes from and that Route 53 points at it", async () => {
            const http = written.find((entry) => entry.env === "prod-http")!.plan as EnvironmentPlan;
            const customDomainOf = async (overrides: Record<string, string>) => {
                const gateway = await runStack("prod-http", { overrides, stackOutputs: { [http.originReference]: http.origin.run.outputs } });
                const diagram = architectureDiagramOf("prod-http", http.origin.run, gateway);
                return diagram.groups.flatMap((group) => group.nodes).find((node) => node.id === "custom_domain")?.lines;
            };
            expect(await customDomainOf({ customDomainName: "api.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" })).to.deep.equal([
                "Custom domain api.example.com",
                "ACM certificate",
                "Route 53 alias",
                "TLS 1.2",
            ]);
            const certificateArn = `arn:aws:acm:${gatewayConfigOf("prod-http").region}:123456789012:certificate/01234567-89ab-cdef-0123-456789abcdef`;
            expect(await customDomainOf({ customDomainName: "api.example.com", certificateArn })).to.deep.equal(["Custom domain api.example.com", "certificate", "TLS 1.2"]);
        });

        it("says which log groups a KMS key encrypts, and that the key is kept on destroy", () => {
            let encryptedSeen = 0;
            for (const entry of written) {
                const gatewayGroup = entry.plan.diagram.groups.find((group) => group.id === "gateway_stack")!;
                const logNodes = gatewayGroup.nodes.filter((node) => node.shape === "cylinder");
                const groups = entry.plan.gateway.run.resources.filter((resource) => resource.type === "aws:cloudwatch/logGroup:LogGroup");
                const encrypted = groups.filter((group) => typeof group.inputs.kmsKeyId === "string");
                expect(logNodes, entry.env).to.have.length(groups.length);
                expect(logNodes.filter((node) => node.lines.includes("KMS-encrypted, key kept on destroy")), entry.env).to.have.length(encrypted.length);
                encryptedSeen += encrypted.length;
            }
            expect(encryptedSeen, "a committed environment with encrypted logs (prod)").to.be.greaterThan(0);
        });

        it("explains the welcome log group: API Gateway writes it once the account's role is set, so it is created first", () => {
            const welcome = plan.gateway.run.resources.find(
                (resource) =>
                    resource.type === "aws:cloudwatch/logGroup:LogGroup" &&
                    plan.gateway.run.resources.some((account) => account.type === "aws:apigateway/account:Account" && account.dependencyUrns.includes(resource.urn)),
            );
            expect(welcome, "the log group the account setting waits for").not.to.equal(undefined);
            const nodes = plan.diagram.groups.flatMap((group) => group.nodes);
            const node = nodes.find((candidate) => candidate.lines[0] === `Log group ${welcome!.inputs.name}`);
            expect(node, `a node for ${welcome!.inputs.name}`).not.to.equal(undefined);
            expect(node!.lines.join(" ")).to.contain("API Gateway writes here once the account's CloudWatch role is set; created first here so it has retention");
            expect(plan.diagram.edges).to.deep.include({ from: "account_logging", to: node!.id, dashed: true, label: "test message" });
        });

        it("has words for every resource type a committed stack registers (add missing ones to RESOURCE_WORDS)", () => {
            const runs = written.flatMap((entry) => ("origin" in entry.plan ? [entry.plan.origin.run, entry.plan.gateway.run] : [entry.plan.gateway.run]));
            // All but the stack itself and the project's own components, which create nothing themselves.
            const types = [...new Set(runs.flatMap((run) => run.resources.map((resource) => resource.type)))]
                .filter((type) => type !== "pulumi:pulumi:Stack" && !type.startsWith(`${plan.project}:`))
                .sort();
            expect(types).to.include.members(["aws:ec2/eip:Eip", "aws:apigateway/restApi:RestApi", "aws:autoscaling/group:Group"]);
            expect(types.filter((type) => RESOURCE_WORDS[type] === undefined), "type tokens without words in tools/plan/resource-words.ts").to.deep.equal([]);
        });

        it("names resources in words in the picture: no type token in any diagram", () => {
            for (const entry of written) {
                const texts = svgTexts(svgOfEnv(entry));
                expect(texts.filter((text) => typeToken.test(text)), entry.env).to.deep.equal([]);
                expect(texts, entry.env).to.include("Also in this stack:");
            }
            expect(svgTexts(svgOfEnv(written[0]))).to.include(`1 × ${RESOURCE_WORDS["aws:apigateway/clientCertificate:ClientCertificate"]}`);
        });

        it("says in words what each stack creates, in plan.txt", () => {
            for (const entry of written) {
                const text = fs.readFileSync(path.join(entry.out, "plan.txt"), "utf8");
                const stacks = "origin" in entry.plan ? [entry.plan.origin, entry.plan.gateway] : [entry.plan.gateway];
                for (const stack of stacks) {
                    const section = sectionOf(text, stack.stack).split("\n");
                    const start = section.findIndex((line) => line.startsWith("In words: "));
                    expect(start, `${entry.env} ${stack.stack}`).to.equal(2);
                    const block = section.slice(start, section.indexOf("", start)).join(" ").replace(/\s+/g, " ");
                    expect(block, stack.stack).not.to.match(typeToken);
                    const instances = stack.run.resources.filter((resource) => resource.type === "aws:ec2/instance:Instance").length;
                    const logGroups = stack.run.resources.filter((resource) => resource.type === "aws:cloudwatch/logGroup:LogGroup").length;
                    if (instances > 0) expect(block, stack.stack).to.contain(`${instances} × ${RESOURCE_WORDS["aws:ec2/instance:Instance"]}`);
                    if (logGroups > 0) expect(block, stack.stack).to.contain(`${logGroups} × ${RESOURCE_WORDS["aws:cloudwatch/logGroup:LogGroup"]}`);
                }
            }
        });

        it("writes what provisioning puts on the origin: the page with the stack's own message, the httpd config, the install script", () => {
            const paths = sitePaths(AMAZON_LINUX_LAYOUT);
            for (const entry of written.filter((candidate) => "origin" in candidate.plan)) {
                const environmentPlan = entry.plan as EnvironmentPlan;
                const message = originConfigOf(environmentPlan.origin.stack).helloMessage;
                const escaped = message.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
                expect(fs.readFileSync(originFile(entry, `files${paths.index}`), "utf8"), entry.env).to.equal(`${escaped}\n`);
                const siteConfig = fs.readFileSync(originFile(entry, `files${AMAZON_LINUX_LAYOUT.siteConfigPath}`), "utf8");
                expect(siteConfig, entry.env).to.contain(`SSLCertificateKeyFile ${paths.serverPrivateKey}`);
                expect(siteConfig, entry.env).to.contain("SSLVerifyClient require");
                // The install script is the registered command's, as the run recorded it.
                const command = environmentPlan.origin.run.resources.find((resource) => resource.type === "command:remote:Command" && resource.name.endsWith("-install-httpd"));
                const script = fs.readFileSync(originFile(entry, `commands/${command!.name}.sh`), "utf8");
                expect(script, entry.env).to.contain(`sudo tee ${paths.index} > /dev/null`);
                expect(script.split("\n"), entry.env).to.include(escaped);
            }
        });

        it("writes no private key: the server key and every secret show as a marker", () => {
            for (const entry of written.filter((candidate) => "origin" in candidate.plan)) {
                const environmentPlan = entry.plan as EnvironmentPlan;
                const keyBodies = environmentPlan.origin.run.resources
                    .filter((resource) => resource.type === "tls:index/privateKey:PrivateKey")
                    .flatMap((resource) => [resource.state.privateKeyPem, resource.state.privateKeyOpenssh])
                    .map((pem) => String(pem).split("\n")[1]);
                expect(keyBodies.length, entry.env).to.be.greaterThan(0);
                const root = path.join(entry.out, "origin-files");
                const files = (fs.readdirSync(root, { recursive: true }) as string[]).filter((file) => fs.statSync(path.join(root, file)).isFile());
                expect(files.length, entry.env).to.be.greaterThan(2);
                for (const file of files) {
                    const content = fs.readFileSync(path.join(root, file), "utf8");
                    expect(content, `${entry.env} ${file}`).not.to.contain("PRIVATE KEY");
                    for (const body of keyBodies) {
                        expect(content, `${entry.env} ${file}`).not.to.contain(body);
                    }
                }
                const serverKey = fs.readFileSync(originFile(entry, `files${sitePaths(AMAZON_LINUX_LAYOUT).serverPrivateKey}`), "utf8");
                expect(serverKey, entry.env).to.match(/^<secret: private key \([\w-]+\)>\n$/);
            }
        });

        it("reads every file the provisioning script writes, exactly as it writes it", () => {
            const pem = (label: string) => `-----BEGIN ${label}-----\nAAAA\n-----END ${label}-----\n`;
            // Every PEM a site may carry, the root that signed the server certificate included.
            const site = {
                helloMessage: originConfigOf("dev-origin").helloMessage,
                serverCertificatePem: pem("CERTIFICATE"),
                caCertificatePem: pem("CERTIFICATE"),
                serverPrivateKeyPem: pem("PRIVATE KEY"),
                trustedClientCertificatePems: [pem("CERTIFICATE")],
            };
            const expected = siteFiles(AMAZON_LINUX_LAYOUT, site, String(ORIGIN_HTTPS_PORT)).map((file) => ({ target: file.path, content: file.content }));
            expect(heredocFiles(provisioningScript(site))).to.deep.equal(expected);
        });
    });
});
