// The entry point Pulumi.yaml names. One program serves all four stacks: `hello-gateway:layer`
// picks the origin or the gateway. Configuration is validated before any resource exists.
import { currentIdentity, parseConfig, readConfig } from "../infra/config";
import { gatewayProgram } from "./gateway";
import { originProgram } from "./origin";

const config = parseConfig(readConfig(), currentIdentity());

export = config.layer === "origin" ? originProgram(config) : gatewayProgram(config);
