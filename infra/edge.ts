import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** A REST API stage's ARN, the only kind of API Gateway ARN a web ACL can be associated with. */
const REST_STAGE_ARN = /^arn:aws[\w-]*:apigateway:[a-z0-9-]+::\/restapis\/[^/]+\/stages\/[^/]+$/;

/**
 * Web ACL names: letters, digits, `-` and `_`. WAF allows 128 characters; metric names are the
 * ACL name plus a suffix of at most 17 and must also fit in 128, hence 100.
 */
const WEB_ACL_NAME = /^[A-Za-z0-9_-]{1,100}$/;

/**
 * How long creating the association may keep retrying. Right after a stage or a web ACL is
 * created, WAF answers WAFUnavailableEntityException for a while (terraform-provider-aws#29080,
 * #17527); the provider retries that error until its create timeout, 10 minutes by default
 * (internal/service/wafv2/web_acl_association.go), and the Pulumi bridge passes customTimeouts
 * through as that timeout. Twenty minutes covers the slow cases reported there.
 */
export const WEB_ACL_ASSOCIATION_TIMEOUTS: pulumi.CustomTimeouts = { create: "20m" };

/** WAF's bounds for a rate-based rule's limit. */
export const WAF_RATE_LIMIT = { min: 10, max: 2_000_000_000 } as const;

export interface StageFirewallArgs {
    /**
     * The REST API stage to protect: `arn:aws:apigateway:<region>::/restapis/<id>/stages/<stage>`.
     * Pass the Stage resource's own `arn` output: the association fails ("resource doesn't
     * exist") when it is created before the stage.
     */
    readonly stageArn: pulumi.Input<string>;
    /** Requests one client IP may make in any 5-minute window before it is blocked, 10 to 2,000,000,000. */
    readonly rateLimitPer5Minutes: number;
    /** The web ACL's name, also the prefix of its metric names: 1 to 100 letters, digits, `-` or `_`. */
    readonly name: string;
    /**
     * WAF logs: every request WAF evaluated, with the `authorization` header redacted, to a
     * log group named `aws-waf-logs-<name>` (WAF accepts no other name). Default: no logs.
     */
    readonly logs?: {
        readonly retentionDays: number;
        /** A customer-managed KMS key for the log group. Default: CloudWatch Logs' own encryption. */
        readonly kmsKeyArn?: pulumi.Input<string>;
    };
    /** Tags for the web ACL. Default: none. */
    readonly tags?: Record<string, string>;
}

/** WAF delivers to CloudWatch Logs only into log groups whose name starts with this. */
export const WAF_LOG_GROUP_PREFIX = "aws-waf-logs-";

/** Headers WAF logs must never show: they carry credentials (API keys go in x-api-key). */
export const WAF_REDACTED_HEADERS = ["authorization", "x-api-key"] as const;

/**
 * The web ACL's rules. The three AWS managed groups carry no subscription fee; the common rule
 * set blocks request bodies over 8 KB.
 */
export function firewallRules(aclName: string, rateLimitPer5Minutes: number): aws.types.input.wafv2.WebAclRule[] {
    const visibility = (suffix: string) => ({
        cloudwatchMetricsEnabled: true,
        sampledRequestsEnabled: true,
        metricName: `${aclName}-${suffix}`,
    });
    const managed = (group: string, priority: number, suffix: string): aws.types.input.wafv2.WebAclRule => ({
        name: group,
        priority,
        // "none" keeps the group's own actions (block); "count" would only observe.
        overrideAction: { none: {} },
        statement: { managedRuleGroupStatement: { vendorName: "AWS", name: group } },
        visibilityConfig: visibility(suffix),
    });
    return [
        // Addresses Amazon's threat intelligence knows for bots and reconnaissance: blocked first.
        managed("AWSManagedRulesAmazonIpReputationList", 5, "ip-reputation"),
        managed("AWSManagedRulesCommonRuleSet", 10, "common"),
        managed("AWSManagedRulesKnownBadInputsRuleSet", 20, "known-bad-inputs"),
        {
            name: "rate-limit-per-ip",
            priority: 30,
            // 429 like the stage's own throttling, so clients see one signal for "slow down"
            // instead of a 403 that looks like an authorization failure.
            action: { block: { customResponse: { responseCode: 429 } } },
            statement: {
                rateBasedStatement: { limit: rateLimitPer5Minutes, aggregateKeyType: "IP", evaluationWindowSec: 300 },
            },
            visibilityConfig: visibility("rate-limit-per-ip"),
        },
    ];
}

