import { expect } from "chai";
import * as path from "node:path";
import { WAF_RATE_LIMIT, checkCustomDomainArgs, checkStageFirewallArgs, firewallRules } from "../infra/edge";
import { ProgramRun, runProgram } from "../tools/mock-runtime";
import { byName, dependencyNames, parentName, resourcesOfType, theOne } from "./support";

const FIXTURE = path.join(__dirname, "fixtures", "edge-program.ts");
const TAGS = { Project: "hello-gateway", Environment: "dev" };
const STAGE_ARN = "arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/stages/prod";
const CERTIFICATE_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/0b5e3c1a-1111-2222-3333-444455556666";
const ZONE_ID = "Z0123456789ABCDEFGHIJ";
const DOMAIN = "api.example.com";

/** Runs the fixture afresh with these component args (JSON-encoded into `fixture:` config). */
async function runFixture(args: { firewall?: object; domain?: object }): Promise<ProgramRun> {
    delete require.cache[require.resolve(FIXTURE)];
    const config: Record<string, string> = { "aws:region": "us-east-1" };
    for (const [key, value] of Object.entries(args)) {
        config[`fixture:${key}`] = JSON.stringify(value);
    }
    return runProgram({ project: "hello-gateway", stack: "test", config, entry: FIXTURE });
}

const firewallArgs = (rateLimitPer5Minutes: number) => ({ stageArn: STAGE_ARN, rateLimitPer5Minutes, name: "hello-gateway-dev-waf", tags: TAGS });
const domainArgs = (source: { certificateArn?: string; hostedZoneId?: string }) => ({
    domainName: DOMAIN,
    restApiId: "a1b2c3d4e5",
    stageName: "prod",
    tags: TAGS,
    ...source,
});

type Rule = {
    name: string;
    priority: number;
    action?: unknown;
    overrideAction?: unknown;
    statement: {
        managedRuleGroupStatement?: { vendorName: string; name: string };
        rateBasedStatement?: { limit: number; aggregateKeyType: string; evaluationWindowSec: number };
    };
    visibilityConfig: { cloudwatchMetricsEnabled: boolean; sampledRequestsEnabled: boolean; metricName: string };
};
const rulesOf = (run: ProgramRun) => theOne(run, "aws:wafv2/webAcl:WebAcl").inputs.rules as Rule[];

