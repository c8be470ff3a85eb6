import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { ORIGIN_STACK_SUFFIX } from "../infra/config";
import { REPO_ROOT, committedStacks, loadStackConfig } from "../tools/stack-files";
import { describeGatewayStacks } from "./suites/gateway-stacks";
import { describeHttpGatewayStacks } from "./suites/http-gateway-stacks";
import { describeOriginStacks } from "./suites/origin-stacks";
import { MOCK_ORGANIZATION } from "../tools/mock-runtime";
import { planEnvironment } from "../tools/plan/environment";
import { describeGatewayToOrigin } from "./suites/gateway-to-origin";
import { lineOf, originConfigOf, runStack, theOne } from "./support";

/**
 * The committed stack files are samples: the README's first deploy has a user put in their own
 * SSH range, limits, retention, message, instance type and region, and bring their own key.
 * This spec makes those edits to a copy of the four stack files, the way a user would (with a
 * YAML editor, so comments and the rest stay), and runs the same stack suites on the copy.
 * Nothing here reads a committed sample value: the edits set values of their own.
 */

const USER_REGION = "eu-west-1";
/** A key pair of the user's own; the private half is stored encrypted, as `pulumi config set --secret` does. */
const USER_PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFkN6n1yW2o3p4q5r6s7t8u9v0w1x2y3z4A5B6C7D8E9 me@laptop";
const ENCRYPTED_PRIVATE_KEY = { secure: "v1:Ttq2AvvlcTw6Wgzb:JsNq1J1pOQ/5i3uqw6m3YB0sB4U+T2M=" };

const ORIGIN_EDITS: Record<string, unknown> = {
    "aws:region": USER_REGION,
    "hello-gateway:sshAllowedCidrs": ["192.0.2.10/32"],
    "hello-gateway:helloMessage": "Hello from my own origin",
    "hello-gateway:vpcCidr": "10.77.0.0/16",
};
const EDITS_BY_STACK: Record<string, Record<string, unknown>> = {
    "dev-origin": {
        ...ORIGIN_EDITS,
        "hello-gateway:instanceType": "t3.small",
        "hello-gateway:sshPublicKey": USER_PUBLIC_KEY,
        "hello-gateway:sshPrivateKey": ENCRYPTED_PRIVATE_KEY,
    },
    "prod-origin": { ...ORIGIN_EDITS, "hello-gateway:instanceType": "t4g.small", "hello-gateway:vpcCidr": "172.20.0.0/20" },
    dev: { "aws:region": USER_REGION, "hello-gateway:throttleRateLimit": 25, "hello-gateway:throttleBurstLimit": 40, "hello-gateway:logRetentionDays": 14 },
    prod: { "aws:region": USER_REGION, "hello-gateway:throttleRateLimit": 300, "hello-gateway:throttleBurstLimit": 600, "hello-gateway:logRetentionDays": 400 },
    // README step 1 for prod-http: the user's own identity provider in place of the placeholder issuer.
    "prod-http": {
        "aws:region": USER_REGION,
        "hello-gateway:throttleRateLimit": 200,
        "hello-gateway:throttleBurstLimit": 400,
        "hello-gateway:jwtIssuer": "https://login.example.org/tenant-42/",
        "hello-gateway:jwtAudience": ["my-api", "my-mobile-app"],
    },
};

/** A copy of the project's stack files with the edits applied through YAML's own document model. */
function userEditedCopy(editsByStack: Record<string, Record<string, unknown>> = EDITS_BY_STACK): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "hg-user-edits-"));
    fs.copyFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), path.join(root, "Pulumi.yaml"));
    for (const stack of committedStacks(REPO_ROOT)) {
        const document = YAML.parseDocument(fs.readFileSync(path.join(REPO_ROOT, `Pulumi.${stack}.yaml`), "utf8"));
        for (const [key, value] of Object.entries(editsByStack[stack] ?? {})) {
            document.setIn(["config", key], value);
        }
        fs.writeFileSync(path.join(root, `Pulumi.${stack}.yaml`), document.toString());
    }
    return root;
}

const EDITED = userEditedCopy();

/** The edits of some stacks only: a user who makes step 1 theirs one environment, or one file, at a time. */
function editsOf(...stacks: string[]): Record<string, Record<string, unknown>> {
    return Object.fromEntries(stacks.map((stack) => [stack, EDITS_BY_STACK[stack]]));
}

/** Step 1's edits that concern one stack alone (no region: the README sets it on both stacks of an environment). */
const ONE_FILE_EDITS: Record<string, Record<string, unknown>> = {
    "dev-origin": { "hello-gateway:sshAllowedCidrs": ["192.0.2.10/32"], "hello-gateway:helloMessage": "Hello from my own origin" },
    prod: { "hello-gateway:throttleRateLimit": 300, "hello-gateway:throttleBurstLimit": 600 },
};