/** Throws an error naming the option when StageFirewall args cannot work. */
export function checkStageFirewallArgs(args: Pick<StageFirewallArgs, "name" | "rateLimitPer5Minutes" | "stageArn">): void {
    if (!WEB_ACL_NAME.test(args.name)) {
        throw new Error(`StageFirewall: name must be 1 to 100 letters, digits, "-" or "_", got ${JSON.stringify(args.name)}`);
    }
    const limit = args.rateLimitPer5Minutes;
    if (!Number.isInteger(limit) || limit < WAF_RATE_LIMIT.min || limit > WAF_RATE_LIMIT.max) {
        throw new Error(`StageFirewall ${args.name}: rateLimitPer5Minutes must be a whole number from ${WAF_RATE_LIMIT.min} to ${WAF_RATE_LIMIT.max}, got ${limit}`);
    }
    if (typeof args.stageArn === "string" && !REST_STAGE_ARN.test(args.stageArn)) {
        throw new Error(
            `StageFirewall ${args.name}: stageArn must be a REST API stage ARN (arn:aws:apigateway:<region>::/restapis/<id>/stages/<stage>); WAF cannot protect HTTP APIs. Got ${JSON.stringify(args.stageArn)}`,
        );
    }
}

/**
 * A regional WAF web ACL in front of one REST API stage: AWS's IP reputation, common and
 * known-bad-inputs rule groups, then a per-IP rate limit, optionally logged. Everything else is allowed. Satisfies Security Hub
 * APIGateway.4 (a stage should be associated with a WAF web ACL).
 */
export class StageFirewall extends pulumi.ComponentResource {
    readonly webAclArn: pulumi.Output<string>;
    /** The ACL's name: what the `AWS/WAFV2` metrics' `WebACL` dimension holds. */
    readonly webAclName: pulumi.Output<string>;

    constructor(name: string, args: StageFirewallArgs, opts?: pulumi.ComponentResourceOptions) {
        checkStageFirewallArgs(args);
        super("hello-gateway:infra:StageFirewall", name, {}, opts);

        const webAcl = new aws.wafv2.WebAcl(
            `${name}-acl`,
            {
                name: args.name,
                description: `${args.name}: managed common and known-bad-inputs rules, ${args.rateLimitPer5Minutes} requests per IP per 5 minutes`,
                scope: "REGIONAL",
                defaultAction: { allow: {} },
                rules: firewallRules(args.name, args.rateLimitPer5Minutes),
                visibilityConfig: { cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: args.name },
                tags: args.tags ?? {},
            },
            { parent: this },
        );
        // Ordered after both the stage (through its ARN) and the ACL; the wait for WAF to see
        // them is the provider's retry, given room by the timeout.
        new aws.wafv2.WebAclAssociation(
            `${name}-association`,
            { resourceArn: args.stageArn, webAclArn: webAcl.arn },
            { parent: this, dependsOn: [webAcl], customTimeouts: WEB_ACL_ASSOCIATION_TIMEOUTS },
        );
        if (args.logs) {
            this.createLogging(name, args.name, webAcl.arn, args.logs, args.tags ?? {});
        }

        this.webAclArn = webAcl.arn;
        this.webAclName = webAcl.name;
        this.registerOutputs({ webAclArn: this.webAclArn, webAclName: this.webAclName });
    }

    private createLogging(name: string, aclName: string, webAclArn: pulumi.Output<string>, logs: NonNullable<StageFirewallArgs["logs"]>, tags: Record<string, string>): void {
        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-waf-logs`,
            {
                name: `${WAF_LOG_GROUP_PREFIX}${aclName}`,
                retentionInDays: logs.retentionDays,
                kmsKeyId: logs.kmsKeyArn,
                tags,
            },
            { parent: this },
        );
        // WAF would otherwise add this log group to one account-wide policy (AWSWAF-LOGS),
        // which stops growing at CloudWatch Logs' policy size limit; a policy of its own does not.
        const policy = new aws.cloudwatch.LogResourcePolicy(
            `${name}-waf-logs-delivery`,
            {
                policyName: `${WAF_LOG_GROUP_PREFIX}${aclName}-delivery`,
                policyDocument: logGroup.arn.apply((arn) => JSON.stringify(wafLogDeliveryPolicy(arn))),
            },
            { parent: this },
        );
        new aws.wafv2.WebAclLoggingConfiguration(
            `${name}-waf-logging`,
            {
                resourceArn: webAclArn,
                logDestinationConfigs: [logGroup.arn],
                redactedFields: WAF_REDACTED_HEADERS.map((header) => ({ singleHeader: { name: header } })),
            },
            { parent: this, dependsOn: [policy] },
        );
    }
}

/** Lets WAF's log delivery write to one log group, for this account only. */
export function wafLogDeliveryPolicy(logGroupArn: string): Record<string, unknown> {
    const [, partition, , region, accountId] = logGroupArn.split(":");
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "WafLogDelivery",
                Effect: "Allow",
                Principal: { Service: "delivery.logs.amazonaws.com" },
                Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                Resource: `${logGroupArn.replace(/:\*$/, "")}:*`,
                Condition: {
                    StringEquals: { "aws:SourceAccount": accountId },
                    ArnLike: { "aws:SourceArn": `arn:${partition}:logs:${region}:${accountId}:*` },
                },
            },
        ],
    };
}

export interface CustomDomainArgs {
    /** The custom domain, e.g. `api.example.com`. */
    readonly domainName: string;
    /**
     * An ACM certificate for the domain in the API's own region. Default: one is issued and
     * validated through DNS records in `hostedZoneId`, which is then required.
     */
    readonly certificateArn?: string;
    /**
     * The Route 53 zone that serves the domain: gets the alias record (and the certificate's
     * validation record when one is issued). Default: no DNS records; point a CNAME at
     * `regionalDomainName` wherever the domain's DNS lives.
     */
    readonly hostedZoneId?: string;
    /** The REST API to serve at the domain's root. */
    readonly restApiId: pulumi.Input<string>;
    /**
     * The stage to serve. Pass the Stage resource's own `stageName` output: a mapping created
     * before its stage fails with "Invalid stage identifier specified".
     */
    readonly stageName: pulumi.Input<string>;
    /** Tags for the certificate and the domain name. Default: none. */
    readonly tags?: Record<string, string>;
}

/** Throws an error naming the option when CustomDomain args cannot work. */
export function checkCustomDomainArgs(args: Pick<CustomDomainArgs, "domainName" | "certificateArn" | "hostedZoneId">): void {
    if (args.certificateArn === undefined && args.hostedZoneId === undefined) {
        throw new Error(
            `CustomDomain ${args.domainName}: give certificateArn (an ACM certificate in the API's region) or hostedZoneId (to issue one with DNS validation)`,
        );
    }
}

