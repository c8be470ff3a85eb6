import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import { ORIGIN_HTTPS_PORT } from "./httpd";
import { VPC_LINK_HTTP_PORT } from "./httpd-vpc-link";
import { serviceTrustPolicy } from "./trust-policy";

export interface NetworkArgs {
    /** IPv4 range of the VPC, e.g. `10.0.0.0/16`. */
    readonly cidrBlock: string;
    /** CIDRs that may reach port 22, split by address family. */
    readonly sshAllowedCidrs: { readonly ipv4: readonly string[]; readonly ipv6: readonly string[] };
    /**
     * Who may reach httpd's HTTPS port (443). Default: anywhere, since API Gateway calls from
     * AWS public addresses that are not a fixed list; httpd refuses any caller without API
     * Gateway's client certificate. With a private origin: the VPC's own range, where the NLB
     * lives.
     */
    readonly httpsIngressCidrs?: readonly string[];
    /** VPC flow logs (all traffic) to CloudWatch Logs. Default: none. */
    readonly flowLogs?: {
        readonly retentionDays: number;
        /** A customer-managed KMS key for the log group (`LogEncryptionKey.keyArn`). Default: none. */
        readonly kmsKeyArn?: pulumi.Input<string>;
    };
    /**
     * The zones to spread the public subnets over, e.g. from `standardAvailabilityZones`.
     * Default: awsx's choice, the first 2 zones the region lists, which may be a Local or
     * Wavelength Zone when the account opted into one (pulumi-awsx#1365).
     */
    readonly availabilityZoneNames?: readonly string[];
    /**
     * Group mode: an isolated subnet per zone (no route to the internet, no NAT) for the fleet,
     * and the fleet's security group, which admits only HTTPS from inside the VPC, where the NLB
     * is. Default: false (public subnets only, as the single instance has).
     */
    readonly isolatedSubnets?: boolean;
    /**
     * A private origin (docs/http-api.md): security groups for the internal NLB and for an HTTP
     * API's VPC link, and the instances admit HTTPS (443) and the VPC-link port only from the
     * NLB's group. Default: false (the public origin: 443 from `httpsIngressCidrs`).
     */
    readonly privateLoadBalancer?: boolean;
    readonly tags?: Record<string, string>;
}

/** How many zones the origin's VPC spans (the NLB of the private mode wants two). */
export const DEFAULT_AVAILABILITY_ZONE_COUNT = 2;

/**
 * The lookup that finds standard zones only: available, in the region's own set (no opt-in,
 * so no Local Zones) and of type availability-zone (no Wavelength Zones). A Local or Wavelength
 * Zone lacks instance types and services (an NLB, for one) that a standard zone has.
 */
export const STANDARD_ZONES_QUERY: aws.GetAvailabilityZonesArgs = {
    state: "available",
    filters: [
        { name: "opt-in-status", values: ["opt-in-not-required"] },
        { name: "zone-type", values: ["availability-zone"] },
    ],
};

/** The first `count` zones by name; throws a message naming the region when it has fewer. */
export function pickZones(names: readonly string[], count: number, region: string): string[] {
    const sorted = [...names].sort();
    if (sorted.length < count) {
        throw new pulumi.RunError(
            `region ${region} offers ${sorted.length} standard availability zone(s) (${sorted.join(", ") || "none"}) that are available; the origin needs ${count}`,
        );
    }
    return sorted.slice(0, count);
}

/** The standard availability zones the origin's subnets go into (see `STANDARD_ZONES_QUERY`). */
export async function standardAvailabilityZones(region: string, count = DEFAULT_AVAILABILITY_ZONE_COUNT): Promise<string[]> {
    const zones = await aws.getAvailabilityZones(STANDARD_ZONES_QUERY);
    return pickZones(zones.names, count, region);
}

/** The ports the origin needs to reach: dnf mirrors over HTTP and HTTPS. */
export const ORIGIN_EGRESS_PORTS = [80, 443] as const;

