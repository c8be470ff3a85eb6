import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { ACTIONS_BY_INVOKE, ACTIONS_BY_TYPE, AUTO_SCALING_SERVICE, EC2_ALARM_ACTIONS_SERVICE, PROVIDER_ACTIONS } from "../tools/deploy-permissions";
import { ProgramRun } from "../tools/mock-runtime";
import { committedStacks, loadStackConfig, REPO_ROOT } from "../tools/stack-files";
import { originEnvironments, privateOriginOutputsFor, PROJECT, publicOriginOutputsFor, resourcesOfType, runStack, SINGLE_INSTANCE } from "./support";

// docs/deploy-role-policy.json against what the program makes the provider call. The resource
// types come from runs of the four committed stacks covering every switch combination: a switch
// only ever adds resource types, except the choices that exclude each other (auth mode,
// certificate source, origin mode, pinned or followed image). So every option of every exclusive
// choice runs at least once with all additive switches on, and one run has everything off; the
// union of their types is the union over all combinations.

interface Statement {
    Effect: "Allow" | "Deny";
    Action: string[];
    Resource: string | string[];
    Condition?: Record<string, Record<string, string | string[]>>;
}

interface Request {
    action: string;
    resource: string;
    context?: Record<string, string>;
}

/** The deploy role's managed policies: the base one, and the one for Lambda routes (one would pass IAM's size limit). */
const POLICY_FILES = ["deploy-role-policy.json", "deploy-role-policy-http-lambda.json"].map((file) => path.join(REPO_ROOT, "docs", file));
const documents = POLICY_FILES.map((file) => JSON.parse(fs.readFileSync(file, "utf8")) as { Version: string; Statement: Statement[] });
/** The role's effective policy: every statement of every attached document. */
const policy = { Version: documents[0].Version, Statement: documents.flatMap((document) => document.Statement) };

/** Each IAM pattern as a regular expression, built once: the runs ask about the same few patterns thousands of times. */
const wildcardRegexes = new Map<string, RegExp>();

function wildcard(pattern: string, value: string): boolean {
    let regex = wildcardRegexes.get(pattern);
    if (regex === undefined) {
        regex = new RegExp(`^${pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`, "i");
        wildcardRegexes.set(pattern, regex);
    }
    return regex.test(value);
}

/** IAM's evaluation, reduced to what the policy uses: Allow statements, wildcards, StringEquals/StringLike. */
function allows(request: Request): boolean {
    return policy.Statement.some((statement) => {
        if (statement.Effect !== "Allow" || !statement.Action.some((action) => wildcard(action, request.action))) {
            return false;
        }
        const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
        if (!resources.some((resource) => wildcard(resource, request.resource))) {
            return false;
        }
        return Object.entries(statement.Condition ?? {}).every(([operator, conditions]) =>
            Object.entries(conditions).every(([key, expected]) => {
                // A list of values matches any of them, as in IAM.
                const actual = request.context?.[key];
                const candidates = Array.isArray(expected) ? expected : [expected];
                return actual !== undefined && candidates.some((value) => (operator === "StringLike" ? wildcard(value, actual) : actual === value));
            }),
        );
    });
}

const ACCOUNT = "123456789012";
const anyResource = (action: string) => `arn:aws:${action.split(":")[0]}:us-east-1:${ACCOUNT}:some-resource`;

/** A gateway's origin must be deployed in its mode: a private one exports its NLB. */
function originsFor(originMode: string | undefined): Record<string, Record<string, unknown>> {
    const outputs = (env: string) => (originMode === "private" ? privateOriginOutputsFor(env) : publicOriginOutputsFor(env));
    return Object.fromEntries(originEnvironments().map((env) => [`organization/${PROJECT}/${env}-origin`, outputs(env)]));
}

