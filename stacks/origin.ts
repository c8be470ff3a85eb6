import * as pulumi from "@pulumi/pulumi";
import { WebServer } from "../infra/compute";
import { type OriginConfig, isGroupMode } from "../infra/config";
import { OriginFleet } from "../infra/fleet";
import { LogEncryptionKey } from "../infra/log-encryption";
import { OriginMonitoring } from "../infra/monitoring";
import { Network, OriginLoadBalancer, standardAvailabilityZones } from "../infra/network";
import { OriginCertificates } from "../infra/origin-tls";
import { VPC_LINK_HTTP_PORT } from "../infra/httpd-vpc-link";

/** The origin stack's outputs: a public contract the gateway stack and users read. */
export interface OriginOutputs {
    readonly originUrl: pulumi.Output<string>;
    readonly instanceId: pulumi.Output<string>;
    readonly publicIp: pulumi.Output<string>;
    readonly publicDns: pulumi.Output<string>;
    readonly vpcId: pulumi.Output<string>;
    readonly securityGroupId: pulumi.Output<string>;
    /** `public` or `private`; the gateway checks it matches its own. */
    readonly originMode: string;
    /** The AWS region the origin runs in: a private gateway must be in the same one (a VPC link cannot cross regions). */
    readonly region: string;
    /** The text the hello page serves; the smoke test expects it. */
    readonly helloMessage: string;
    /** Private mode only: the NLB the gateway's VPC link targets. */
    readonly originNlbArn?: pulumi.Output<string>;
    readonly originNlbDnsName?: pulumi.Output<string>;
    /** Private mode only: the NLB listener an HTTP API's VPC link targets, the link's subnets and security group (docs/http-api.md). */
    readonly originNlbListenerArn?: pulumi.Output<string>;
    readonly originVpcLinkSubnetIds?: pulumi.Output<string[]>;
    readonly originVpcLinkSecurityGroupId?: pulumi.Output<string>;
    readonly alarmTopicArn?: pulumi.Output<string>;
    /** The API Gateway client certificate the gateway's stage must present; httpd requires it. */
    readonly clientCertificateId: pulumi.Output<string>;
    /** When that certificate expires (RFC 3339); rotate before then. */
    readonly clientCertificateExpiration: pulumi.Output<string>;
    /** Group mode only: the Auto Scaling group that runs the fleet. */
    readonly autoScalingGroupName?: pulumi.Output<string>;
    /** Group mode only: the image the fleet boots, taken from the SSH-provisioned builder. */
    readonly imageId?: pulumi.Output<string>;
}

