import * as pulumi from "@pulumi/pulumi";
import { WebServer } from "../infra/compute";
import type { OriginConfig } from "../infra/config";
import { LogEncryptionKey } from "../infra/log-encryption";
import { OriginMonitoring } from "../infra/monitoring";
import { Network, OriginLoadBalancer, standardAvailabilityZones } from "../infra/network";
import { OriginCertificates } from "../infra/origin-tls";

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
    readonly alarmTopicArn?: pulumi.Output<string>;
    /** The API Gateway client certificate the gateway's stage must present; httpd requires it. */
    readonly clientCertificateId: pulumi.Output<string>;
    /** When that certificate expires (RFC 3339); rotate before then. */
    readonly clientCertificateExpiration: pulumi.Output<string>;
}

export async function originProgram(config: OriginConfig): Promise<OriginOutputs> {
    const name = `hello-${config.environment}`;
    const logKey = config.encryptLogs ? new LogEncryptionKey(name, { region: config.region, tags: { ...config.tags } }) : undefined;
    const network = new Network(name, {
        availabilityZoneNames: await standardAvailabilityZones(config.region),
        cidrBlock: config.vpcCidr,
        sshAllowedCidrs: config.sshAllowedCidrs,
        httpsIngressCidrs: config.originMode === "private" ? [config.vpcCidr] : undefined,
        flowLogs: config.flowLogsEnabled ? { retentionDays: config.logRetentionDays, kmsKeyArn: logKey?.keyArn } : undefined,
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
        tags: { ...config.tags },
    });
    const loadBalancer =
        config.originMode === "private"
            ? new OriginLoadBalancer(name, {
                  vpcId: network.vpcId,
                  subnetIds: network.publicSubnetIds,
                  instanceId: server.instanceId,
                  tags: { ...config.tags },
              })
            : undefined;
    const monitoring = new OriginMonitoring(name, {
        instanceId: server.instanceId,
        region: config.region,
        alarmEmail: config.monitoring.alarmEmail,
        tags: { ...config.tags },
    });
    // In private mode the gateway reaches httpd through the NLB, so that is the origin's URL.
    const originUrl = loadBalancer
        ? pulumi.all([loadBalancer.dnsName, server.provisioned]).apply(([dns]) => `https://${dns}/`)
        : server.originUrl;
    return {
        originUrl,
        originMode: config.originMode,
        region: config.region,
        helloMessage: config.helloMessage,
        ...(loadBalancer ? { originNlbArn: loadBalancer.arn, originNlbDnsName: loadBalancer.dnsName } : {}),
        ...(monitoring.alarmTopicArn ? { alarmTopicArn: monitoring.alarmTopicArn } : {}),
        instanceId: server.instanceId,
        publicIp: server.publicIp,
        publicDns: server.publicDns,
        vpcId: network.vpcId,
        securityGroupId: network.securityGroupId,
        clientCertificateId: certificates.clientCertificateId,
        clientCertificateExpiration: certificates.clientCertificateExpiration,
    };
}