function switchCombinations(stack: string): Array<Record<string, string | undefined>> {
    const { config } = loadStackConfig(stack);
    const region = config["aws:region"] ?? "us-east-1";
    if (config[`${PROJECT}:layer`] === "origin") {
        // The single instance and the group exclude each other too (a public origin is single).
        return [
            { originMode: "public", amiId: "ami-0123456789abcdef0", alarmEmail: "ops@example.com", ...SINGLE_INSTANCE },
            { originMode: "private", amiId: undefined, alarmEmail: "ops@example.com", ...SINGLE_INSTANCE },
            { originMode: "private", amiId: undefined, alarmEmail: "ops@example.com", minInstances: "2", maxInstances: "3" },
            { originMode: "public", amiId: undefined, alarmEmail: undefined, ...SINGLE_INSTANCE },
        ];
    }
    // A WebSocket gateway refuses every REST switch by name: it runs as its file says.
    if (config[`${PROJECT}:apiType`] === "websocket") {
        return [{}, { websocketAuth: "none", websocketTokenParameter: undefined }];
        return [{}, { websocketAuth: "none", websocketTokenParameter: undefined }];
    }
    if (config[`${PROJECT}:apiType`] === "http") {
        // An HTTP API: every auth mode it takes (apiKey and the REST-only switches are refused there).
        const jwt = { jwtIssuer: undefined, jwtAudience: undefined };
        const httpAdditive = { originMode: "private", alarmEmail: "ops@example.com", corsAllowOrigins: '["https://app.example.com"]' };
        const httpAuth = [
            { ...jwt, authMode: "none" },
            { ...jwt, authMode: "iam" },
            { authMode: "jwt", jwtIssuer: "https://issuer.example.com/", jwtAudience: '["api"]' },
            { ...jwt, authMode: "cognito", cognitoUserPoolArn: undefined },
            { authMode: "cognito", jwtIssuer: undefined, jwtAudience: '["client"]', cognitoUserPoolArn: `arn:aws:cognito-idp:${region}:${ACCOUNT}:userpool/${region}_Abc123` },
        ];
        const httpDomains = [
            { customDomainName: undefined },
            { customDomainName: "api.example.com", certificateArn: `arn:aws:acm:${region}:${ACCOUNT}:certificate/01234567-89ab-cdef-0123-456789abcdef`, hostedZoneId: undefined },
            { customDomainName: "api.example.com", certificateArn: undefined, hostedZoneId: "Z0123456789ABCDEFGHIJ" },
        ];
        const httpCombos: Array<Record<string, string | undefined>> = httpAuth.map((a, i) => ({ ...httpAdditive, ...a, ...httpDomains[i % httpDomains.length] }));
        httpCombos.push({ ...jwt, originMode: "private", authMode: "none", alarmEmail: undefined, encryptLogs: "false", corsAllowOrigins: undefined, customDomainName: undefined });
        return httpCombos;
    }
    // A gateway in front of an external backend (originUrl) has no origin stack to go private with.
    const external = (config[`${PROJECT}:originUrl`] ?? "") !== "";
    const additive = {
        originMode: external ? "public" : "private",
        wafEnabled: "true",
        cacheEnabled: "true",
        tracingEnabled: "true",
        alarmEmail: "ops@example.com",
        manageAccountLogRole: "true",
        requiredHeaders: '["x-client"]',
    };
    const auth = [
        { authMode: "none" },
        { authMode: "apiKey" },
        { authMode: "iam" },
        { authMode: "cognito", cognitoUserPoolArn: undefined },
        { authMode: "cognito", cognitoUserPoolArn: `arn:aws:cognito-idp:${region}:${ACCOUNT}:userpool/${region}_Abc123` },
    ];
    const domains = [
        { customDomainName: undefined },
        { customDomainName: "api.example.com", certificateArn: `arn:aws:acm:${region}:${ACCOUNT}:certificate/01234567-89ab-cdef-0123-456789abcdef`, hostedZoneId: undefined },
        { customDomainName: "api.example.com", certificateArn: undefined, hostedZoneId: "Z0123456789ABCDEFGHIJ" },
    ];
    const combos: Array<Record<string, string | undefined>> = auth.map((a, i) => ({ ...additive, ...a, ...domains[i % domains.length] }));
    combos.push({ originMode: "public", authMode: "none", wafEnabled: "false", cacheEnabled: "false", alarmEmail: undefined, manageAccountLogRole: "false", customDomainName: undefined });
    return combos;
}

/** What one run makes the provider do, as IAM requests. */
function requestsOf(run: ProgramRun): Request[] {
    const requests: Request[] = PROVIDER_ACTIONS.map((action) => ({ action, resource: "*" }));
    for (const resource of run.resources) {
        // A function's actions act on that function's ARN (the functions policy is scoped to the project's names).
        const functionName = resource.type === "aws:lambda/function:Function" ? resource.inputs.name : resource.type === "aws:lambda/permission:Permission" ? resource.inputs.function : undefined;
        for (const action of ACTIONS_BY_TYPE[resource.type] ?? []) {
            requests.push({ action, resource: functionName !== undefined ? `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${String(functionName)}` : anyResource(action) });
        }
    }
    for (const invoke of run.invokes) {
        for (const action of ACTIONS_BY_INVOKE[invoke.token] ?? []) {
            const parameter = invoke.token === "aws:ssm/getParameter:getParameter" ? `arn:aws:ssm:us-east-1::parameter${String(invoke.inputs.name)}` : undefined;
            requests.push({ action, resource: parameter ?? anyResource(action) });
        }
    }
    // Handing a role to a service (the account's logging role to API Gateway, the flow-log role
    // to VPC Flow Logs) passes it to the service its trust policy names.
    for (const role of resourcesOfType(run, "aws:iam/role:Role")) {
        const trust = JSON.parse(String(role.inputs.assumeRolePolicy)) as { Statement: Array<{ Principal?: { Service?: string | string[] } }> };
        const services = trust.Statement.flatMap((statement) => [statement.Principal?.Service ?? []].flat());
        expect(services, role.name).to.have.length.greaterThan(0);
        for (const service of services) {
            requests.push({ action: "iam:PassRole", resource: String(role.state.arn), context: { "iam:PassedToService": service } });
        }
    }
    // An alarm with an EC2 action creates CloudWatch's service-linked role on first use.
    const ec2Actions = resourcesOfType(run, "aws:cloudwatch/metricAlarm:MetricAlarm").some((alarm) =>
        ((alarm.inputs.alarmActions as string[] | undefined) ?? []).some((action) => action.startsWith("arn:aws:automate:")),
    );
    if (ec2Actions) {
        requests.push({
            action: "iam:CreateServiceLinkedRole",
            resource: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/${EC2_ALARM_ACTIONS_SERVICE}/AWSServiceRoleForCloudWatchEvents`,
            context: { "iam:AWSServiceName": EC2_ALARM_ACTIONS_SERVICE },
        });
    }
    // The first Auto Scaling group of an account creates EC2 Auto Scaling's service-linked role.
    if (resourcesOfType(run, "aws:autoscaling/group:Group").length > 0) {
        requests.push({
            action: "iam:CreateServiceLinkedRole",
            resource: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/${AUTO_SCALING_SERVICE}/AWSServiceRoleForAutoScaling`,
            context: { "iam:AWSServiceName": AUTO_SCALING_SERVICE },
        });
    }
    return requests;
}

