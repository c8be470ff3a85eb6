// What each function of functions/ may do beyond writing its own logs. The stack grants exactly
// this to the function's role: the connections table actions on that table's ARN, and
// execute-api:ManageConnections on its own stage's @connections only. A function not listed
// gets nothing beyond its logs. Plain data: the infrastructure reads it without loading the
// functions or the AWS SDK.

export type TableAction = "dynamodb:PutItem" | "dynamodb:DeleteItem" | "dynamodb:Scan" | "dynamodb:GetItem" | "dynamodb:Query" | "dynamodb:UpdateItem";

export interface FunctionGrants {
    /** Actions on the WebSocket API's connections table. */
    readonly tableActions: readonly TableAction[];
    /** Posting to (and closing) this stage's connections through @connections. */
    readonly manageConnections: boolean;
}

export const NO_GRANTS: FunctionGrants = { tableActions: [], manageConnections: false };

export const FUNCTION_GRANTS: Readonly<Record<string, FunctionGrants>> = {
    "chat/connect": { tableActions: ["dynamodb:PutItem"], manageConnections: false },
    "chat/disconnect": { tableActions: ["dynamodb:DeleteItem"], manageConnections: false },
    "chat/default": { tableActions: [], manageConnections: true },
    // Scan finds every open connection; DeleteItem drops those API Gateway reports gone.
    "chat/sendmessage": { tableActions: ["dynamodb:Scan", "dynamodb:DeleteItem"], manageConnections: true },
};

export function grantsOf(functionName: string): FunctionGrants {
    return FUNCTION_GRANTS[functionName] ?? NO_GRANTS;
}