export async function originProgram(config: OriginConfig): Promise<OriginOutputs> {
    const name = `hello-${config.environment}`;
    // Group mode: the instance below is the builder the fleet's image is taken of.
    const groupMode = isGroupMode(config.fleet);
    const logKey = config.encryptLogs ? new LogEncryptionKey(name, { region: config.region, tags: { ...config.tags } }) : undefined;
    const network = new Network(name, {
        availabilityZoneNames: await standardAvailabilityZones(config.region),
        cidrBlock: config.vpcCidr,
        sshAllowedCidrs: config.sshAllowedCidrs,
        httpsIngressCidrs: config.originMode === "private" ? [config.vpcCidr] : undefined,
        flowLogs: config.flowLogsEnabled ? { retentionDays: config.logRetentionDays, kmsKeyArn: logKey?.keyArn } : undefined,
        isolatedSubnets: groupMode,
        privateLoadBalancer: config.originMode === "private",
        tags: { ...config.tags },
    });
    const certificates = new OriginCertificates(name, {
        clientCertificateGeneration: config.clientCertificateGeneration,
        tags: { ...config.tags },
    });
    const server = new WebServer(name, {
        subnetId: network.publicSubnetIds.apply((ids) => ids[0]),
        securityGroupIds: [network.securityGroupId],
        instanceType: config.instanceType,
        architecture: config.architecture,
        amiId: config.amiId,
        takeNewestImage: config.takeNewestAmi,
        helloMessage: config.helloMessage,
        tls: {
            serverCertificatePem: certificates.serverCertificatePem,
            serverPrivateKeyPem: certificates.serverPrivateKeyPem,
            trustedClientCertificatePems: certificates.trustedClientCertificatePems,
        },
        sshKey: config.sshKey,
        ...(config.originMode === "private" ? { vpcLinkHttpPort: VPC_LINK_HTTP_PORT } : {}),
        replaceOnProvisioningChange: groupMode,
        tags: { ...config.tags },
    });
    // The NLB stays in the public subnets in both modes (internal: private addresses only).
    // Moving it would replace it, and a VPC link holds its NLB; the isolated subnets are in
    // the same zones, and cross-zone load balancing is on.
    const loadBalancer =
        config.originMode === "private"
            ? new OriginLoadBalancer(name, {
                  vpcId: network.vpcId,
                  subnetIds: network.publicSubnetIds,
                  instanceId: groupMode ? undefined : server.instanceId,
                  securityGroupId: network.loadBalancerSecurityGroupId,
                  tags: { ...config.tags },
              })
            : undefined;
    const fleet =
        groupMode && loadBalancer && network.isolatedSubnetIds && network.fleetSecurityGroupId
            ? new OriginFleet(name, {
                  builderInstanceId: server.provisionedInstanceId,
                  instanceType: config.instanceType,
                  subnetIds: network.isolatedSubnetIds,
                  securityGroupId: network.fleetSecurityGroupId,
                  targetGroupArn: loadBalancer.targetGroupArn,
                  extraTargetGroupArns: loadBalancer.vpcLinkTargetGroupArn ? [loadBalancer.vpcLinkTargetGroupArn] : [],
                  targetGroupArnSuffix: loadBalancer.targetGroupArnSuffix,
                  loadBalancerArnSuffix: loadBalancer.arnSuffix,
                  fleet: config.fleet,
                  tags: { ...config.tags },
              })
            : undefined;
    const monitoring = new OriginMonitoring(name, {
        ...(fleet && loadBalancer
            ? {
                  fleet: {
                      autoScalingGroupName: fleet.autoScalingGroupName,
                      targetGroupArnSuffix: loadBalancer.targetGroupArnSuffix,
                      loadBalancerArnSuffix: loadBalancer.arnSuffix,
                      minInstances: config.fleet.minInstances,
                      maxInstances: config.fleet.maxInstances,
                      scaleOutCpuPercent: config.fleet.scaleOutCpuPercent,
                      dashboardName: `${name}-origin`,
                  },
              }
            : { instanceId: server.instanceId }),
        region: config.region,
        alarmEmail: config.monitoring.alarmEmail,
        tags: { ...config.tags },
    });
    // In private mode the gateway reaches httpd through the NLB, so that is the origin's URL. In
    // group mode it waits for the group, whose first creation waits for minInstances healthy
    // targets (minElbCapacity).
    const originUrl = loadBalancer
        ? pulumi.all([loadBalancer.dnsName, fleet?.autoScalingGroupName ?? server.provisioned]).apply(([dns]) => `https://${dns}/`)
        : server.originUrl;
    return {
        originUrl,
        originMode: config.originMode,
        region: config.region,
        helloMessage: config.helloMessage,
        ...(loadBalancer ? { originNlbArn: loadBalancer.arn, originNlbDnsName: loadBalancer.dnsName } : {}),
        ...(loadBalancer?.vpcLinkListenerArn && network.vpcLinkSecurityGroupId
            ? {
                  // An HTTP API's VPC link: the listener, and where its network interfaces go (the NLB's subnets).
                  originNlbListenerArn: loadBalancer.vpcLinkListenerArn,
                  originVpcLinkSubnetIds: network.publicSubnetIds,
                  originVpcLinkSecurityGroupId: network.vpcLinkSecurityGroupId,
              }
            : {}),
        ...(monitoring.alarmTopicArn ? { alarmTopicArn: monitoring.alarmTopicArn } : {}),
        instanceId: server.instanceId,
        publicIp: server.publicIp,
        publicDns: server.publicDns,
        vpcId: network.vpcId,
        securityGroupId: network.securityGroupId,
        clientCertificateId: certificates.clientCertificateId,
        clientCertificateExpiration: certificates.clientCertificateExpiration,
        ...(fleet ? { autoScalingGroupName: fleet.autoScalingGroupName, imageId: fleet.imageId } : {}),
    };
}
