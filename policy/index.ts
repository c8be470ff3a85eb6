// The entry point the Pulumi CLI loads for `--policy-pack policy`. Tests never import this file:
// constructing the PolicyPack starts the analyzer's gRPC server. They use rules.ts through
// evaluate.ts instead.
import { PolicyPack } from "@pulumi/policy";
import { enforcementLevelFor, stackFromEnvironment } from "./enforcement";
import { POLICIES } from "./rules";
import { trackWireSecrets } from "./secrets";

// Before any request: the secrets rule needs to know which inputs arrived as secrets.
trackWireSecrets();

new PolicyPack("hello-gateway", {
    description: "hello-gateway: AWS Security Hub API Gateway, EC2, Auto Scaling, Lambda and DynamoDB controls plus the project's logging, throttling, egress and secrets baseline",
    // Mandatory for prod (and any stack the pack does not know), advisory for dev. A
    // --policy-pack-config file overrides it per policy or for "all".
    enforcementLevel: enforcementLevelFor(stackFromEnvironment(process.env)),
    policies: [...POLICIES],
});