/**
 * The origin's network: a VPC with public subnets (no NAT gateways: a NAT gateway costs more
 * than the rest of the stack together, and the origin has a public address anyway) and the
 * origin's security group; in group mode also an isolated subnet per zone and the fleet's
 * security group.
 */
export class Network extends pulumi.ComponentResource {
    readonly vpcId: pulumi.Output<string>;
    readonly publicSubnetIds: pulumi.Output<string[]>;
    readonly securityGroupId: pulumi.Output<string>;
    /** With `isolatedSubnets`: one subnet per zone without any route out of the VPC. */
    readonly isolatedSubnetIds: pulumi.Output<string[]> | undefined;
    /** With `isolatedSubnets`: the fleet's group, HTTPS in from the VPC only, nothing out. */
    readonly fleetSecurityGroupId: pulumi.Output<string> | undefined;
    /** With `privateLoadBalancer`: the NLB's group and the group an HTTP API's VPC link uses. */
    readonly loadBalancerSecurityGroupId: pulumi.Output<string> | undefined;
    readonly vpcLinkSecurityGroupId: pulumi.Output<string> | undefined;

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hello-gateway:infra:Network", name, {}, opts);
        const vpcPrefix = Number(args.cidrBlock.split("/")[1]);

        const vpc = new awsx.ec2.Vpc(
            `${name}-vpc`,
            {
                cidrBlock: args.cidrBlock,
                ...(args.availabilityZoneNames
                    ? { availabilityZoneNames: [...args.availabilityZoneNames] }
                    : { numberOfAvailabilityZones: DEFAULT_AVAILABILITY_ZONE_COUNT }),
                enableDnsHostnames: true,
                enableDnsSupport: true,
                natGateways: { strategy: awsx.ec2.NatGatewayStrategy.None },
                // awsx refuses private subnets without NAT, and its default specs include them.
                // Isolated subnets (no NAT, no internet route) are allowed. awsx's Auto strategy
                // gives each zone a fixed block (set by the zone count) and fills it in spec order
                // (pulumi-awsx awsx/ec2/subnetDistributorNew.ts, getSubnetSpecs), so an Isolated
                // spec after the Public one leaves the public ranges as they were.
                subnetStrategy: awsx.ec2.SubnetAllocationStrategy.Auto,
                subnetSpecs: [
                    { type: awsx.ec2.SubnetType.Public, cidrMask: Math.min(vpcPrefix + 4, 28) },
                    ...(args.isolatedSubnets ? [{ type: awsx.ec2.SubnetType.Isolated, cidrMask: Math.min(vpcPrefix + 4, 28) }] : []),
                ],
                tags: { ...args.tags, Name: `${name}-vpc` },
            },
            { parent: this },
        );

        const lbGroups = args.privateLoadBalancer ? this.createLoadBalancerGroups(name, vpc.vpcId, args.cidrBlock, args.tags ?? {}) : undefined;
        // Behind the NLB, httpd's ports admit the NLB's group only: nothing else in the VPC
        // reaches them (the NLB security-group page of the ELB guide: target rules that
        // reference the load balancer's group).
        const httpdIngress = (description: string): aws.types.input.ec2.SecurityGroupIngress[] =>
            lbGroups
                ? [ORIGIN_HTTPS_PORT, VPC_LINK_HTTP_PORT].map((port) => ({
                      description: `${port === ORIGIN_HTTPS_PORT ? "HTTPS (REST API, client certificate)" : "HTTP (HTTP API VPC link)"} from the load balancer's security group only`,
                      protocol: "tcp",
                      fromPort: port,
                      toPort: port,
                      securityGroups: [lbGroups.loadBalancer.id],
                  }))
                : [
                      {
                          description,
                          protocol: "tcp",
                          fromPort: ORIGIN_HTTPS_PORT,
                          toPort: ORIGIN_HTTPS_PORT,
                          cidrBlocks: [...(args.httpsIngressCidrs ?? ["0.0.0.0/0"])],
                      },
                  ];

