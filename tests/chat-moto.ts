// The moto_server of chat-handlers.spec.ts, launched when that spec imports this module, which
// it does first: moto_server's start-up (about half a second of Python CPU, more on a busy
// machine) then overlaps node loading the AWS SDK and the chat functions, instead of following it.
import { launchMotoServer, MotoLaunch, motoServerPath } from "./moto-server";

const command = motoServerPath();

/** undefined when moto_server is not on PATH. */
export const chatMoto: MotoLaunch | undefined = command === undefined ? undefined : launchMotoServer(command);
