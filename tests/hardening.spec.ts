import { expect } from "chai";
import { ProgramRun, resourcesRegisteredBefore } from "../tools/mock-runtime";
import {
    StackRunOptions,
    originOutputsFor,
    privateOriginOutputsFor,
    publicOriginOutputsFor,
    resourcesOfType,
    runStack,
    theOne,
    unwrapSecrets,
} from "./support";

const POOL_ARN = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbCdEf123";

type Inputs = Record<string, unknown>;
const methodsOf = (run: ProgramRun) => resourcesOfType(run, "aws:apigateway/method:Method");
const integrationsOf = (run: ProgramRun) => resourcesOfType(run, "aws:apigateway/integration:Integration");
const settingsOf = (run: ProgramRun) => theOne(run, "aws:apigateway/methodSettings:MethodSettings").inputs.settings as Inputs;
const stageOf = (run: ProgramRun) => theOne(run, "aws:apigateway/stage:Stage");

async function configErrorOf(stack: string, options: StackRunOptions): Promise<{ message: string; created: number }> {
    try {
        await runStack(stack, options);
    } catch (error) {
        expect((error as Error).name).to.equal("ConfigError");
        const created = resourcesRegisteredBefore(error).filter((resource) => !resource.read).length;
        return { message: (error as Error).message, created };
    }
    throw new Error(`expected stack ${stack} to fail with a ConfigError`);
}