        const sshIngress: aws.types.input.ec2.SecurityGroupIngress = {
            description: "SSH for provisioning, from sshAllowedCidrs only",
            protocol: "tcp",
            fromPort: 22,
            toPort: 22,
            cidrBlocks: [...args.sshAllowedCidrs.ipv4],
            ipv6CidrBlocks: [...args.sshAllowedCidrs.ipv6],
        };
        const securityGroup = new aws.ec2.SecurityGroup(
            `${name}-origin-sg`,
            {
                vpcId: vpc.vpcId,
                description: "hello-gateway origin: HTTPS from API Gateway, SSH for provisioning",
                // No port 80 rule at all; the VPC-link port only behind the NLB.
                ingress: [
                    ...httpdIngress(args.httpsIngressCidrs ? "HTTPS from the load balancer inside the VPC" : "HTTPS from API Gateway (httpd requires its client certificate)"),
                    sshIngress,
                ],
                egress: ORIGIN_EGRESS_PORTS.map((port) => ({
                    description: `Package downloads (dnf) on ${port}/tcp`,
                    protocol: "tcp",
                    fromPort: port,
                    toPort: port,
                    cidrBlocks: ["0.0.0.0/0"],
                })),
                tags: { ...args.tags, Name: `${name}-origin-sg` },
            },
            { parent: this },
        );

        if (args.flowLogs) {
            this.createFlowLogs(name, vpc.vpcId, args.flowLogs, args.tags ?? {});
        }

        const fleetSecurityGroup = args.isolatedSubnets
            ? new aws.ec2.SecurityGroup(
                  `${name}-fleet-sg`,
                  {
                      vpcId: vpc.vpcId,
                      description: "hello-gateway fleet: HTTPS from the load balancer inside the VPC only; no SSH, nothing out",
                      ingress: lbGroups
                          ? httpdIngress("")
                          : [
                                {
                                    description: "HTTPS from the load balancer inside the VPC",
                                    protocol: "tcp",
                                    fromPort: ORIGIN_HTTPS_PORT,
                                    toPort: ORIGIN_HTTPS_PORT,
                                    cidrBlocks: [args.cidrBlock],
                                },
                            ],
                      // The fleet serves what its image holds and fetches nothing: no egress rule
                      // at all (the provider removes the allow-all rule AWS adds to a new group).
                      // Replies to the NLB are allowed by the group's connection tracking.
                      egress: [],
                      tags: { ...args.tags, Name: `${name}-fleet-sg` },
                  },
                  { parent: this },
              )
            : undefined;