describe("docs/deploy-role-policy.json: everything the program needs, every switch combination", () => {
    const runs: ProgramRun[] = [];
    before(async function () {
        this.timeout(60_000);
        for (const stack of committedStacks()) {
            for (const overrides of switchCombinations(stack)) {
                runs.push(await runStack(stack, { overrides, stackOutputs: originsFor(overrides.originMode) }));
            }
        }
    });

    it("runs every committed stack in every combination", () => {
        expect(committedStacks().filter((stack) => stack.endsWith("-origin"))).to.have.length.greaterThan(0);
        expect(runs.length).to.equal(committedStacks().reduce((sum, stack) => sum + switchCombinations(stack).length, 0));
    });

    it("knows the AWS actions of every resource type and invoke the stacks register", () => {
        const unknownTypes = new Set(runs.flatMap((run) => run.resources.map((r) => r.type)).filter((type) => !(type in ACTIONS_BY_TYPE)));
        const unknownInvokes = new Set(runs.flatMap((run) => run.invokes.map((i) => i.token)).filter((token) => !(token in ACTIONS_BY_INVOKE)));
        expect([...unknownTypes], "add them to tools/deploy-permissions.ts").to.deep.equal([]);
        expect([...unknownInvokes], "add them to tools/deploy-permissions.ts").to.deep.equal([]);
    });

    it("allows every action of every run", () => {
        const denied = new Set<string>();
        // The runs repeat most requests (every run needs the provider's own actions): each distinct one is evaluated once.
        const verdicts = new Map<string, boolean>();
        for (const run of runs) {
            for (const request of requestsOf(run)) {
                const key = JSON.stringify([request.action, request.resource, request.context ?? {}]);
                let allowed = verdicts.get(key);
                if (allowed === undefined) {
                    allowed = allows(request);
                    verdicts.set(key, allowed);
                }
                if (!allowed) {
                    denied.add(`${run.stack}: ${request.action} on ${request.resource}`);
                }
            }
        }
        expect([...denied]).to.deep.equal([]);
    });

    it("lets the deployer create the service-linked role EC2 alarm actions need, and only that one", () => {
        const origin = runs.find((run) => run.stack.endsWith("-origin"))!;
        expect(requestsOf(origin).map((r) => r.action)).to.include("iam:CreateServiceLinkedRole");
        expect(allows({ action: "iam:CreateServiceLinkedRole", resource: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing`, context: { "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com" } })).to.equal(false);
    });

    it("is least privilege where it matters: no wildcard action, no role passed to other services, the user pool never deleted", () => {
        expect(policy.Statement.flatMap((s) => s.Action).filter((action) => action === "*" || action.endsWith(":*"))).to.deep.equal([]);
        expect(allows({ action: "iam:PassRole", resource: `arn:aws:iam::${ACCOUNT}:role/admin`, context: { "iam:PassedToService": "ec2.amazonaws.com" } })).to.equal(false);
        expect(allows({ action: "cognito-idp:DeleteUserPool", resource: anyResource("cognito-idp:DeleteUserPool") })).to.equal(false);
        expect(allows({ action: "iam:CreateUser", resource: `arn:aws:iam::${ACCOUNT}:user/x` })).to.equal(false);
    });

    it("fits IAM's managed policy size limit (6,144 characters without whitespace), each document", () => {
        POLICY_FILES.forEach((file, index) => {
            const text = fs.readFileSync(file, "utf8");
            expect(text.replace(/\s/g, "").length, file).to.be.at.most(6144);
            expect(documents[index].Version, file).to.equal("2012-10-17");
        });
    });
});
