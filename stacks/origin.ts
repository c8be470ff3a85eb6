import * as pulumi from "@pulumi/pulumi";
import { WebServer } from "../infra/compute";
import type { OriginConfig } from "../infra/config";
import { Network } from "../infra/network";

/** The origin stack's outputs: a public contract the gateway stack and users read. */
export interface OriginOutputs {
    readonly originUrl: pulumi.Output<string>;
    readonly instanceId: pulumi.Output<string>;
    readonly publicIp: pulumi.Output<string>;
    readonly publicDns: pulumi.Output<string>;
    readonly vpcId: pulumi.Output<string>;
    readonly securityGroupId: pulumi.Output<string>;
}

export function originProgram(config: OriginConfig): OriginOutputs {
    const name = `hello-${config.environment}`;
    const network = new Network(name, {
        cidrBlock: config.vpcCidr,
        sshAllowedCidrs: config.sshAllowedCidrs,
        tags: { ...config.tags },
    });
    const server = new WebServer(name, {
        subnetId: network.publicSubnetIds.apply((ids) => ids[0]),
        securityGroupIds: [network.securityGroupId],
        instanceType: config.instanceType,
        architecture: config.architecture,
        amiId: config.amiId,
        helloMessage: config.helloMessage,
        sshKey: config.sshKey,
        tags: { ...config.tags },
    });
    return {
        originUrl: server.originUrl,
        instanceId: server.instanceId,
        publicIp: server.publicIp,
        publicDns: server.publicDns,
        vpcId: network.vpcId,
        securityGroupId: network.securityGroupId,
    };
}