describe("hardening switches, each proven on and off over the committed stacks", () => {
    let dev: ProgramRun;
    let prod: ProgramRun;
    before(async () => {
        dev = await runStack("dev");
        prod = await runStack("prod");
    });

    describe("authMode", () => {
        it("none (dev): open methods, no key, no authorizer", () => {
            expect(methodsOf(dev).map((m) => [m.inputs.authorization, m.inputs.apiKeyRequired])).to.deep.equal([["NONE", false], ["NONE", false]]);
            for (const type of ["aws:apigateway/apiKey:ApiKey", "aws:apigateway/usagePlan:UsagePlan", "aws:apigateway/authorizer:Authorizer"]) {
                expect(resourcesOfType(dev, type), type).to.have.length(0);
            }
            expect(dev.outputs.authMode).to.equal("none");
        });

        it("apiKey (prod): methods require a key, bound to the stage by a usage plan with throttle and daily quota", () => {
            expect(methodsOf(prod).every((m) => m.inputs.apiKeyRequired === true)).to.equal(true);
            const plan = theOne(prod, "aws:apigateway/usagePlan:UsagePlan");
            expect(plan.inputs.throttleSettings).to.deep.equal({ rateLimit: 50, burstLimit: 100 });
            expect(plan.inputs.quotaSettings).to.deep.equal({ limit: 1_000_000, period: "DAY" });
            expect(plan.inputs.apiStages).to.deep.equal([{ apiId: prod.outputs.restApiId, stage: "prod" }]);
            const key = theOne(prod, "aws:apigateway/apiKey:ApiKey");
            expect(key.inputs.enabled).to.equal(true);
            expect(theOne(prod, "aws:apigateway/usagePlanKey:UsagePlanKey").inputs).to.include({ keyId: key.id, keyType: "API_KEY", usagePlanId: plan.id });
        });

        it("apiKey: the key value is a secret stack output", () => {
            expect(prod.outputs.authMode).to.equal("apiKey");
            expect(prod.outputs.usagePlanBurstLimit).to.equal(100);
            expect(prod.secretOutputs).to.include("apiKeyValue");
            expect(prod.outputs.apiKeyValue).to.equal(theOne(prod, "aws:apigateway/apiKey:ApiKey").state.value);
        });

        it("iam: methods use AWS_IAM (SigV4) and no key", async () => {
            const run = await runStack("prod", { overrides: { authMode: "iam" } });
            expect(methodsOf(run).map((m) => m.inputs.authorization)).to.deep.equal(["AWS_IAM", "AWS_IAM"]);
            expect(resourcesOfType(run, "aws:apigateway/apiKey:ApiKey")).to.have.length(0);
        });

        it("cognito with an existing pool: a user pool authorizer on every method, no pool created", async () => {
            const run = await runStack("prod", { overrides: { authMode: "cognito", cognitoUserPoolArn: POOL_ARN } });
            const authorizer = theOne(run, "aws:apigateway/authorizer:Authorizer");
            expect(authorizer.inputs).to.deep.include({ type: "COGNITO_USER_POOLS", providerArns: [POOL_ARN], identitySource: "method.request.header.Authorization" });
            for (const method of methodsOf(run)) {
                expect(method.inputs).to.include({ authorization: "COGNITO_USER_POOLS", authorizerId: authorizer.id });
            }
            expect(resourcesOfType(run, "aws:cognito/userPool:UserPool")).to.have.length(0);
        });

        it("cognito without a pool: the stack creates one, protected from replacement and kept on destroy, and exports its ids", async () => {
            const run = await runStack("prod", { overrides: { authMode: "cognito" } });
            const pool = theOne(run, "aws:cognito/userPool:UserPool");
            expect(pool.inputs.deletionProtection).to.equal("ACTIVE");
            expect(pool.retainOnDelete).to.equal(true);
            expect(pool.protect).to.equal(true);
            expect(theOne(run, "aws:apigateway/authorizer:Authorizer").inputs.providerArns).to.deep.equal([pool.state.arn]);
            expect(run.outputs.userPoolId).to.equal(pool.id);
            expect(run.outputs.userPoolClientId).to.equal(theOne(run, "aws:cognito/userPoolClient:UserPoolClient").id);
        });
    });

    describe("request validation", () => {
        it("off by default: no validator, no required parameters", () => {
            expect(resourcesOfType(dev, "aws:apigateway/requestValidator:RequestValidator")).to.have.length(0);
            expect(methodsOf(dev).every((m) => Object.keys(m.inputs.requestParameters as Inputs).length === 0)).to.equal(true);
        });

        it("on: API Gateway itself requires the configured query parameters and headers (a bad request gets 400 there)", async () => {
            const run = await runStack("dev", { overrides: { requiredQueryParameters: '["name"]', requiredHeaders: '["X-Request-Id"]' } });
            const validator = theOne(run, "aws:apigateway/requestValidator:RequestValidator");
            expect(validator.inputs).to.include({ validateRequestParameters: true, validateRequestBody: false });
            for (const method of methodsOf(run)) {
                expect(method.inputs.requestValidatorId).to.equal(validator.id);
                expect(method.inputs.requestParameters).to.deep.equal({ "method.request.querystring.name": true, "method.request.header.X-Request-Id": true });
            }
        });
    });

    describe("caching", () => {
        it("off by default: no cache cluster, method caching off", () => {
            expect(stageOf(prod).inputs.cacheClusterEnabled).to.equal(false);
            expect(settingsOf(prod).cachingEnabled).to.equal(false);
        });

        it("on: a cache cluster of the configured size, encrypted method caching with the TTL, query parameters in the cache key", async () => {
            const run = await runStack("prod", {
                overrides: { cacheEnabled: "true", cacheSizeGb: "1.6", cacheTtlSeconds: "120", requiredQueryParameters: '["lang"]' },
            });
            expect(stageOf(run).inputs).to.include({ cacheClusterEnabled: true, cacheClusterSize: "1.6" });
            expect(settingsOf(run)).to.include({ cachingEnabled: true, cacheTtlInSeconds: 120, cacheDataEncrypted: true, requireAuthorizationForCacheControl: true });
            for (const integration of integrationsOf(run)) {
                expect(integration.inputs.cacheKeyParameters).to.deep.equal(["method.request.querystring.lang"]);
            }
        });
    });

    describe("tracing", () => {
        it("X-Ray is on in prod and off in dev", () => {
            expect(stageOf(prod).inputs.xrayTracingEnabled).to.equal(true);
            expect(stageOf(dev).inputs.xrayTracingEnabled).to.equal(false);
        });
    });

    describe("originMode", () => {
        it("private (prod): a VPC link to the origin's NLB, and VPC_LINK integrations through it", () => {
            const link = theOne(prod, "aws:apigateway/vpcLink:VpcLink");
            expect(link.inputs.targetArn).to.equal(originOutputsFor("prod").originNlbArn);
            for (const integration of integrationsOf(prod)) {
                expect(integration.inputs).to.include({ connectionType: "VPC_LINK", connectionId: link.id, uri: originOutputsFor("prod").originUrl });
            }
        });

        it("public (dev): no VPC link, integrations over the internet", () => {
            expect(resourcesOfType(dev, "aws:apigateway/vpcLink:VpcLink")).to.have.length(0);
            expect(integrationsOf(dev).every((i) => i.inputs.connectionType === "INTERNET" && i.inputs.connectionId === undefined)).to.equal(true);
        });

        it("a private gateway whose origin exports no load balancer fails before creating anything", async () => {
            const { message, created } = await configErrorOf("prod", {
                stackOutputs: { "organization/hello-gateway/prod-origin": publicOriginOutputsFor("prod") },
            });
            expect(message).to.contain('hello-gateway:originMode: got "private"');
            expect(message).to.contain("exports no originNlbArn");
            expect(created).to.equal(0);
        });

        it("a public gateway in front of a private origin fails before creating anything", async () => {
            const { message, created } = await configErrorOf("dev", {
                stackOutputs: { "organization/hello-gateway/dev-origin": privateOriginOutputsFor("dev") },
            });
            expect(message).to.contain('hello-gateway:originMode: got "public"; expected "private"');
            expect(created).to.equal(0);
        });
    });

    describe("WAF", () => {
        it("on in prod: a REGIONAL web ACL with the managed rules and the per-IP rate limit, associated with the stage", () => {
            const acl = theOne(prod, "aws:wafv2/webAcl:WebAcl");
            expect(acl.inputs.scope).to.equal("REGIONAL");
            const rules = acl.inputs.rules as Array<{ name: string; statement: Inputs }>;
            const managed = rules.map((rule) => (rule.statement.managedRuleGroupStatement as Inputs | undefined)?.name).filter(Boolean);
            expect(managed).to.deep.equal(["AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"]);
            const rate = rules.map((rule) => rule.statement.rateBasedStatement as Inputs | undefined).find(Boolean);
            expect(rate).to.include({ limit: 2000, aggregateKeyType: "IP" });
            const association = theOne(prod, "aws:wafv2/webAclAssociation:WebAclAssociation");
            expect(association.inputs).to.include({ resourceArn: stageOf(prod).state.arn, webAclArn: acl.state.arn });
            expect(prod.outputs.webAclArn).to.equal(acl.state.arn);
        });

        it("off in dev: no web ACL", () => {
            expect(resourcesOfType(dev, "aws:wafv2/webAcl:WebAcl")).to.have.length(0);
            expect(dev.outputs).not.to.have.property("webAclArn");
        });
    });

    describe("custom domain", () => {
        it("off by default: the execute-api endpoint serves the API", () => {
            expect(theOne(dev, "aws:apigateway/restApi:RestApi").inputs.disableExecuteApiEndpoint).to.equal(false);
            expect(resourcesOfType(dev, "aws:apigateway/domainName:DomainName")).to.have.length(0);
        });

        it("on with a Route 53 zone: a DNS-validated certificate, a REGIONAL TLS 1.2 domain mapped to the stage, an alias record; invokeUrl uses it and execute-api is off", async () => {
            const run = await runStack("dev", { overrides: { customDomainName: "api.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" } });
            const certificate = theOne(run, "aws:acm/certificate:Certificate");
            expect(certificate.inputs).to.include({ domainName: "api.example.com", validationMethod: "DNS" });
            const domain = theOne(run, "aws:apigateway/domainName:DomainName");
            expect(domain.inputs).to.deep.include({ domainName: "api.example.com", securityPolicy: "TLS_1_2", endpointConfiguration: { types: "REGIONAL" } });
            const mapping = theOne(run, "aws:apigateway/basePathMapping:BasePathMapping");
            expect(mapping.inputs).to.include({ restApi: run.outputs.restApiId, stageName: run.outputs.stageName });
            const alias = resourcesOfType(run, "aws:route53/record:Record").find((record) => record.inputs.type === "A");
            expect(alias?.inputs).to.include({ name: "api.example.com", zoneId: "Z0123456789ABCDEFGHIJ" });
            expect(run.outputs.invokeUrl).to.equal("https://api.example.com/hello");
            expect(theOne(run, "aws:apigateway/restApi:RestApi").inputs.disableExecuteApiEndpoint).to.equal(true);
        });

        it("on with an existing certificate and no zone: no certificate issued, no DNS record, the CNAME target exported", async () => {
            // A certificate in the stack's region, whichever region Pulumi.dev.yaml names (a regional domain needs one there).
            const certificateArn = `arn:aws:acm:${String(publicOriginOutputsFor("dev").region)}:123456789012:certificate/0b0a4e4e-1111-2222-3333-444455556666`;
            const run = await runStack("dev", { overrides: { customDomainName: "api.example.com", certificateArn } });
            expect(resourcesOfType(run, "aws:acm/certificate:Certificate")).to.have.length(0);
            expect(resourcesOfType(run, "aws:route53/record:Record")).to.have.length(0);
            expect(theOne(run, "aws:apigateway/domainName:DomainName").inputs.regionalCertificateArn).to.equal(certificateArn);
            expect(run.outputs.customDomainTarget).to.equal(theOne(run, "aws:apigateway/domainName:DomainName").state.regionalDomainName);
        });
    });

    describe("monitoring", () => {
        it("alarms on the stage's 5XXError, 4XXError and p99 Latency with the configured thresholds, and a dashboard", () => {
            const alarms = resourcesOfType(prod, "aws:cloudwatch/metricAlarm:MetricAlarm");
            const byMetric = Object.fromEntries(alarms.map((alarm) => [alarm.inputs.metricName, alarm.inputs]));
            expect(Object.keys(byMetric)).to.have.members(["5XXError", "4XXError", "Latency"]);
            expect(byMetric["5XXError"]).to.include({ namespace: "AWS/ApiGateway", threshold: 5, period: 300 });
            expect(byMetric["4XXError"]).to.include({ threshold: 100 });
            expect(byMetric.Latency).to.include({ extendedStatistic: "p99", threshold: 3000 });
            const restApiName = theOne(prod, "aws:apigateway/restApi:RestApi").inputs.name;
            for (const alarm of alarms) {
                expect(alarm.inputs.dimensions).to.deep.equal({ ApiName: restApiName, Stage: "prod" });
            }
            expect(theOne(prod, "aws:cloudwatch/dashboard:Dashboard").inputs.dashboardName).to.equal("hello-gateway-prod");
            expect(prod.outputs.dashboardName).to.equal("hello-gateway-prod");
        });

        it("without alarmEmail: no topic, alarms without notification actions", () => {
            expect(resourcesOfType(prod, "aws:sns/topic:Topic")).to.have.length(0);
            for (const alarm of resourcesOfType(prod, "aws:cloudwatch/metricAlarm:MetricAlarm")) {
                expect(alarm.inputs.alarmActions).to.deep.equal([]);
            }
        });

        it("with alarmEmail: an encrypted topic with an email subscription that every alarm notifies", async () => {
            const run = await runStack("prod", { overrides: { alarmEmail: "ops@example.com" } });
            const topic = theOne(run, "aws:sns/topic:Topic");
            expect(topic.inputs.kmsMasterKeyId).to.be.a("string").and.not.equal("");
            expect(theOne(run, "aws:sns/topicSubscription:TopicSubscription").inputs).to.include({ protocol: "email", endpoint: "ops@example.com", topic: topic.state.arn });
            for (const alarm of resourcesOfType(run, "aws:cloudwatch/metricAlarm:MetricAlarm")) {
                expect(alarm.inputs.alarmActions).to.deep.equal([topic.state.arn]);
            }
            expect(run.outputs.alarmTopicArn).to.equal(topic.state.arn);
        });

        it("origin: a status-check alarm that reboots the instance; hardware failures are EC2's automatic recovery", async () => {
            const origin = await runStack("dev-origin", { overrides: { "aws:region": "us-east-1", alarmEmail: "ops@example.com" } });
            const alarms = resourcesOfType(origin, "aws:cloudwatch/metricAlarm:MetricAlarm");
            const byMetric = Object.fromEntries(alarms.map((alarm) => [alarm.inputs.metricName, alarm.inputs]));
            const topicArn = theOne(origin, "aws:sns/topic:Topic").state.arn;
            expect(byMetric.StatusCheckFailed_System).to.equal(undefined);
            expect(theOne(origin, "aws:ec2/instance:Instance").inputs.maintenanceOptions).to.deep.equal({ autoRecovery: "default" });
            expect(byMetric.StatusCheckFailed_Instance.alarmActions).to.deep.equal(["arn:aws:automate:us-east-1:ec2:reboot", topicArn]);
            for (const alarm of alarms) {
                expect(alarm.inputs.dimensions).to.deep.equal({ InstanceId: origin.outputs.instanceId });
            }
        });
    });

    describe("bad input: one error naming every bad key, nothing created", () => {
        it("unknown auth mode, cache size AWS does not offer, TTL outside 0..3600, invalid email", async () => {
            const { message, created } = await configErrorOf("prod", {
                overrides: { authMode: "oauth", cacheSizeGb: "2", cacheTtlSeconds: "3601", alarmEmail: "ops-at-example" },
            });
            expect(message).to.contain('hello-gateway:authMode: got "oauth"; expected one of none, apiKey, iam, cognito');
            expect(message).to.contain('hello-gateway:cacheSizeGb: got "2"; expected a cache size API Gateway offers, in GB: 0.5, 1.6, 6.1, 13.5, 28.4, 58.2, 118, 237');
            expect(message).to.contain('hello-gateway:cacheTtlSeconds: got "3601"; expected a whole number of seconds from 0 to 3600');
            expect(message).to.contain('hello-gateway:alarmEmail: got "ops-at-example"; expected one email address');
            expect(created).to.equal(0);
        });

        it("a custom domain without a certificate source", async () => {
            const { message, created } = await configErrorOf("dev", { overrides: { customDomainName: "api.example.com" } });
            expect(message).to.contain('hello-gateway:customDomainName: got "api.example.com"; expected a certificate source as well');
            expect(created).to.equal(0);
        });

        it("a certificate from another region, a malformed zone and pool ARN", async () => {
            const { message } = await configErrorOf("dev", {
                overrides: {
                    "aws:region": "us-east-1",
                    customDomainName: "api.example.com",
                    certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/0b0a4e4e-1111-2222-3333-444455556666",
                    hostedZoneId: "example.com",
                    authMode: "cognito",
                    cognitoUserPoolArn: "my-pool",
                },
            });
            expect(message).to.contain("expected a certificate in us-east-1");
            expect(message).to.contain('hello-gateway:hostedZoneId: got "example.com"');
            expect(message).to.contain('hello-gateway:cognitoUserPoolArn: got "my-pool"');
        });

        it("an origin stack with an invalid alarm email or origin mode", async () => {
            const { message, created } = await configErrorOf("dev-origin", { overrides: { alarmEmail: "a@b", originMode: "hidden" } });
            expect(message).to.contain('hello-gateway:alarmEmail: got "a@b"');
            expect(message).to.contain('hello-gateway:originMode: got "hidden"; expected one of public, private');
            expect(created).to.equal(0);
        });
    });

    it("keeps the API key out of every plain output", () => {
        const plainOutputs = Object.entries(prod.outputs).filter(([name]) => !prod.secretOutputs.includes(name));
        const key = String(unwrapSecrets(prod.outputs.apiKeyValue));
        expect(key).to.equal(theOne(prod, "aws:apigateway/apiKey:ApiKey").state.value);
        expect(JSON.stringify(plainOutputs)).not.to.contain(key);
    });
});
