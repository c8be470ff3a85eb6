import { expect } from "chai";
import { VPC_LINK_HTTP_PORT } from "../../infra/httpd-vpc-link";
import { SSH_DIAL, SSH_USER, al2023AmiParameter } from "../../infra/compute";
import { ORIGIN_STACK_SUFFIX, isGroupMode } from "../../infra/config";
import { provisioningScript } from "../../infra/httpd";
import { committedStacks } from "../../tools/stack-files";
import { sha256 } from "../../infra/hash";
import { MOCK_AMI, ProgramRun } from "../../tools/mock-runtime";
import { byName, dependencyNames, isSecretEnvelope, originConfigOf, parentName, resourcesOfType, runStack, theOne, unwrapSecrets } from "../support";

export const PRIVATE_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----\n";
export const PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGbG3pkK2m0z3v8kY1yW0mX6b2P3d4e5f6g7h8i9j0k1 ops@example";

export const ORIGIN_OUTPUTS = ["clientCertificateExpiration", "clientCertificateId", "helloMessage", "instanceId", "originMode", "originUrl", "publicDns", "publicIp", "region", "securityGroupId", "vpcId"];

/**
 * The origin stacks as their files say, expectations taken from those files (the user-edit spec
 * runs the same suite on an edited copy of them).
 */
export function describeOriginStacks(root: string, label: string): void {
    for (const stack of committedStacks(root).filter((name) => name.endsWith(ORIGIN_STACK_SUFFIX))) {
        describeOriginStack(stack, root, label);
    }
}