describe("StageFirewall, and CustomDomain issuing its certificate in a Route 53 zone", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runFixture({ firewall: firewallArgs(2000), domain: domainArgs({ hostedZoneId: ZONE_ID }) });
    });

    it("creates a REGIONAL web ACL that allows by default", () => {
        const acl = theOne(run, "aws:wafv2/webAcl:WebAcl");
        expect(acl.inputs).to.include({ name: "hello-gateway-dev-waf", scope: "REGIONAL" });
        expect(acl.inputs.defaultAction).to.deep.equal({ allow: {} });
    });

    it("runs AWS's IP reputation, common and known-bad-inputs rule groups with their own actions, then the per-IP rate limit", () => {
        const rules = rulesOf(run);
        expect(rules.map((r) => [r.name, r.priority])).to.deep.equal([
            ["AWSManagedRulesAmazonIpReputationList", 5],
            ["AWSManagedRulesCommonRuleSet", 10],
            ["AWSManagedRulesKnownBadInputsRuleSet", 20],
            ["rate-limit-per-ip", 30],
        ]);
        for (const rule of rules.slice(0, 3)) {
            expect(rule.statement.managedRuleGroupStatement, rule.name).to.deep.equal({ vendorName: "AWS", name: rule.name });
            expect(rule.overrideAction, rule.name).to.deep.equal({ none: {} });
            expect(rule, rule.name).not.to.have.property("action");
        }
    });

    it("blocks a client IP over the given limit per 5 minutes, with a 429", () => {
        const rate = rulesOf(run).find((rule) => rule.name === "rate-limit-per-ip")!;
        expect(rate.statement.rateBasedStatement).to.deep.equal({ limit: 2000, aggregateKeyType: "IP", evaluationWindowSec: 300 });
        expect(rate.action).to.deep.equal({ block: { customResponse: { responseCode: 429 } } });
    });

    it("publishes CloudWatch metrics and sampled requests for the ACL and every rule, under unique names WAF accepts", () => {
        const acl = theOne(run, "aws:wafv2/webAcl:WebAcl");
        const configs = [acl.inputs.visibilityConfig as Rule["visibilityConfig"], ...rulesOf(run).map((r) => r.visibilityConfig)];
        for (const config of configs) {
            expect(config).to.include({ cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true });
            expect(config.metricName).to.match(/^[A-Za-z0-9_-]{1,128}$/);
        }
        expect(new Set(configs.map((c) => c.metricName)).size).to.equal(configs.length);
    });

    it("associates the ACL with the stage ARN it was given, and exports the ACL's ARN and name", () => {
        const acl = theOne(run, "aws:wafv2/webAcl:WebAcl");
        const association = theOne(run, "aws:wafv2/webAclAssociation:WebAclAssociation");
        expect(association.inputs).to.deep.equal({ resourceArn: STAGE_ARN, webAclArn: acl.state.arn });
        expect(run.outputs.webAclArn).to.equal(acl.state.arn);
        expect(run.outputs.webAclName).to.equal("hello-gateway-dev-waf");
    });

    it("issues a DNS-validated certificate: one validation CNAME in the zone, then a validation that waits for it", () => {
        const certificate = theOne(run, "aws:acm/certificate:Certificate");
        expect(certificate.inputs).to.include({ domainName: DOMAIN, validationMethod: "DNS" });
        const option = (certificate.state.domainValidationOptions as Array<Record<string, string>>)[0];
        const record = byName(run, "domain-validation");
        expect(record.inputs).to.include({
            zoneId: ZONE_ID,
            name: option.resourceRecordName,
            type: "CNAME",
            allowOverwrite: true,
        });
        expect(record.inputs.records).to.deep.equal([option.resourceRecordValue]);
        const validation = theOne(run, "aws:acm/certificateValidation:CertificateValidation");
        expect(validation.inputs.certificateArn).to.equal(certificate.state.arn);
        expect(validation.inputs.validationRecordFqdns).to.deep.equal([record.state.fqdn]);
    });

    it("serves the domain REGIONAL with TLS 1.2 from the validated certificate only", () => {
        const domain = theOne(run, "aws:apigateway/domainName:DomainName");
        expect(domain.inputs).to.include({
            domainName: DOMAIN,
            regionalCertificateArn: theOne(run, "aws:acm/certificate:Certificate").state.arn,
            securityPolicy: "TLS_1_2",
        });
        expect(domain.inputs.endpointConfiguration).to.deep.equal({ types: "REGIONAL" });
        expect(domain.inputs).not.to.have.property("certificateArn");
        expect(dependencyNames(run, domain)).to.include("domain-certificate-validation");
    });

    it("maps the stage at the domain's root", () => {
        const mapping = theOne(run, "aws:apigateway/basePathMapping:BasePathMapping");
        expect(mapping.inputs).to.deep.equal({ restApi: "a1b2c3d4e5", stageName: "prod", domainName: DOMAIN });
    });

    it("points an A alias at the domain's regional endpoint", () => {
        const domain = theOne(run, "aws:apigateway/domainName:DomainName");
        const alias = byName(run, "domain-alias");
        expect(alias.inputs).to.include({ zoneId: ZONE_ID, name: DOMAIN, type: "A" });
        expect(alias.inputs.aliases).to.deep.equal([
            { name: domain.state.regionalDomainName, zoneId: domain.state.regionalZoneId, evaluateTargetHealth: false },
        ]);
    });

    it("exports https://<domain>/, the regional endpoint and the issued certificate", () => {
        const domain = theOne(run, "aws:apigateway/domainName:DomainName");
        expect(run.outputs.url).to.equal(`https://${DOMAIN}/`);
        expect(run.outputs.regionalDomainName).to.equal(domain.state.regionalDomainName);
        expect(run.outputs.regionalZoneId).to.equal(domain.state.regionalZoneId);
        expect(run.outputs.certificateArn).to.equal(theOne(run, "aws:acm/certificate:Certificate").state.arn);
    });

    it("tags the web ACL, the certificate and the domain name", () => {
        for (const type of ["aws:wafv2/webAcl:WebAcl", "aws:acm/certificate:Certificate", "aws:apigateway/domainName:DomainName"]) {
            expect(theOne(run, type).inputs.tags, type).to.deep.equal(TAGS);
        }
    });

    it("parents every resource under its component", () => {
        for (const resource of run.resources.filter((r) => r.type.startsWith("aws:"))) {
            expect(parentName(run, resource), resource.name).to.equal(resource.type.startsWith("aws:wafv2") ? "firewall" : "domain");
        }
    });
});