/** `regionEdited`: the environments whose region moved, where the gateway-to-origin suite runs again. */
const SUBSETS: ReadonlyArray<{ label: string; edits: Record<string, Record<string, unknown>>; environments: ReadonlyArray<"dev" | "prod">; regionEdited: ReadonlyArray<"dev" | "prod"> }> = [
    { label: "dev's two files edited", edits: editsOf("dev-origin", "dev"), environments: ["dev"], regionEdited: ["dev"] },
    { label: "prod's two files edited", edits: editsOf("prod-origin", "prod"), environments: ["prod"], regionEdited: ["prod"] },
    { label: "one file of each pair edited", edits: ONE_FILE_EDITS, environments: ["dev", "prod"], regionEdited: [] },
];

describe("the README's first-deploy edits, made to a copy of the stack files", () => {
    it("really changed every edited key in the copy", () => {
        for (const [stack, edits] of Object.entries(EDITS_BY_STACK)) {
            const { config, encryptedKeys } = loadStackConfig(stack, EDITED);
            for (const [key, value] of Object.entries(edits)) {
                if (encryptedKeys.includes(key)) continue;
                expect(config[key], `${stack} ${key}`).to.equal(typeof value === "string" ? value : JSON.stringify(value));
            }
        }
        expect(loadStackConfig("dev-origin", EDITED).encryptedKeys).to.deep.equal(["hello-gateway:sshPrivateKey"]);
    });

    it("keeps the user's own encrypted key a secret the program uses without reading it", async () => {
        const run = await runStack("dev-origin", { root: EDITED });
        expect(originConfigOf("dev-origin", EDITED).sshKey?.publicKey).to.equal(USER_PUBLIC_KEY);
        // The only keys the stack generates are the origin's TLS keys (its root's and httpd's), not an SSH key.
        expect(run.resources.filter((r) => r.type === "tls:index/privateKey:PrivateKey").map((r) => r.name)).to.deep.equal(["hello-dev-origin-ca-key", "hello-dev-server-key"]);
        expect(run.secretOutputs).to.deep.equal([]);
    });

    it("covers both layers of both environments", () => {
        const stacks = committedStacks(EDITED);
        expect(stacks.filter((s) => s.endsWith(ORIGIN_STACK_SUFFIX))).to.have.length.of.at.least(2);
        expect(stacks.filter((s) => !s.endsWith(ORIGIN_STACK_SUFFIX))).to.have.length.of.at.least(2);
    });
});

describeOriginStacks(EDITED, "user-edited copy");
describeGatewayStacks(EDITED, "user-edited copy");

/**
 * Step 1 on some files only: every environment still plans, both stacks wired together, and a
 * gateway in front of a private origin still works, with the origin in the gateway's region
 * (a VPC link cannot cross regions), whichever files the user edited.
 */
for (const subset of SUBSETS) {
    const root = userEditedCopy(subset.edits);
    describe(`the README's first-deploy edits on some files only: ${subset.label}`, () => {
        for (const env of subset.environments) {
            it(`plans ${env}: both stacks, the gateway in its stack file's region, wired to its own origin`, async () => {
                const plan = await planEnvironment(env, { root });
                const gatewayRegion = loadStackConfig(env, root).config["aws:region"];
                expect(plan.gateway.config["aws:region"]).to.equal(gatewayRegion);
                const reference = theOne(plan.gateway.run, "pulumi:pulumi:StackReference");
                expect(reference.inputs.name).to.equal(`${MOCK_ORGANIZATION}/hello-gateway/${env}${ORIGIN_STACK_SUFFIX}`);
                for (const integration of plan.gateway.run.resources.filter((r) => r.type === "aws:apigateway/integration:Integration")) {
                    expect(integration.inputs.uri, integration.name).to.equal(plan.origin.run.outputs.originUrl);
                }
            });
        }
        describeGatewayToOrigin(root, subset.label, subset.regionEdited);
    });
}

describe("the README's region edit on one file of a private pair", () => {
    it("is refused in one report naming the gateway's file, line and aws:region: a VPC link cannot cross regions", async () => {
        const originRegion = loadStackConfig("prod-origin", REPO_ROOT).config["aws:region"];
        const gatewayRegion = originRegion === USER_REGION ? "eu-central-1" : USER_REGION;
        const root = userEditedCopy({ prod: { "aws:region": gatewayRegion } });
        const failure = await planEnvironment("prod", { root }).then(
            () => expect.fail("a private gateway in another region than its origin must be refused"),
            (error: Error) => error.message,
        );
        const problems = failure.split("\n").filter((line) => line.startsWith("  - "));
        expect(problems).to.deep.equal([
            `  - Pulumi.prod.yaml:${lineOf(path.join(root, "Pulumi.prod.yaml"), "aws:region")}: aws:region: got "${gatewayRegion}"; expected "${originRegion}", the region of stack ${MOCK_ORGANIZATION}/hello-gateway/prod-origin: a private origin's VPC link cannot cross regions, and neither can the origin's client certificate (clientCertificateId) (set aws:region to ${originRegion} here, or move the origin to ${gatewayRegion})`,
        ]);
    });
});

describeHttpGatewayStacks(EDITED, "user-edited copy");