export function customDomainUrl(domainName: string): string {
    return `https://${domainName}/`;
}

/**
 * A REGIONAL custom domain for a REST API stage, HTTPS only with TLS 1.2 as the minimum,
 * mapped at the root: `https://<domainName>/hello` serves the stage's `/hello`.
 */
export class CustomDomain extends pulumi.ComponentResource {
    /** `https://<domainName>/`. */
    readonly url: pulumi.Output<string>;
    /** The target for a CNAME (or alias) record when the domain's DNS is not in Route 53 here. */
    readonly regionalDomainName: pulumi.Output<string>;
    readonly regionalZoneId: pulumi.Output<string>;
    /** The certificate the domain serves: the given one, or the one issued here once validated. */
    readonly certificateArn: pulumi.Output<string>;

    constructor(name: string, args: CustomDomainArgs, opts?: pulumi.ComponentResourceOptions) {
        checkCustomDomainArgs(args);
        super("hello-gateway:infra:CustomDomain", name, {}, opts);
        const tags = args.tags ?? {};

        const certificateArn = args.certificateArn !== undefined ? pulumi.output(args.certificateArn) : issueValidatedCertificate(name, args.domainName, args.hostedZoneId!, tags, this);

        const domain = new aws.apigateway.DomainName(
            `${name}-domain`,
            {
                domainName: args.domainName,
                // A REGIONAL domain reads regionalCertificateArn; certificateArn is for EDGE
                // and is refused here.
                regionalCertificateArn: certificateArn,
                endpointConfiguration: { types: "REGIONAL" },
                securityPolicy: "TLS_1_2",
                tags,
            },
            { parent: this },
        );
        new aws.apigateway.BasePathMapping(
            `${name}-mapping`,
            { restApi: args.restApiId, stageName: args.stageName, domainName: domain.domainName },
            { parent: this },
        );
        if (args.hostedZoneId !== undefined) {
            new aws.route53.Record(
                `${name}-alias`,
                {
                    zoneId: args.hostedZoneId,
                    name: args.domainName,
                    type: "A",
                    aliases: [{ name: domain.regionalDomainName, zoneId: domain.regionalZoneId, evaluateTargetHealth: false }],
                },
                { parent: this },
            );
        }

        this.url = pulumi.output(customDomainUrl(args.domainName));
        this.regionalDomainName = domain.regionalDomainName;
        this.regionalZoneId = domain.regionalZoneId;
        this.certificateArn = certificateArn;
        this.registerOutputs({
            url: this.url,
            regionalDomainName: this.regionalDomainName,
            regionalZoneId: this.regionalZoneId,
            certificateArn: this.certificateArn,
        });
    }
}

/**
 * An ACM certificate validated through a CNAME in the zone; resolves to its ARN only once
 * ACM has issued it, so the domain name never points at a pending certificate. One domain
 * name yields exactly one validation option, so the record is a plain resource built from
 * its outputs rather than from a loop inside `apply`. Shared by both API types' domains.
 */
export function issueValidatedCertificate(name: string, domainName: string, hostedZoneId: string, tags: Record<string, string>, parent: pulumi.Resource): pulumi.Output<string> {
    const certificate = new aws.acm.Certificate(
        `${name}-certificate`,
        { domainName, validationMethod: "DNS", tags },
        { parent },
    );
    const option = certificate.domainValidationOptions.apply((options) => options[0]);
    const record = new aws.route53.Record(
        `${name}-validation`,
        {
            zoneId: hostedZoneId,
            name: option.resourceRecordName,
            type: option.resourceRecordType,
            records: [option.resourceRecordValue],
            ttl: 300,
            // ACM asks for the same CNAME for every certificate of this domain in this
            // account, so a replacement certificate finds its record already there.
            allowOverwrite: true,
        },
        { parent },
    );
    const validation = new aws.acm.CertificateValidation(
        `${name}-certificate-validation`,
        { certificateArn: certificate.arn, validationRecordFqdns: [record.fqdn] },
        { parent },
    );
    return validation.certificateArn;
}