describe("StageFirewall with another limit, and CustomDomain with a given certificate and no zone", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runFixture({ firewall: firewallArgs(100), domain: domainArgs({ certificateArn: CERTIFICATE_ARN }) });
    });

    it("takes the rate limit from the args", () => {
        expect(rulesOf(run).find((rule) => rule.name === "rate-limit-per-ip")!.statement.rateBasedStatement!.limit).to.equal(100);
    });

    it("issues no certificate and creates no DNS records", () => {
        for (const type of ["aws:acm/certificate:Certificate", "aws:acm/certificateValidation:CertificateValidation", "aws:route53/record:Record"]) {
            expect(resourcesOfType(run, type), type).to.have.length(0);
        }
    });

    it("serves the given certificate and exports the regional endpoint for DNS managed elsewhere", () => {
        const domain = theOne(run, "aws:apigateway/domainName:DomainName");
        expect(domain.inputs).to.include({ regionalCertificateArn: CERTIFICATE_ARN, securityPolicy: "TLS_1_2" });
        expect(run.outputs.certificateArn).to.equal(CERTIFICATE_ARN);
        expect(run.outputs.regionalDomainName).to.equal(domain.state.regionalDomainName).and.to.match(/\.execute-api\.us-east-1\.amazonaws\.com$/);
        expect(run.outputs.url).to.equal(`https://${DOMAIN}/`);
        expect(theOne(run, "aws:apigateway/basePathMapping:BasePathMapping").inputs.domainName).to.equal(DOMAIN);
    });
});

describe("CustomDomain with a given certificate and a Route 53 zone", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runFixture({ domain: domainArgs({ certificateArn: CERTIFICATE_ARN, hostedZoneId: ZONE_ID }) });
    });

    it("issues no certificate but creates the alias record, and only that record", () => {
        expect(resourcesOfType(run, "aws:acm/certificate:Certificate")).to.have.length(0);
        const records = resourcesOfType(run, "aws:route53/record:Record");
        expect(records.map((r) => [r.name, r.inputs.type])).to.deep.equal([["domain-alias", "A"]]);
        expect(theOne(run, "aws:apigateway/domainName:DomainName").inputs.regionalCertificateArn).to.equal(CERTIFICATE_ARN);
    });

    it("creates no firewall when none is asked for", () => {
        expect(resourcesOfType(run, "aws:wafv2/webAcl:WebAcl")).to.have.length(0);
        expect(resourcesOfType(run, "aws:wafv2/webAclAssociation:WebAclAssociation")).to.have.length(0);
    });
});

describe("edge argument checks (pure functions)", () => {
    it("refuses ACL names WAF refuses or whose metric names would not fit, naming the option", () => {
        const ok = { stageArn: STAGE_ARN, rateLimitPer5Minutes: 100 };
        expect(() => checkStageFirewallArgs({ ...ok, name: "hello gateway" })).to.throw(/name must be/);
        expect(() => checkStageFirewallArgs({ ...ok, name: "x".repeat(101) })).to.throw(/name must be/);
        expect(() => checkStageFirewallArgs({ ...ok, name: "x".repeat(100) })).not.to.throw();
        for (const rule of firewallRules("x".repeat(100), 100) as Array<{ visibilityConfig: { metricName: string } }>) {
            expect(rule.visibilityConfig.metricName.length).to.be.at.most(128);
        }
    });

    it(`refuses a rate limit outside ${WAF_RATE_LIMIT.min} to ${WAF_RATE_LIMIT.max}`, () => {
        const ok = { stageArn: STAGE_ARN, name: "acl" };
        expect(() => checkStageFirewallArgs({ ...ok, rateLimitPer5Minutes: 9 })).to.throw(/rateLimitPer5Minutes/);
        expect(() => checkStageFirewallArgs({ ...ok, rateLimitPer5Minutes: 100.5 })).to.throw(/rateLimitPer5Minutes/);
        expect(() => checkStageFirewallArgs({ ...ok, rateLimitPer5Minutes: 2_000_000_001 })).to.throw(/rateLimitPer5Minutes/);
        expect(() => checkStageFirewallArgs({ ...ok, rateLimitPer5Minutes: 10 })).not.to.throw();
    });

    it("refuses an ARN that is not a REST API stage (an HTTP API's, say)", () => {
        const ok = { name: "acl", rateLimitPer5Minutes: 100 };
        expect(() => checkStageFirewallArgs({ ...ok, stageArn: "arn:aws:apigateway:us-east-1::/apis/a1b2c3/stages/prod" })).to.throw(/stageArn/);
        expect(() => checkStageFirewallArgs({ ...ok, stageArn: "arn:aws:apigateway:us-east-1::/restapis/a1b2c3" })).to.throw(/stageArn/);
        expect(() => checkStageFirewallArgs({ ...ok, stageArn: STAGE_ARN })).not.to.throw();
    });

    it("refuses a custom domain with neither a certificate nor a zone, naming both options", () => {
        expect(() => checkCustomDomainArgs({ domainName: DOMAIN })).to.throw(/certificateArn.*hostedZoneId/);
        expect(() => checkCustomDomainArgs({ domainName: DOMAIN, hostedZoneId: ZONE_ID })).not.to.throw();
        expect(() => checkCustomDomainArgs({ domainName: DOMAIN, certificateArn: CERTIFICATE_ARN })).not.to.throw();
    });
});