export function describeOriginStack(stack: string, root: string, label: string): void {
    describe(`origin stack ${stack} (${label})`, () => {
        const config = originConfigOf(stack, root);
        const expected = {
            env: config.environment,
            stack,
            cidr: config.vpcCidr,
            instanceType: config.instanceType,
            sshCidrs: config.sshAllowedCidrs,
            originMode: config.originMode,
            groupMode: isGroupMode(config.fleet),
        };
        let run: ProgramRun;
        before(async () => {
            run = await runStack(stack, { root });
        });

        it(`builds a VPC with public subnets${expected.groupMode ? " and isolated ones for the fleet" : ""} in two AZs and no NAT gateway`, () => {
            const vpc = theOne(run, "awsx:ec2:Vpc");
            expect(vpc.inputs.cidrBlock).to.equal(expected.cidr);
            expect(vpc.inputs.availabilityZoneNames).to.have.length(2);
            expect(vpc.inputs.natGateways).to.deep.equal({ strategy: "None" });
            const specs = vpc.inputs.subnetSpecs as Array<{ type: string }>;
            expect(specs.map((spec) => spec.type)).to.deep.equal(expected.groupMode ? ["Public", "Isolated"] : ["Public"]);
            expect(vpc.inputs.enableDnsHostnames).to.equal(true);
            expect(resourcesOfType(run, "aws:ec2/natGateway:NatGateway")).to.have.length(0);
        });

        it(`opens 443 to ${expected.originMode === "public" ? "the internet (httpd requires API Gateway's certificate)" : `the NLB's security group only (and ${VPC_LINK_HTTP_PORT}, the HTTP API's VPC-link path)`}, 80 to nobody, 22 only to sshAllowedCidrs, and egress only to 80/443, every rule described`, () => {
            const group = byName(run, `hello-${expected.env}-origin-sg`);
            type Rule = { fromPort: number; toPort: number; protocol: string; cidrBlocks: string[]; description: string };
            const ingress = group.inputs.ingress as Rule[];
            const egress = group.inputs.egress as Rule[];
            const https = ingress.find((r) => r.fromPort === 443);
            expect(https).to.include({ protocol: "tcp", toPort: 443 });
            if (expected.originMode === "public") {
                expect(https?.cidrBlocks).to.deep.equal(["0.0.0.0/0"]);
            } else {
                // Behind the NLB: 443 (REST) and the VPC-link port (HTTP API) from the NLB's group only.
                const nlbGroup = byName(run, `hello-${expected.env}-nlb-sg`);
                expect(https).to.deep.include({ securityGroups: [nlbGroup.id] });
                expect(https).not.to.have.property("cidrBlocks");
                expect(ingress.find((r) => r.fromPort === VPC_LINK_HTTP_PORT)).to.deep.include({ protocol: "tcp", toPort: VPC_LINK_HTTP_PORT, securityGroups: [nlbGroup.id] });
            }
            const ssh = ingress.find((r) => r.fromPort === 22) as Rule & { ipv6CidrBlocks?: string[] };
            expect(ssh.cidrBlocks ?? []).to.deep.equal(expected.sshCidrs.ipv4);
            expect(ssh.ipv6CidrBlocks ?? []).to.deep.equal(expected.sshCidrs.ipv6);
            expect(ingress.map((r) => r.fromPort).sort()).to.deep.equal(expected.originMode === "public" ? [22, 443] : [22, 443, VPC_LINK_HTTP_PORT]);
            expect(ingress.some((r) => r.fromPort <= 80 && 80 <= r.toPort), "a rule admitting port 80").to.equal(false);
            expect(egress.map((r) => [r.protocol, r.fromPort, r.toPort])).to.deep.equal([["tcp", 80, 80], ["tcp", 443, 443]]);
            expect(egress.some((r) => r.protocol === "-1")).to.equal(false);
            for (const rule of [...ingress, ...egress]) {
                expect(rule.description).to.be.a("string").and.not.equal("");
            }
            expect(group.inputs.vpcId).to.equal(run.outputs.vpcId);
        });

        it("runs one hardened instance: IMDSv2 with hop limit 1, encrypted gp3 root volume, tags", () => {
            const instance = theOne(run, "aws:ec2/instance:Instance");
            expect(instance.inputs.instanceType).to.equal(expected.instanceType);
            expect(instance.inputs.metadataOptions).to.include({ httpTokens: "required", httpPutResponseHopLimit: 1, httpEndpoint: "enabled" });
            expect(instance.inputs.rootBlockDevice).to.include({ volumeType: "gp3", encrypted: true, deleteOnTermination: true });
            expect(instance.inputs.creditSpecification).to.deep.equal({ cpuCredits: "standard" });
            expect(instance.inputs.tags).to.include({ Project: "hello-gateway", Environment: expected.env, Stack: expected.stack });
            expect(instance.inputs.vpcSecurityGroupIds).to.deep.equal([run.outputs.securityGroupId]);
        });

        it("boots the AL2023 image for its architecture and ignores later releases (or exactly the pinned amiId)", () => {
            if (config.amiId !== undefined) {
                const pinned = theOne(run, "aws:ec2/instance:Instance");
                expect(pinned.inputs.ami).to.equal(config.amiId);
                expect(pinned.ignoreChanges).to.deep.equal([]);
                return;
            }
            const lookup = run.invokes.find((invoke) => invoke.token === "aws:ssm/getParameter:getParameter");
            expect(lookup?.inputs.name).to.equal(al2023AmiParameter(config.architecture));
            const instance = theOne(run, "aws:ec2/instance:Instance");
            expect(instance.inputs.ami).to.equal(MOCK_AMI[config.architecture]);
            expect(instance.ignoreChanges).to.deep.equal(["ami"]);
        });

        it("keeps its address across instance replacements with an Elastic IP in the VPC", () => {
            const eip = theOne(run, "aws:ec2/eip:Eip");
            expect(eip.inputs.domain).to.equal("vpc");
            const association = theOne(run, "aws:ec2/eipAssociation:EipAssociation");
            expect(association.inputs.instanceId).to.equal(run.outputs.instanceId);
            expect(association.inputs.allocationId).to.equal(eip.state.allocationId);
            expect(run.outputs.publicIp).to.equal(eip.state.publicIp);
            expect(run.outputs.publicDns).to.equal(eip.state.publicDns);
            if (expected.originMode === "public") {
                expect(run.outputs.originUrl).to.equal(`https://${eip.state.publicDns}/`);
            }
        });

        it("generates an ED25519 key pair (or takes the configured one) and imports only its public half", () => {
            if (config.sshKey !== undefined) {
                expect(resourcesOfType(run, "tls:index/privateKey:PrivateKey").map((key) => key.name)).to.deep.equal([`hello-${expected.env}-origin-ca-key`, `hello-${expected.env}-server-key`]);
                expect(theOne(run, "aws:ec2/keyPair:KeyPair").inputs.publicKey).to.equal(config.sshKey.publicKey);
                return;
            }
            const key = byName(run, `hello-${expected.env}-ssh-key`);
            expect(key.inputs.algorithm).to.equal("ED25519");
            const keyPair = theOne(run, "aws:ec2/keyPair:KeyPair");
            expect(keyPair.inputs.publicKey).to.equal(key.state.publicKeyOpenssh);
            expect(theOne(run, "aws:ec2/instance:Instance").inputs.keyName).to.equal(keyPair.state.keyName);
        });

        it("waits for SSH, bounded, before provisioning, as ec2-user on the Elastic IP", () => {
            const wait = byName(run, `hello-${expected.env}-wait-for-ssh`);
            const install = byName(run, `hello-${expected.env}-install-httpd`);
            for (const command of [wait, install]) {
                const connection = unwrapSecrets(command.inputs.connection) as Record<string, unknown>;
                expect(connection.user).to.equal(SSH_USER);
                expect(connection.host).to.equal(run.outputs.publicIp);
                expect(connection.dialErrorLimit).to.equal(SSH_DIAL.dialErrorLimit);
                expect(connection.perDialTimeout).to.equal(SSH_DIAL.perDialTimeout);
                expect(command.customTimeouts?.create).to.equal("15m");
            }
            expect(dependencyNames(run, wait)).to.include(`hello-${expected.env}-eip-association`);
            expect(dependencyNames(run, install)).to.include(`hello-${expected.env}-wait-for-ssh`);
        });

        it("provisions httpd with TLS from the stack's own certificates, as a secret, re-running when the instance or the script changes", () => {
            const install = byName(run, `hello-${expected.env}-install-httpd`);
            expect(isSecretEnvelope(install.inputs.create), "the script carries httpd's private key").to.equal(true);
            const script = unwrapSecrets(install.inputs.create) as string;
            const helloMessage = config.helloMessage;
            const clientCertificate = theOne(run, "aws:apigateway/clientCertificate:ClientCertificate");
            expect(script).to.equal(
                provisioningScript({
                    helloMessage,
                    serverCertificatePem: theOne(run, "tls:index/locallySignedCert:LocallySignedCert").state.certPem as string,
                    caCertificatePem: theOne(run, "tls:index/selfSignedCert:SelfSignedCert").state.certPem as string,
                    serverPrivateKeyPem: byName(run, `hello-${expected.env}-server-key`).state.privateKeyPem as string,
                    trustedClientCertificatePems: [clientCertificate.state.pemEncodedCertificate as string],
                    ...(expected.originMode === "private" ? { vpcLinkHttpPort: VPC_LINK_HTTP_PORT } : {}),
                }),
            );
            expect(script).to.contain("dnf install -y httpd mod_ssl").and.to.contain("SSLVerifyClient require");
            expect(install.inputs.triggers).to.deep.equal([run.outputs.instanceId, sha256(script)]);
        });

        it("owns API Gateway's client certificate and exports its id and expiry for the gateway", () => {
            const clientCertificate = theOne(run, "aws:apigateway/clientCertificate:ClientCertificate");
            expect(run.outputs.clientCertificateId).to.equal(clientCertificate.id);
            expect(run.outputs.clientCertificateExpiration).to.equal(clientCertificate.state.expirationDate);
        });

        it("keeps the SSH private key secret in every connection", () => {
            for (const command of resourcesOfType(run, "command:remote:Command")) {
                const connection = command.inputs.connection;
                const privateKey = isSecretEnvelope(connection) ? (connection.value as Record<string, unknown>).privateKey : (connection as Record<string, unknown>).privateKey;
                expect(isSecretEnvelope(connection) || isSecretEnvelope(privateKey), command.name).to.equal(true);
                if (config.sshKey === undefined) {
                    expect((unwrapSecrets(connection) as Record<string, string>).privateKey).to.contain("BEGIN OPENSSH PRIVATE KEY");
                }
            }
        });

        it("exports the origin contract and nothing secret", () => {
            const nlbOutputs = expected.originMode === "private" ? ["originNlbArn", "originNlbDnsName", "originNlbListenerArn", "originVpcLinkSubnetIds", "originVpcLinkSecurityGroupId"] : [];
            const groupOutputs = expected.groupMode ? ["autoScalingGroupName", "imageId"] : [];
            expect(Object.keys(run.outputs).sort()).to.deep.equal([...ORIGIN_OUTPUTS, ...nlbOutputs, ...groupOutputs].sort());
            expect(run.outputs.originMode).to.equal(expected.originMode);
            expect(run.outputs.region).to.equal(config.region);
            expect(run.outputs.helloMessage).to.equal(config.helloMessage);
            expect(run.secretOutputs).to.deep.equal([]);
            expect(JSON.stringify(run.outputs)).not.to.contain("PRIVATE KEY");
        });

        it("parents every resource under a component", () => {
            for (const resource of run.resources.filter((r) => r.custom)) {
                expect(parentName(run, resource), `${resource.type} ${resource.name}`).to.match(/^hello-/);
            }
        });
    });
}