        this.vpcId = vpc.vpcId;
        this.publicSubnetIds = vpc.publicSubnetIds;
        this.securityGroupId = securityGroup.id;
        this.isolatedSubnetIds = args.isolatedSubnets ? vpc.isolatedSubnetIds : undefined;
        this.fleetSecurityGroupId = fleetSecurityGroup?.id;
        this.loadBalancerSecurityGroupId = lbGroups?.loadBalancer.id;
        this.vpcLinkSecurityGroupId = lbGroups?.vpcLink.id;
        this.registerOutputs({
            loadBalancerSecurityGroupId: this.loadBalancerSecurityGroupId,
            vpcLinkSecurityGroupId: this.vpcLinkSecurityGroupId,
            vpcId: this.vpcId,
            publicSubnetIds: this.publicSubnetIds,
            securityGroupId: this.securityGroupId,
            isolatedSubnetIds: this.isolatedSubnetIds,
            fleetSecurityGroupId: this.fleetSecurityGroupId,
        });
    }

    /**
     * The NLB's group and the VPC link's. The VPC link's network interfaces (in this VPC) may
     * reach the NLB only on the VPC-link port; the NLB admits that port from them alone. The
     * REST API's VPC link reaches the NLB over PrivateLink, which the NLB's inbound rules do not
     * evaluate (`enforceSecurityGroupInboundRulesOnPrivateLinkTraffic: off` on the NLB): no rule
     * admits 443 from inside the VPC at all. The NLB sends to the targets (and health-checks
     * them) in the VPC's range only.
     */
    private createLoadBalancerGroups(name: string, vpcId: pulumi.Input<string>, vpcCidr: string, tags: Record<string, string>) {
        const vpcLink = new aws.ec2.SecurityGroup(
            `${name}-vpc-link-sg`,
            {
                vpcId,
                description: "hello-gateway HTTP API VPC link: reaches the origin NLB's VPC-link listener only; nothing in",
                ingress: [],
                egress: [
                    {
                        description: "The NLB's VPC-link listener",
                        protocol: "tcp",
                        fromPort: VPC_LINK_HTTP_PORT,
                        toPort: VPC_LINK_HTTP_PORT,
                        cidrBlocks: [vpcCidr],
                    },
                ],
                tags: { ...tags, Name: `${name}-vpc-link-sg` },
            },
            { parent: this },
        );
        const loadBalancer = new aws.ec2.SecurityGroup(
            `${name}-nlb-sg`,
            {
                vpcId,
                description: "hello-gateway origin NLB: the VPC-link port from the HTTP API's VPC link only; REST's link arrives over PrivateLink",
                ingress: [
                    {
                        description: "HTTP API VPC link to the VPC-link listener",
                        protocol: "tcp",
                        fromPort: VPC_LINK_HTTP_PORT,
                        toPort: VPC_LINK_HTTP_PORT,
                        securityGroups: [vpcLink.id],
                    },
                ],
                egress: [ORIGIN_HTTPS_PORT, VPC_LINK_HTTP_PORT].map((port) => ({
                    description: `Targets and their health checks on ${port}/tcp`,
                    protocol: "tcp",
                    fromPort: port,
                    toPort: port,
                    cidrBlocks: [vpcCidr],
                })),
                tags: { ...tags, Name: `${name}-nlb-sg` },
            },
            { parent: this },
        );
        return { vpcLink, loadBalancer };
    }

    /** Every accepted and rejected connection of the VPC, for investigations. */
    private createFlowLogs(name: string, vpcId: pulumi.Input<string>, flowLogs: NonNullable<NetworkArgs["flowLogs"]>, tags: Record<string, string>): void {
        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-flow-logs`,
            {
                namePrefix: `/aws/vpc/${name}/flow-logs-`,
                retentionInDays: flowLogs.retentionDays,
                kmsKeyId: flowLogs.kmsKeyArn,
                // Like the API's logs: readable after a destroy until their retention ends.
                skipDestroy: true,
                tags,
            },
            { parent: this },
        );
        const accountId = logGroup.arn.apply((arn) => arn.split(":")[4]);
        const role = new aws.iam.Role(
            `${name}-flow-logs-role`,
            {
                description: "Lets VPC Flow Logs deliver to the VPC's flow log group",
                // Only on behalf of this account's flow logs: no confused deputy.
                assumeRolePolicy: accountId.apply((account) => JSON.stringify(serviceTrustPolicy("vpc-flow-logs.amazonaws.com", account))),
                tags,
            },
            { parent: this },
        );
        const policy = new aws.iam.RolePolicy(
            `${name}-flow-logs-delivery`,
            {
                role: role.id,
                policy: logGroup.arn.apply((arn) =>
                    JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [
                            {
                                Effect: "Allow",
                                Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                                Resource: [arn, `${arn}:*`],
                            },
                            { Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: "*" },
                        ],
                    }),
                ),
            },
            { parent: this },
        );
        new aws.ec2.FlowLog(
            `${name}-flow-log`,
            {
                vpcId,
                trafficType: "ALL",
                logDestinationType: "cloud-watch-logs",
                logDestination: logGroup.arn,
                iamRoleArn: role.arn,
                maxAggregationInterval: 600,
                tags: { ...tags, Name: `${name}-flow-log` },
            },
            { parent: this, dependsOn: [policy] },
        );
    }
}

export interface OriginLoadBalancerArgs {
    readonly vpcId: pulumi.Input<string>;
    readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * The single instance that serves HTTPS on port 443, attached to the target group. Absent:
     * an Auto Scaling group registers its instances itself (`targetGroupArn`), and the target
     * group uses `FLEET_TARGET_HEALTH`.
     */
    readonly instanceId?: pulumi.Input<string>;
    /**
     * The NLB's security group (`Network.loadBalancerSecurityGroupId`). A Network Load Balancer
     * takes security groups only when it is created (ELB guide, "Update the security groups for
     * your Network Load Balancer"): adding one replaces an NLB made without. Default: none.
     */
    readonly securityGroupId?: pulumi.Input<string>;
    readonly tags?: Record<string, string>;
}

/**
 * The fleet's target group settings. Checks every 10 s, healthy after 3 passes and unhealthy
 * after 3 failures, so a new instance serves about 30 s after httpd listens. Deregistration
 * waits 60 s for in-flight requests: longer than API Gateway's longest integration timeout
 * (29 s), much shorter than the 300 s default that would slow every instance refresh. EC2 Auto
 * Scaling waits for this delay before terminating an instance it deregisters.
 */
export const FLEET_TARGET_HEALTH = { intervalSeconds: 10, healthyThreshold: 3, unhealthyThreshold: 3, deregistrationDelaySeconds: 60 } as const;

/**
 * An internal Network Load Balancer in front of the origin (the single instance, or the Auto
 * Scaling group's instances, which the group registers itself): the target of the API's VPC
 * link in the private origin mode, so no server is reachable from the internet. It passes
 * TCP through: TLS ends at httpd, which checks API Gateway's client certificate itself.
 *
 * Health checks are plain TCP connects to 443. An HTTP or HTTPS check would need a client
 * certificate the NLB cannot present (httpd refuses the handshake without one), and a separate
 * plain-HTTP health port would be exactly the listener this design removes. A TCP connect
 * proves httpd is up and accepting on 443; whether it serves the page, the smoke test shows.
 */
export class OriginLoadBalancer extends pulumi.ComponentResource {
    readonly arn: pulumi.Output<string>;
    readonly dnsName: pulumi.Output<string>;
    /** The `LoadBalancer` dimension of its CloudWatch metrics (`net/<name>/<id>`). */
    readonly arnSuffix: pulumi.Output<string>;
    readonly targetGroupArn: pulumi.Output<string>;
    /** The `TargetGroup` dimension of its CloudWatch metrics (`targetgroup/<name>/<id>`). */
    readonly targetGroupArnSuffix: pulumi.Output<string>;
    /** The listener only an HTTP API's VPC link reaches (with `securityGroupId`). */
    readonly vpcLinkListenerArn: pulumi.Output<string> | undefined;
    /** Its target group, which a fleet's instances join as well. */
    readonly vpcLinkTargetGroupArn: pulumi.Output<string> | undefined;

    constructor(name: string, args: OriginLoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hello-gateway:infra:OriginLoadBalancer", name, {}, opts);
        const loadBalancer = new aws.lb.LoadBalancer(
            `${name}-nlb`,
            {
                loadBalancerType: "network",
                internal: true,
                subnets: args.subnetIds,
                enableCrossZoneLoadBalancing: true,
                ...(args.securityGroupId !== undefined
                    ? { securityGroups: [args.securityGroupId], enforceSecurityGroupInboundRulesOnPrivateLinkTraffic: "off" }
                    : {}),
                tags: { ...args.tags, Name: `${name}-nlb` },
            },
            { parent: this },
        );
        const targetGroup = new aws.lb.TargetGroup(
            `${name}-https`,
            {
                vpcId: args.vpcId,
                port: ORIGIN_HTTPS_PORT,
                protocol: "TCP",
                targetType: "instance",
                ...(args.instanceId !== undefined
                    ? { healthCheck: { protocol: "TCP", port: "traffic-port", interval: 30 } }
                    : {
                          healthCheck: {
                              protocol: "TCP",
                              port: "traffic-port",
                              interval: FLEET_TARGET_HEALTH.intervalSeconds,
                              healthyThreshold: FLEET_TARGET_HEALTH.healthyThreshold,
                              unhealthyThreshold: FLEET_TARGET_HEALTH.unhealthyThreshold,
                          },
                          deregistrationDelay: FLEET_TARGET_HEALTH.deregistrationDelaySeconds,
                      }),
                tags: args.tags,
            },
            { parent: this },
        );
        if (args.instanceId !== undefined) {
            new aws.lb.TargetGroupAttachment(
                `${name}-instance`,
                { targetGroupArn: targetGroup.arn, targetId: args.instanceId, port: ORIGIN_HTTPS_PORT },
                { parent: this },
            );
        }
        new aws.lb.Listener(
            `${name}-https`,
            {
                loadBalancerArn: loadBalancer.arn,
                port: ORIGIN_HTTPS_PORT,
                protocol: "TCP",
                defaultActions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
                tags: args.tags,
            },
            { parent: this },
        );
        const vpcLinkPath = args.securityGroupId !== undefined ? this.createVpcLinkListener(name, args, loadBalancer) : undefined;
        this.vpcLinkListenerArn = vpcLinkPath?.listener.arn;
        this.vpcLinkTargetGroupArn = vpcLinkPath?.targetGroup.arn;
        this.arn = loadBalancer.arn;
        this.dnsName = loadBalancer.dnsName;
        this.arnSuffix = loadBalancer.arnSuffix;
        this.targetGroupArn = targetGroup.arn;
        this.targetGroupArnSuffix = targetGroup.arnSuffix;
        this.registerOutputs({
            arn: this.arn,
            dnsName: this.dnsName,
            arnSuffix: this.arnSuffix,
            targetGroupArn: this.targetGroupArn,
            targetGroupArnSuffix: this.targetGroupArnSuffix,
            vpcLinkListenerArn: this.vpcLinkListenerArn,
            vpcLinkTargetGroupArn: this.vpcLinkTargetGroupArn,
        });
    }

    /** The HTTP API's path: a TCP listener and target group on the VPC-link port, health-checked like 443. */
    private createVpcLinkListener(name: string, args: OriginLoadBalancerArgs, loadBalancer: aws.lb.LoadBalancer) {
        const targetGroup = new aws.lb.TargetGroup(
            `${name}-vpc-link`,
            {
                vpcId: args.vpcId,
                port: VPC_LINK_HTTP_PORT,
                protocol: "TCP",
                targetType: "instance",
                healthCheck: {
                    protocol: "TCP",
                    port: "traffic-port",
                    interval: FLEET_TARGET_HEALTH.intervalSeconds,
                    healthyThreshold: FLEET_TARGET_HEALTH.healthyThreshold,
                    unhealthyThreshold: FLEET_TARGET_HEALTH.unhealthyThreshold,
                },
                deregistrationDelay: FLEET_TARGET_HEALTH.deregistrationDelaySeconds,
                tags: args.tags,
            },
            { parent: this },
        );
        if (args.instanceId !== undefined) {
            new aws.lb.TargetGroupAttachment(`${name}-vpc-link-instance`, { targetGroupArn: targetGroup.arn, targetId: args.instanceId, port: VPC_LINK_HTTP_PORT }, { parent: this });
        }
        const listener = new aws.lb.Listener(
            `${name}-vpc-link`,
            {
                loadBalancerArn: loadBalancer.arn,
                port: VPC_LINK_HTTP_PORT,
                protocol: "TCP",
                defaultActions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
                tags: args.tags,
            },
            { parent: this },
        );
        return { listener, targetGroup };
    }
}
