import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { customDomainUrl, issueValidatedCertificate } from "../edge";

export interface HttpCustomDomainArgs {
    /** The custom domain, e.g. `api.example.com`. */
    readonly domainName: string;
    /** An ACM certificate in the API's region. Default: issued and validated in `hostedZoneId`. */
    readonly certificateArn?: string;
    /** The Route 53 zone for the alias record (and validation). Default: no DNS records. */
    readonly hostedZoneId?: string;
    readonly apiId: pulumi.Input<string>;
    /** The stage mapped at the domain's root. */
    readonly stageName: pulumi.Input<string>;
    readonly tags?: Record<string, string>;
}

/**
 * A REGIONAL custom domain for an HTTP API stage (apigatewayv2 DomainName and ApiMapping), TLS
 * 1.2 at least, mapped at the root: the same keys and behaviour as the REST API's CustomDomain.
 */
export class HttpCustomDomain extends pulumi.ComponentResource {
    readonly url: pulumi.Output<string>;
    readonly regionalDomainName: pulumi.Output<string>;

    constructor(name: string, args: HttpCustomDomainArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hello-gateway:infra:HttpCustomDomain", name, {}, opts);
        const tags = args.tags ?? {};
        if (args.certificateArn === undefined && args.hostedZoneId === undefined) {
            throw new Error(`${name}: a custom domain needs certificateArn or hostedZoneId`);
        }
        const certificateArn = args.certificateArn !== undefined ? pulumi.output(args.certificateArn) : issueValidatedCertificate(name, args.domainName, args.hostedZoneId!, tags, this);
        const domain = new aws.apigatewayv2.DomainName(
            `${name}-domain`,
            {
                domainName: args.domainName,
                domainNameConfiguration: { certificateArn, endpointType: "REGIONAL", securityPolicy: "TLS_1_2" },
                tags,
            },
            { parent: this },
        );
        new aws.apigatewayv2.ApiMapping(`${name}-mapping`, { apiId: args.apiId, domainName: domain.domainName, stage: args.stageName }, { parent: this });
        const target = domain.domainNameConfiguration.targetDomainName;
        if (args.hostedZoneId !== undefined) {
            new aws.route53.Record(
                `${name}-alias`,
                {
                    zoneId: args.hostedZoneId,
                    name: args.domainName,
                    type: "A",
                    aliases: [{ name: target, zoneId: domain.domainNameConfiguration.hostedZoneId, evaluateTargetHealth: false }],
                },
                { parent: this },
            );
        }
        this.url = pulumi.output(customDomainUrl(args.domainName));
        this.regionalDomainName = target;
        this.registerOutputs({ url: this.url, regionalDomainName: this.regionalDomainName });
    }
}
